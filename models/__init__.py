from . import fsm_migration_project
