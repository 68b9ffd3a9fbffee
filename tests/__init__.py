from . import test_project
from . import test_discovery
from . import test_map
from . import test_engine
from . import test_fingerprint
from . import test_ui
from . import test_issue_form
from . import test_views_help
