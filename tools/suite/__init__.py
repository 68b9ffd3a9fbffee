"""The Odoo layer's tooling behind ``tools/odoo_suite.py``, one role a module.

- ``env``: finds or prepares Odoo 18, its virtualenv, PostgreSQL; ports, the addons dir
- ``browser``: Chromium for the tours and the screenshots (Debian's package)
- ``logs``: reads Odoo's logs (the module's warnings, test counts) and .pot files
- ``process``: runs ``odoo-bin`` (server, shell, ``fsm_migrate``) and records each step
- ``cli_steps``: the command line's steps (discover, run twice then roll back, foreign shape)
- ``scale``: the workers' run compared field by field, and the scale runs on the emulators
- ``runner``: ``OdooRunner`` (all the steps) and the ``test`` and ``pot`` commands
- ``demo``: the ``demo`` command (the emulators migrated into a database, served)
- ``screenshots``: the ``screenshots`` command (the README's pictures)

Here: the module's name, this checkout and the optional apps the suites install.
"""

from pathlib import Path

MODULE = "field_service_migration"
REPO = Path(__file__).resolve().parents[2]
OPTIONAL_APPS = ["sale_management", "sale_crm", "account", "stock", "calendar", "hr",
                 "hr_skills", "project", "base_geolocalize"]
