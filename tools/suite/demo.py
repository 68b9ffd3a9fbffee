"""The ``demo`` command: the Dispatch emulator and an FST export migrated, then served."""

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from . import MODULE, OPTIONAL_APPS, REPO
from .env import addons_dir, ensure_postgres, ensure_venv, get_odoo_for_demo, say, wait_for_port
from .logs import failure_excerpt
from .runner import OdooRunner

DEMO_PROJECT = """
import os
env['ir.config_parameter'].set_param('field_service_migration.allow_loopback', 'True')
Project = env['fsm.migration.project']
name = os.environ.get('FSM_DEMO_NAME', 'Demo: Dispatch emulator')
project = Project.search([('name', '=', name)], limit=1)
vals = {'name': name, 'source_kind': 'dispatch',
        'source_url': os.environ['FSM_DEMO_URL'], 'client_id': 'demo-client',
        'client_secret_input': 'demo-secret'}
project = project or Project.create(vals)
project.write(vals)
project.fallback_user_id = env.ref('base.user_admin')
# the shell runs as OdooBot: the consultant in charge is the admin, as from the command line
project.user_id = env.ref('base.user_admin')
project.action_test_connection()
project.action_discover()
env.cr.commit()
print('DEMO_PROJECT_OK', project.id, project.object_count, project.source_field_count)
"""


def serve(args, py, odoo, runner, db):
    if args.no_serve:
        return 0
    say(f"Odoo on http://localhost:{args.port} (Ctrl-C to stop)")
    return subprocess.run(
        [str(py), str(odoo / "odoo-bin"), f"--addons-path={runner.addons_path}", "-d", db,
         f"--http-port={args.port}", f"--db-filter=^{db}$"], check=False).returncode


def demo_foreign_export(runner, db, migrate):
    """A foreign-shaped FST export (``emulators.fst_shapes``, the *excel_office* shape) in
    a second project: discovered (its layout waits for review) or, with ``migrate``,
    migrated with ``--confirm-map``; prints what was made of each file."""
    export = runner.logdir / "fst_foreign_export"
    subprocess.run([str(runner.py), "-m", "emulators.fst_shapes", "--out", str(export),
                    "--scale", "1", "--seed", "1", "--fixed", "excel_office"], cwd=REPO,
                   check=True, capture_output=True)
    report_path = runner.logdir / "demo_fst_report.json"
    flags = ["--source", "fst-bundle", "--path", str(export), "--allow-any-path",
             "--name", "Demo: FST export (foreign shape)", "--report", str(report_path)]
    verb = ["run", "--confirm-map", "--no-sample"] if migrate else ["discover"]
    rc, text, _took = runner.odoo_bin(
        f"--addons-path={runner.addons_path}", "fsm_migrate", verb[0], "-d", db, "--no-http",
        *verb[1:], *flags, log="demo_fst")
    if rc != 0 or not report_path.exists():
        return rc or 1, text
    report = json.loads(report_path.read_text())
    if migrate:
        say("demo migration of an FST export in a foreign shape (per object: source, "
            "created, updated, skipped, failed, blocked):")
        for obj, row in report.get("objects", {}).items():
            say(f"  {obj:<18} {row['source']:>5} {row['created']:>5} {row['updated']:>5} "
                f"{row['skipped']:>5} {row['failed']:>5} {row['blocked']:>5}")
    else:
        say(f"FST export in a foreign shape ({export}): project "
            f"'Demo: FST export (foreign shape)' waits at the Layout step:")
        for table in report.get("layout", {}).get("tables", []):
            say(f"  {table['table']:<40} {table['object'] or 'ignored':<18} "
                f"{round(table['confidence'] * 100):>3}%")
    return 0, text


