"""The module's models: the project and its pipeline records (one role per file)."""

from . import fsm_migration_guard
from . import fsm_migration_map_line
from . import fsm_migration_layout
from . import fsm_migration_project
from . import fsm_migration_project_source
from . import fsm_migration_project_discovery
from . import fsm_migration_project_runs
from . import fsm_migration_project_path
from . import fsm_migration_object
from . import fsm_migration_field
from . import fsm_migration_journal
from . import fsm_migration_map
from . import fsm_migration_map_object
from . import fsm_migration_map_field
from . import fsm_migration_map_value
from . import fsm_migration_map_user
from . import fsm_migration_binding
from . import fsm_migration_batch
from . import fsm_migration_run
from . import fsm_migration_run_progress
from . import fsm_migration_run_rollback
from . import fsm_migration_run_verify
from . import fsm_migration_issue
from . import fsm_migration_diff
from . import fsm_migration_reconciliation
from . import fsm_migration_throughput
