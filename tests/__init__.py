from . import test_project
from . import test_discovery
