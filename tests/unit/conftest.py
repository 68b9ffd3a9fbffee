"""Pure unit tests (no Odoo): make the repository root importable as top-level
packages (``services``, ``emulators``)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# The place transforms resolve against the database's countries and states: the pure
# tests give them a dump of an Odoo 18 database's tables (tools/dump_places.py wrote it).
from unit_fixtures import load_places_dump  # noqa: E402  (needs ROOT on the path)

from services.transforms import use_places  # noqa: E402

use_places(load_places_dump())
