"""Pure unit tests (no Odoo): make the repository root importable as top-level
packages (``services``, ``emulators``)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
