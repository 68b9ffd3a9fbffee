"""``OdooRunner`` (every step of the Odoo layer) and the ``test`` and ``pot`` commands."""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import MODULE, OPTIONAL_APPS, REPO
from .browser import ensure_chromium
from .cli_steps import CliSteps
from .env import (
    addons_dir,
    ensure_postgres,
    ensure_pytest_odoo,
    ensure_venv,
    find_odoo,
    find_odoos,
    pg_ready,
    say,
)
from .logs import failure_excerpt, module_warnings, pot_msgids, strip_hidden
from .process import OdooProcess
from .scale import ScaleSteps


class OdooRunner(OdooProcess, CliSteps, ScaleSteps):
    """Odoo's processes and the steps the suite runs with them."""


UNINSTALL_REINSTALL = f"""
mod = env['ir.module.module'].search([('name', '=', '{MODULE}')])
mod.button_immediate_uninstall()
env.invalidate_all()
assert mod.state == 'uninstalled', mod.state
assert 'fsm.migration.project' not in env.registry, 'model left after uninstall'
env.cr.execute("SELECT 1 FROM pg_tables WHERE tablename = 'fsm_migration_project'")
assert not env.cr.fetchone(), 'table left after uninstall'
print('UNINSTALL_OK')
mod.button_immediate_install()
env.invalidate_all()
assert mod.state == 'installed', mod.state
print('REINSTALL_OK')
env.cr.commit()
"""


def cmd_pot(_args):
    """Regenerate i18n/<module>.pot with Odoo's export, from a scratch database."""
    odoo = find_odoo(POT_SERIES)  # the committed template is 18.0's export
    if not odoo:
        sys.exit("no Odoo 18 source tree")
    py = ensure_venv(odoo)
    ensure_postgres(py)
    runner = OdooRunner(odoo, py, addons_dir(), Path(tempfile.mkdtemp(prefix="fsm_pot_")))
    db = f"fsm_pot_{os.getpid()}"
    try:
        runner.createdb_clean(db)
        rc, text, _took = runner.server(db, "-i", MODULE, log="install")
        if rc == 0:
            target = REPO / "i18n" / f"{MODULE}.pot"
            rc, text, _took = runner.export_pot(db, target)
            problems = module_warnings(text)
            for line in problems[:20]:
                say(f"     module log line: {line}")
            rc = rc or (1 if problems else 0)
            if rc == 0:
                target.write_text(strip_hidden(target.read_text()))
                say(f"{target}: {len(pot_msgids(target.read_text()))} terms")
        if rc:
            print("\n".join(failure_excerpt(text)))
        return rc
    finally:
        runner.createdb_clean(db)
        shutil.rmtree(runner.extra, ignore_errors=True)


#: the steps that run on the oldest series only (their code does not depend on the series,
#: or a series-dependent part of it is covered by a step that runs on every series): the
#: rest of the layer runs on every Odoo found. README, "Which steps run on which Odoo".
OLDEST_ONLY = {"shape", "scale_crm"}
#: the committed translation template is 18.0's export (19.0's labels a few of Odoo's own
#: fields differently, e.g. res.users' groups): checked on 18.0 only
POT_SERIES = 18


def cmd_test(args):
    trees = find_odoos()
    if args.odoo:
        trees = {series: tree for series, tree in trees.items() if series == int(args.odoo)}
    if not trees:
        wanted = f"Odoo {args.odoo}.0" if args.odoo else "Odoo 18.0 or 19.0"
        print(f"Odoo layer SKIPPED: no {wanted} source tree in $ODOO_SRC, /opt/odoo, ~/odoo, "
              "$ODOO19_SRC, /opt/odoo19 or ~/odoo19 (see README: make demo fetches one); "
              "only the pure tests ran.")
        return 0
    pys = {series: ensure_venv(tree) for series, tree in trees.items()}
    for series, tree in trees.items():
        ensure_pytest_odoo(pys[series], tree)
    missing_browser = ensure_chromium()
    if missing_browser:
        say(missing_browser)
        return 1
    if not pg_ready(next(iter(pys.values()))):
        say("PostgreSQL does not answer on the local socket as the current user. Start it "
            "(e.g. sudo pg_ctlcluster 15 main start) and create a role for this user "
            "(sudo -u postgres createuser -s $USER), then run make test again.")
        return 1
    logdir = Path(args.logdir or tempfile.mkdtemp(prefix="fsm_test_logs_"))
    started, results = time.monotonic(), []
    oldest = min(trees)
    for series, tree in trees.items():
        runner = OdooRunner(tree, pys[series], addons_dir(), logdir / f"odoo{series}")
        runner.logdir.mkdir(parents=True, exist_ok=True)
        skip = set() if series == oldest else set(OLDEST_ONLY)
        if series != POT_SERIES:
            skip.add("pot")
        say(f"Odoo {series}.0 at {tree}, logs in {runner.logdir}"
            + (f" (not run here: {', '.join(sorted(skip))})" if skip else ""))
        test_series(runner, args, skip)
        results.extend((f"{series}.0: {r[0]}", *r[1:]) for r in runner.results)
    total_tests = sum(r[2] for r in results)
    failed_steps = [r[0] for r in results if not r[1]]
    say(f"Odoo layer ({', '.join(f'{s}.0' for s in trees)}): "
        f"{len(results) - len(failed_steps)}/{len(results)} steps ok, "
        f"{total_tests} Odoo tests run, {time.monotonic() - started:.0f} s")
    for name in failed_steps:
        say(f"FAILED: {name}")
    failed = sum(r[3] for r in results)
    print(f"odoo: {total_tests - failed} passed, {failed} failed")
    return 1 if failed_steps else 0


