from . import fsm_migrate
