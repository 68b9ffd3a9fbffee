from . import fsm_migration_project
from . import fsm_migration_object
from . import fsm_migration_field
