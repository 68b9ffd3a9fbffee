"""The ``screenshots`` command: the README's pictures of a migrated database, headless Chromium."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import MODULE, REPO
from .browser import ensure_chromium
from .demo import DEMO_PROJECT, demo_foreign_export
from .env import addons_dir, ensure_postgres, ensure_venv, find_odoo, free_port, say, wait_for_port
from .logs import failure_excerpt
from .runner import OdooRunner

SHOTS_PROJECT = DEMO_PROJECT.replace("print('DEMO_PROJECT_OK'", "print('DISCOVERED'") + """
import json
project.sample_size = 60
project.action_propose_map()
project.map_id.action_confirm()
env['fsm.migration.plan.apply'].with_context(active_id=project.id).create({}).action_apply()
project.action_run_sample()
project.action_approve_sample()
full = project._start_run('full')
full.run_until_done()
env.cr.commit()
issue = env['fsm.migration.issue'].search([('run_id', '=', full.id)], limit=1)
# a second project, at an earlier step, so that the dashboard shows the pipeline
other = Project.create(dict(vals, name='Dispatch, second region', user_id=project.user_id.id))
other.fallback_user_id = env.ref('base.user_admin')
other.action_test_connection()
other.action_discover()
other.action_propose_map()  # a draft map to review: the map screenshot
env.cr.commit()
print('SHOTS_OK ' + json.dumps({'project': project.id, 'map': other.map_id.id,
                                'run': full.id, 'issue': issue.id}))
"""

#: name, path, what to wait for, what to do before the shot, optionally the page size
#: (see tools/screenshots.py)
SHOTS = [
    ("dashboard", "/odoo/action-{act}project_action", ".o_kanban_record .o_progressbar", ""),
    ("project_form", "/odoo/action-{act}project_action/{project}", ".o_fsm_run_progress", ""),
    ("map", "/odoo/action-{act}map_action/{map}",
     ".o_field_widget[name=field_line_ids] .o_data_row", ""),
    ("diff", "/odoo/action-{act}diff_action", ".o_group_header",
     "[...document.querySelectorAll('.o_group_header')].find("
     "(e) => e.textContent.includes('Transformed'))?.click()"),
    ("run_progress", "/odoo/action-{act}run_action/{run}", ".o_fsm_object_progress", ""),
    ("failed_record", "/odoo/action-{act}issue_action/{issue}", ".o_fsm_issue_advice", ""),
    ("dictionary", "/odoo/action-{act}project_action/{project}", ".oe_stat_button, .o_group_header",
     "(async () => { const until = async (sel) => { for (let i = 0; i < 150 && "
     "!document.querySelector(sel); i++) await new Promise((r) => setTimeout(r, 200)); }; "
     "document.querySelectorAll('button[name=action_open_data_dictionary]')[1]?.click(); "
     "await until('.o_list_view .o_group_header'); "
     "document.querySelector('.o_group_header').click(); "
     "await until('.o_list_view .o_data_row'); })()"),
    ("layout", "/odoo/action-{act}project_action/{fst_project}/fsm.migration.layout/{layout}",
     ".o_field_widget[name=table_ids] .o_data_row", "", "1400x1300"),
]

#: the foreign-shaped FST export's project (made by ``demo_foreign_export``) and its layout
SHOTS_LAYOUT = """
import json
project = env['fsm.migration.project'].search(
    [('name', '=', 'Demo: FST export (foreign shape)')], limit=1)
print('SHOTS_LAYOUT ' + json.dumps({'fst_project': project.id, 'layout': project.layout_id.id}))
"""


def cmd_screenshots(args):
    """The README's screenshots, from the real pages: a fresh database, the Dispatch
    emulator migrated through sample and full run, Odoo served, headless Chromium."""
    odoo = find_odoo(18)  # the README's pictures are 18.0's pages
    if not odoo:
        sys.exit("no Odoo 18 source tree (see README: make demo fetches one)")
    py = ensure_venv(odoo)
    missing = ensure_chromium()
    if missing:
        sys.exit(missing)
    ensure_postgres(py)
    runner = OdooRunner(odoo, py, addons_dir(), Path(tempfile.mkdtemp(prefix="fsm_shots_")))
    db, out = args.db, Path(args.out).resolve()
    runner.createdb_clean(db)
    say(f"creating database {db} (crm and this module)")
    rc, text, _took = runner.odoo_bin(f"--addons-path={runner.addons_path}", "-d", db,
                                      "--no-http", "--stop-after-init", "-i", MODULE,
                                      "--without-demo=all", log="install")
    if rc:
        print("\n".join(failure_excerpt(text)))
        return rc
    emulator_port, http_port = free_port(), free_port()
    emulator = subprocess.Popen(  # pylint: disable=consider-using-with
        [str(py), "-m", "emulators.dispatch", "--port", str(emulator_port), "--scale", "0.5",
         "--seed", "1", "--client-id", "demo-client", "--client-secret", "demo-secret"],
        cwd=REPO, stdout=subprocess.DEVNULL)
    server = None
    try:
        os.environ["FSM_DEMO_URL"] = f"http://127.0.0.1:{emulator_port}"
        wait_for_port(emulator_port, emulator)
        rc, text, _took = runner.shell(db, SHOTS_PROJECT, log="project")
        if "SHOTS_OK" not in text:
            print("\n".join(failure_excerpt(text)))
            return 1
        ids = json.loads(text.split("SHOTS_OK", 1)[1].splitlines()[0])
        # the layout step: a foreign-shaped FST export, discovered, its layout not confirmed
        rc, text = demo_foreign_export(runner, db, migrate=False)
        if rc != 0:
            print("\n".join(failure_excerpt(text)))
            return 1
        rc, text, _took = runner.shell(db, SHOTS_LAYOUT, log="layout")
        ids.update(json.loads(text.split("SHOTS_LAYOUT", 1)[1].splitlines()[0]))
        server_log = runner.logdir / "server.log"
        say(f"serving {db} on port {http_port} (log: {server_log})")
        with open(server_log, "w") as log:
            server = subprocess.Popen(  # pylint: disable=consider-using-with
                [str(py), str(odoo / "odoo-bin"), f"--addons-path={runner.addons_path}", "-d",
                 db, f"--http-port={http_port}", f"--db-filter=^{db}$",
                 "--max-cron-threads=0"], cwd=odoo, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(http_port, server)
        shots = [f"{name}={path.format(act=MODULE + '.fsm_migration_', **ids)}|{ready}|{js}"
                 + "".join(f"|{s}" for s in size)
                 for name, path, ready, js, *size in SHOTS
                 if ids.get("issue") or "{issue}" not in path]
        rc = subprocess.run([str(py), str(REPO / "tools" / "screenshots.py"), "--url",
                             f"http://127.0.0.1:{http_port}", "--db", db, "--out", str(out),
                             *[arg for shot in shots for arg in ("--shot", shot)]],
                            check=False).returncode
        say(f"screenshots in {out}" if rc == 0 else "screenshots failed")
        return rc
    finally:
        if server:
            server.terminate()
            server.wait(30)
        emulator.terminate()
        if not args.keep:
            runner.createdb_clean(db)
        shutil.rmtree(runner.extra, ignore_errors=True)