def test_series(runner, args, skip):
    """The Odoo layer on one tree: two fresh databases (all apps, crm only), the steps
    not in ``skip``."""
    tag = f"{runner.series}_{os.getpid()}"
    full_db, crm_db = f"fsm_test_full_{tag}", f"fsm_test_crm_{tag}"
    ours = args.tags or f"/{MODULE}"
    try:
        for db in (full_db, crm_db):
            runner.createdb_clean(db)
        apps = ",".join([MODULE, *OPTIONAL_APPS])
        runner.step("install with the optional apps",
                    *runner.server(full_db, "-i", apps, log="1_install_full"))
        runner.step("upgrade (-u) and the module's tests, all apps",
                    *runner.server(full_db, "-u", MODULE, "--test-enable", f"--test-tags={ours}",
                                   log="2_upgrade_tests_full"), expect_tests=True)
        runner.step("command line: fsm_migrate discover on an FST bundle",
                    *runner.cli_discover(full_db))
        runner.step("command line: fsm_migrate run on an FST bundle, twice",
                    *runner.cli_run(full_db))
        if "shape" not in skip:
            runner.step("command line: a foreign-shaped FST export (layout step, --confirm-map)",
                        *runner.cli_shape(full_db))
        if "workers" not in skip:
            runner.step("command line: two workers on one run; a killed worker resumed",
                        *runner.cli_workers(full_db))
        if not args.quick:
            runner.step("scale 10, all apps: FST bundle, FST REST and Dispatch emulators, twice",
                        *runner.cli_scale(full_db, 10))
        rc, text, took = runner.shell(full_db, UNINSTALL_REINSTALL, log="3_uninstall_reinstall")
        ok = "UNINSTALL_OK" in text and "REINSTALL_OK" in text
        runner.step("uninstall then reinstall, all apps", 0 if ok else (rc or 1), text, took)
        runner.step("install with crm only",
                    *runner.server(crm_db, "-i", MODULE, log="4_install_crm"))
        if "pot" not in skip:
            runner.step("translation template i18n/field_service_migration.pot is current",
                        *runner.check_pot(crm_db))
        crm_tags = ours if args.no_crm_suite else f"{ours},/crm"
        if not args.tags:  # the browser tours ran in the all-apps database already
            crm_tags += f",-/{MODULE}:TestMigrationTours"
        runner.step("upgrade crm and the module with crm's and the module's tests, crm only",
                    *runner.server(crm_db, "-u", f"crm,{MODULE}", "--test-enable",
                                   f"--test-tags={crm_tags}", log="5_tests_crm"),
                    expect_tests=True)
        if not args.tags:
            runner.step(f"pytest-odoo: pytest --odoo-database on {PYTEST_ODOO_FILE}, crm only",
                        *runner.pytest_odoo(crm_db, PYTEST_ODOO_FILE), expect_tests=True)
        # after Odoo's crm suite, which expects a database without thousands of leads
        if not args.quick and "scale_crm" not in skip:
            runner.step("scale 10, crm only: FST bundle, FST REST and Dispatch emulators, twice",
                        *runner.cli_scale(crm_db, 10))
    finally:
        if not args.keep:
            for db in (full_db, crm_db):
                runner.createdb_clean(db)
            shutil.rmtree(runner.extra, ignore_errors=True)


#: the test file ``make test`` also runs through pytest-odoo, as OCA developers do
PYTEST_ODOO_FILE = "tests/test_security.py"