def cmd_demo(args):
    odoo = get_odoo_for_demo(args.odoo)
    py = ensure_venv(odoo)
    ensure_postgres(py)
    runner = OdooRunner(odoo, py, addons_dir(), Path(tempfile.mkdtemp(prefix="fsm_demo_")))
    db = args.db
    started = time.monotonic()
    exists = subprocess.run([str(py), "-c", "import sys, psycopg2; c = psycopg2.connect("
                             "dbname='postgres').cursor(); c.execute('SELECT 1 FROM pg_database "
                             "WHERE datname = %s', (sys.argv[1],)); sys.exit(0 if c.fetchone() "
                             "else 1)", db]).returncode == 0
    mode = "-u" if exists else "-i"
    apps = MODULE if exists else ",".join([MODULE, *OPTIONAL_APPS])
    say(f"{'updating' if exists else 'creating'} database {db} (with demo data)")
    say(f"Odoo {runner.series}.0 at {odoo}")
    # demo data: 18.0 loads it by default, 19.0 only when asked
    demo = ["--with-demo"] if runner.series >= 19 and not exists else []
    rc, text, took = runner.odoo_bin(f"--addons-path={runner.addons_path}", "-d", db,
                                     "--no-http", "--stop-after-init", *demo, mode, apps,
                                     log="install")
    if rc != 0:
        print("\n".join(failure_excerpt(text)))
        return rc
    # the demo source: a local Dispatch emulator, running as long as the demo does
    emulator_port = args.port + 10
    emulator = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(py), "-m", "emulators.dispatch", "--port", str(emulator_port), "--scale", "1",
         "--seed", "1", "--client-id", "demo-client", "--client-secret", "demo-secret"],
        cwd=REPO, stdout=subprocess.DEVNULL)
    try:
        os.environ["FSM_DEMO_URL"] = f"http://127.0.0.1:{emulator_port}"
        os.environ["FSM_DEMO_NAME"] = ("Demo: in the browser" if args.browser
                                       else "Demo: Dispatch emulator")
        wait_for_port(emulator_port, emulator)
        rc, text, _took = runner.shell(db, DEMO_PROJECT, log="project")
        if "DEMO_PROJECT_OK" not in text:
            print("\n".join(failure_excerpt(text)))
            return 1
        project_id = text.split("DEMO_PROJECT_OK", 1)[1].split()[0]
        # the second source: an FST export in a foreign shape (the generator's), which
        # stops at the layout step in the browser demo and is migrated otherwise
        rc, text = demo_foreign_export(runner, db, migrate=not args.browser)
        if rc != 0:
            print("\n".join(failure_excerpt(text)))
            return 1
        if args.browser:
            say(f"database {db} ready in {time.monotonic() - started:.0f} s: the project "
                f"'{os.environ['FSM_DEMO_NAME']}' is connected to {os.environ['FSM_DEMO_URL']} "
                "and discovered; log in as admin / admin, open Migrations and follow the "
                "highlighted button of each step")
            return serve(args, py, odoo, runner, db)
        report_path = runner.logdir / "demo_report.json"
        rc, text, _took = runner.odoo_bin(
            f"--addons-path={runner.addons_path}", "fsm_migrate", "run", "-d", db,
            "--no-http", "--project", project_id, "--confirm-map", "--no-sample",
            "--report", str(report_path), log="demo_run")
        if rc != 0 or not report_path.exists():
            print("\n".join(failure_excerpt(text)))
            return 1
        report = json.loads(report_path.read_text())
        say("demo migration from the Dispatch emulator (per object: source, created, "
            "updated, skipped, failed, blocked):")
        for obj, row in report.get("objects", {}).items():
            say(f"  {obj:<18} {row['source']:>5} {row['created']:>5} {row['updated']:>5} "
                f"{row['skipped']:>5} {row['failed']:>5} {row['blocked']:>5}")
        say(f"full report: {report_path}")
        say(f"database {db} ready in {time.monotonic() - started:.0f} s, with the project "
            f"'Demo: Dispatch emulator' connected to {os.environ['FSM_DEMO_URL']}, "
            "discovered and migrated, and 'Demo: FST export (foreign shape)' migrated "
            "through its confirmed layout; log in as admin / admin")
        return serve(args, py, odoo, runner, db)
    except KeyboardInterrupt:
        return 0
    finally:
        emulator.terminate()
