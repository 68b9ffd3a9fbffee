"""The module's wizards (map import, layout import, schema plan, rollback)."""

from . import fsm_migration_plan_apply
from . import fsm_migration_rollback
from . import fsm_migration_map_import
from . import fsm_migration_layout_import
