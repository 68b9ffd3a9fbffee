from . import fsm_migration_plan_apply
