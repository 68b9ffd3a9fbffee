"""The ``fsm-migrate`` command line (Odoo CLI command)."""

from . import fsm_migrate
