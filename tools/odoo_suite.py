#!/usr/bin/env python3
"""Find (or prepare) real Odoo trees (18.0, 19.0), then test or demo the add-on on them.

Used by the Makefile; runs with any Python 3.10+ and only the standard library.

    python3 tools/odoo_suite.py test   # fresh databases, install, upgrade, tests, uninstall
    python3 tools/odoo_suite.py demo   # a demo database and a running Odoo on :8069
    python3 tools/odoo_suite.py where  # which Odoo and virtualenv would be used

Odoo 18.0 is looked for in ``$ODOO_SRC``, ``/opt/odoo``, ``~/odoo``, Odoo 19.0 in
``$ODOO19_SRC``, ``/opt/odoo19``, ``~/odoo19``; each tree's virtualenv is
``<odoo>/.venv`` (created with Odoo's requirements when missing). ``test`` runs on every
tree found (``--odoo 18|19`` for one); ``demo`` on the newest (or ``--odoo``). When no
Odoo source tree is found, ``test`` prints one line saying the Odoo layer was skipped
and exits 0 (the pure layer still ran); ``demo`` offers to clone upstream.
"""

import argparse
import sys

from suite import MODULE, OPTIONAL_APPS, REPO
from suite.demo import cmd_demo
from suite.env import addons_dir, ensure_venv, find_odoo, find_odoos, free_port, venv_python
from suite.runner import OdooRunner, cmd_pot, cmd_test
from suite.scale import compare_dumps
from suite.screenshots import cmd_screenshots

#: what ``import odoo_suite`` gives the benchmarks (bench/) and the tests (its parts: suite/)
__all__ = ["MODULE", "OPTIONAL_APPS", "REPO", "OdooRunner", "addons_dir", "compare_dumps",
           "ensure_venv", "find_odoo", "free_port", "main"]


def cmd_where(_args):
    found = find_odoos()
    if not found:
        print("odoo: not found")
    for series, odoo in found.items():
        state = "present" if venv_python(odoo).exists() else "to create"
        print(f"odoo {series}.0: {odoo}, python: {venv_python(odoo)} ({state})")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    test = sub.add_parser("test", help="run the Odoo layer of the test suite")
    test.add_argument("--tags", help="Odoo --test-tags for the module's tests "
                                     "(e.g. /field_service_migration:TestMigrationProject)")
    test.add_argument("--no-crm-suite", action="store_true", help="skip Odoo's own crm tests")
    test.add_argument("--keep", action="store_true", help="keep the test databases")
    test.add_argument("--quick", action="store_true", help="skip the scale-10 runs")
    test.add_argument("--logdir", help="where to write the Odoo logs")
    test.add_argument("--odoo", choices=["18", "19"],
                      help="test on this series only (default: every Odoo found)")
    demo = sub.add_parser("demo", help="create a demo database and serve Odoo")
    demo.add_argument("--odoo", choices=["18", "19"],
                      help="the Odoo series (default: the newest found)")
    demo.add_argument("--db", default="fsm_demo")
    demo.add_argument("--port", default=8069, type=int)
    demo.add_argument("--no-serve", action="store_true", help="prepare the database only")
    demo.add_argument("--browser", action="store_true",
                      help="connect and discover only: run the rest from the browser")
    shots = sub.add_parser("screenshots", help="the README's screenshots, in headless Chromium")
    shots.add_argument("--db", default="fsm_screenshots")
    shots.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    shots.add_argument("--keep", action="store_true", help="keep the database")
    sub.add_parser("pot", help="regenerate the translation template i18n/<module>.pot")
    sub.add_parser("where", help="say which Odoo would be used")
    args = parser.parse_args()
    return {"test": cmd_test, "demo": cmd_demo, "screenshots": cmd_screenshots,
            "pot": cmd_pot, "where": cmd_where}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
