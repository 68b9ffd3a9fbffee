#!/usr/bin/env python3
"""Find (or prepare) a real Odoo 18, then test or demo the add-on on it.

Used by the Makefile; runs with any Python 3.10+ and only the standard library.

    python3 tools/odoo_suite.py test   # fresh databases, install, upgrade, tests, uninstall
    python3 tools/odoo_suite.py demo   # a demo database and a running Odoo on :8069
    python3 tools/odoo_suite.py where  # which Odoo and virtualenv would be used

Odoo is looked for in ``$ODOO_SRC``, then ``/opt/odoo``, then ``~/odoo``; its
virtualenv is ``<odoo>/.venv`` (created with Odoo's requirements when missing). When
no Odoo source tree is found, ``test`` prints one line saying the Odoo layer was
skipped and exits 0 (the pure layer still ran); ``demo`` offers to clone upstream.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MODULE = "field_service_migration"
REPO = Path(__file__).resolve().parent.parent
UPSTREAM = "https://github.com/odoo/odoo.git"
CANDIDATES = [os.environ.get("ODOO_SRC"), "/opt/odoo", str(Path.home() / "odoo")]
OPTIONAL_APPS = ["sale_management", "sale_crm", "account", "stock", "calendar", "hr",
                 "hr_skills", "project", "base_geolocalize"]
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>WARNING|ERROR|CRITICAL) "
    r"\S+ (?P<logger>[\w.]+): (?P<msg>.*)$")
RESULT_LINE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def say(msg):
    print(f"[odoo-suite] {msg}", flush=True)


def find_odoo():
    for cand in CANDIDATES:
        if not cand:
            continue
        path = Path(cand).expanduser()
        release = path / "odoo" / "release.py"
        if (path / "odoo-bin").is_file() and release.is_file():
            if "version_info = (18, 0" in release.read_text():
                return path
            say(f"{path} holds an Odoo that is not 18.0: ignored")
    return None


def venv_python(odoo):
    return odoo / ".venv" / "bin" / "python"


def ensure_venv(odoo):
    """Create ``<odoo>/.venv`` with Odoo's requirements the first time (minutes)."""
    py = venv_python(odoo)
    if py.exists() and subprocess.run([str(py), "-c", "import odoo,psycopg2,phonenumbers,markdown"],
                                      cwd=odoo, capture_output=True).returncode == 0:
        ensure_websocket(py, odoo)
        return py
    say(f"creating the Odoo virtualenv in {odoo / '.venv'} (first time only, a few minutes)")
    missing = [pkg for pkg in ("libpq-dev", "libldap2-dev", "libsasl2-dev")
               if subprocess.run(["dpkg", "-s", pkg], capture_output=True).returncode != 0]
    if missing:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True)
        else:
            sys.exit(f"Odoo's requirements need: sudo apt-get install {' '.join(missing)}")
    subprocess.run([sys.executable, "-m", "venv", str(odoo / ".venv")], check=True)
    pip = [str(py), "-m", "pip", "install", "-q"]
    # Odoo's pinned cbor2 builds only with setuptools < 81 (no pkg_resources after) and
    # needs setuptools_scm in the same environment when build isolation is off.
    subprocess.run([*pip, "setuptools<81", "setuptools_scm<8", "wheel", "Cython"], check=True)
    subprocess.run([*pip, "--no-build-isolation", "-r", str(odoo / "requirements.txt"),
                    # missing from Odoo's requirements, crm's tests need it
                    "phonenumbers"], check=True)
    subprocess.run([*pip, "-r", str(REPO / "requirements.txt")], check=True)
    ensure_websocket(py, odoo)
    return py


def ensure_websocket(py, odoo):
    """Odoo drives Chromium through websocket-client (the tours), which its requirements
    do not list: without it the browser tests would be skipped."""
    if subprocess.run([str(py), "-c", "import websocket"], cwd=odoo,
                      capture_output=True).returncode != 0:
        say("installing websocket-client into the Odoo virtualenv (Odoo's browser tests)")
        subprocess.run([str(py), "-m", "pip", "install", "-q", "websocket-client"], check=True)


BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


def ensure_chromium():
    """The tours run in headless Chromium: Debian's package, installed when missing (as
    root), never downloaded from elsewhere. Returns an error message, or None."""
    if any(shutil.which(name) for name in BROWSERS):
        return None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Chromium from the Debian packages (the browser tours need it)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "chromium", "fonts-dejavu-core"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        if any(shutil.which(name) for name in BROWSERS):
            return None
    return ("no Chromium for the browser tours: run `sudo apt-get install chromium`, "
            "then make test again")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_ready(py):
    probe = "import psycopg2; psycopg2.connect(dbname='postgres').close()"
    return subprocess.run([str(py), "-c", probe], capture_output=True).returncode == 0


def addons_dir():
    """A folder holding a link named after the module to this checkout, whatever its name."""
    tmp = Path(tempfile.mkdtemp(prefix="fsm_addons_"))
    (tmp / MODULE).symlink_to(REPO)
    return tmp


class OdooRunner:
    def __init__(self, odoo, py, extra_addons, logdir):
        self.odoo, self.py, self.extra, self.logdir = odoo, py, extra_addons, logdir
        self.addons_path = f"{odoo / 'addons'},{extra_addons}"
        self.results = []

    def odoo_bin(self, *args, log, stdin=None):
        cmd = [str(self.py), str(self.odoo / "odoo-bin"), *args]
        logfile = self.logdir / f"{log}.log"
        started = time.monotonic()
        with open(logfile, "w") as out:
            proc = subprocess.run(cmd, cwd=self.odoo, stdout=out, stderr=subprocess.STDOUT,
                                  input=stdin, text=True)
        took = time.monotonic() - started
        return proc.returncode, logfile.read_text(errors="replace"), took

    def server(self, db, *args, log):
        # tests start the HTTP server even with --no-http: give it a free port, so that a
        # running Odoo (or another suite) on 8069 does not make the run fail
        return self.odoo_bin(f"--addons-path={self.addons_path}", "-d", db, "--no-http",
                             f"--http-port={free_port()}", "--stop-after-init",
                             "--without-demo=all", *args, log=log)

    def step(self, name, rc, text, took, expect_tests=False):
        problems = module_warnings(text)
        counts = RESULT_LINE.findall(text)
        failed = sum(int(f) + int(e) for f, e, _t in counts)
        ran = sum(int(t) for _f, _e, t in counts)
        ok = rc == 0 and not problems and failed == 0 and (ran > 0 or not expect_tests)
        tests = f", {ran} tests, {failed} failed" if expect_tests else ""
        say(f"{'ok  ' if ok else 'FAIL'} {name} ({took:.0f} s{tests})")
        for line in problems[:20]:
            say(f"     module log line: {line}")
        if not ok:
            for line in failure_excerpt(text):
                say(f"     {line}")
        self.results.append((name, ok, ran, failed))
        return ok

    def shell(self, db, code, log):
        return self.odoo_bin("shell", f"--addons-path={self.addons_path}", "-d", db,
                             "--no-http", log=log, stdin=code)

    def cli_discover(self, db):
        """``odoo-bin fsm-migrate discover`` on a generated bundle; its JSON report must
        count exactly what the generator wrote."""
        bundle = self.logdir / "cli_bundle"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", "1", "--seed", "3"], cwd=REPO, check=True,
                       capture_output=True)
        truth = json.loads(subprocess.run(
            [str(self.py), "-c", "import json; from emulators.fst_data import generate; "
             "print(json.dumps(generate(1, 3).truth()['counts']))"],
            cwd=REPO, check=True, capture_output=True, text=True).stdout)
        report_path = self.logdir / "cli_discover.json"
        rc, text, _took = self.odoo_bin(
            f"--addons-path={self.addons_path}", "fsm-migrate", "discover", "-d", db,
            "--no-http", "--source", "fst-bundle", "--path", str(bundle), "--allow-any-path",
            "--report", str(report_path), log="cli_discover")
        if rc == 0:
            report = json.loads(report_path.read_text())
            counts = {o["object"]: o["records"] for o in report["objects"]}
            if counts != truth:
                text += f"\nERROR report counts {counts} != generator {truth}"
                rc = 1
        return rc, text, time.monotonic() - started

    def cli_run(self, db):
        """``odoo-bin fsm-migrate run`` on a generated bundle, then the same command again
        (same flags, no ``--project``), then ``rollback``: the report must account for
        every source record, the second command must reuse the project and write nothing,
        the rollback must remove what the first wrote."""
        bundle = self.logdir / "cli_run_bundle"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", "0.5", "--seed", "4"], cwd=REPO, check=True,
                       capture_output=True)
        texts, reports = [], []
        flags = ["--name", "CLI run", "--source", "fst-bundle", "--path", str(bundle),
                 "--allow-any-path", "--confirm-map", "--no-sample"]
        for attempt in (1, 2):
            report_path = self.logdir / f"cli_run_{attempt}.json"
            rc, text, _took = self.odoo_bin(
                f"--addons-path={self.addons_path}", "fsm-migrate", "run", "-d", db,
                "--no-http", *flags, "--report", str(report_path), log=f"cli_run_{attempt}")
            texts.append(text)
            if rc != 0:
                return rc, "\n".join(texts), time.monotonic() - started
            reports.append(json.loads(report_path.read_text()))
            # the same command again, same flags and no --project: the same project
        problems = [f"{obj}: {row}" for obj, row in reports[0]["objects"].items()
                    if row["source"] != sum(row[k] for k in ("created", "updated", "skipped",
                                                             "failed", "blocked"))]
        written_again = sum(row["created"] + row["updated"]
                            for row in reports[1]["objects"].values())
        if written_again:
            problems.append(f"the second run wrote {written_again} records")
        if reports[1]["project_id"] != reports[0]["project_id"] or not reports[1].get(
                "project_note"):
            problems.append(f"the same command made project {reports[1]['project_id']} "
                            f"besides {reports[0]['project_id']} (one source, one project)")
        flags = ["--project", str(reports[0]["project_id"])]
        report_path = self.logdir / "cli_rollback.json"
        rc, text, _took = self.odoo_bin(
            f"--addons-path={self.addons_path}", "fsm-migrate", "rollback", "-d", db,
            "--no-http", *flags, "--report", str(report_path), log="cli_rollback")
        texts.append(text)
        rollback = json.loads(report_path.read_text()) if rc == 0 else {}
        if rollback.get("state") != "rolled_back" or not rollback.get("removed"):
            problems.append(f"rollback removed {rollback.get('removed')} records (state "
                            f"{rollback.get('state')})")
        text = "\n".join(texts)
        for problem in problems:
            text += f"\nERROR fsm-migrate run: {problem}"
        return (1 if problems else 0), text, time.monotonic() - started

    def cli_shape(self, db, shape="legacy_cp1252"):
        """A foreign-shaped FST export (``emulators.fst_shapes``): ``discover`` proposes a
        layout to review, ``run`` without ``--confirm-map`` stops and says what to review,
        ``layout --export`` then ``--import`` round-trips it, ``run --confirm-map`` confirms
        layout and map and migrates: every object balances, none failed, 0 fields read back
        different."""
        export = self.logdir / f"cli_shape_{shape}"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_shapes", "--out", str(export),
                        "--scale", "0.3", "--seed", "6", "--fixed", shape], cwd=REPO,
                       check=True, capture_output=True)
        texts, problems = [], []

        def cli(verb, *flags, expect_ok=True):
            path = self.logdir / f"cli_shape_{verb}_{len(texts)}.json"
            rc, text, _took = self.odoo_bin(
                f"--addons-path={self.addons_path}", "fsm-migrate", verb, "-d", db,
                "--no-http", *flags, "--report", str(path), log=f"cli_shape_{len(texts)}")
            texts.append(text)
            report = json.loads(path.read_text()) if path.exists() else {}
            if bool(report.get("ok")) != expect_ok:
                problems.append(f"{verb} {' '.join(flags)}: ok={report.get('ok')} "
                                f"{report.get('error', '')[:300]}")
            return report
        source = ["--source", "fst-bundle", "--path", str(export), "--allow-any-path",
                  "--new-project", "--name", f"CLI shape {shape}"]
        found = cli("discover", *source)
        layout = found.get("layout") or {}
        if layout.get("state") != "draft" or not layout.get("tables"):
            problems.append(f"discover: layout {layout.get('state')} with "
                            f"{len(layout.get('tables') or [])} tables (a draft expected)")
        project = ["--project", str(found.get("project_id"))]
        stopped = cli("run", *project, "--no-sample", expect_ok=False)
        if "Layout v" not in stopped.get("error", ""):
            problems.append("run without --confirm-map did not stop at the layout")
        exported = self.logdir / "cli_shape_layout.json"
        cli("layout", *project, "--export", str(exported))
        again = cli("layout", *project, "--import", str(exported))
        if (again.get("layout") or {}).get("version") != layout.get("version", 0) + 1:
            problems.append("layout --import did not make the next draft version")
        ran = cli("run", *project, "--confirm-map", "--no-sample")
        for obj, row in (ran.get("objects") or {}).items():
            if row["source"] != sum(row[k] for k in ("created", "updated", "skipped",
                                                     "failed", "blocked")):
                problems.append(f"{obj} does not balance: {row}")
            if row["failed"]:
                problems.append(f"{obj}: {row['failed']} failed")
        verified = ran.get("verified_fields") or {}
        if verified.get("different") or verified.get("missing"):
            problems.append(f"verification: {verified}")
        text = "\n".join(texts)
        for problem in problems:
            text += f"\nERROR fsm-migrate on a foreign shape: {problem}"
        return (1 if problems else 0), text, time.monotonic() - started

    def _secret_file(self, secret):
        """A file holding ``secret`` (secrets never go on a command line, where `ps` shows
        them)."""
        path = self.logdir / f"secret_{secret}"
        path.write_text(secret + "\n")
        path.chmod(0o600)
        return str(path)

    def _cli(self, db, *args, log):
        return self.odoo_bin(f"--addons-path={self.addons_path}", "fsm-migrate", *args, "-d",
                             db, "--no-http", log=log)

    def _spawn_worker(self, db, run_id, log):
        cmd = [str(self.py), str(self.odoo / "odoo-bin"), f"--addons-path={self.addons_path}",
               "fsm-migrate", "work", "-d", db, "--no-http", "--run", str(run_id),
               "--allow-any-path"]
        out = open(self.logdir / f"{log}.log", "w")  # closed by the caller
        return subprocess.Popen(cmd, cwd=self.odoo, stdout=out, stderr=subprocess.STDOUT), out

    def cli_workers(self, db):
        """One bundle, three projects: written by one worker; by two workers at once; by
        a worker killed mid-run then resumed. The three reports must be identical."""
        bundle = self.logdir / "workers_bundle"
        started = time.monotonic()
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", "1", "--seed", "9"], cwd=REPO, check=True,
                       capture_output=True)
        reports, texts = {}, []

        def stage(name):
            path = self.logdir / f"stage_{name}.json"
            # each project its own copy of the bundle: one source is one project (the same
            # location would be reused, and a second project binds to the first's records)
            copy = self.logdir / f"workers_bundle_{name.replace(' ', '_')}"
            shutil.copytree(bundle, copy)
            rc, text, _t = self._cli(db, "run", "--name", name, "--source", "fst-bundle",
                                     "--path", str(copy), "--allow-any-path", "--confirm-map",
                                     "--no-sample", "--stage-only", "--batch-size", "60",
                                     "--report", str(path),
                                     log=f"stage_{name}")
            texts.append(text)
            if rc:
                raise RuntimeError(f"staging {name} failed")
            return json.loads(path.read_text())

        def finish(name, staged, verb="work"):
            """``work --run`` (reports a run other workers finished), or ``run --project``
            (resumes the project's interrupted run)."""
            path = self.logdir / f"final_{name}.json"
            target = ["--run", str(staged["run_id"])] if verb == "work" else [
                "--project", str(staged["project_id"])]
            rc, text, _t = self._cli(db, verb, *target, "--allow-any-path", "--report",
                                     str(path), log=f"final_{name}")
            texts.append(text)
            if rc:
                raise RuntimeError(f"finishing {name} failed")
            return json.loads(path.read_text())

        try:
            one = stage("one worker")
            reports["one worker"] = finish("one worker", one)
            two = stage("two workers")
            workers = [self._spawn_worker(db, two["run_id"], f"worker_{i}") for i in (1, 2)]
            for proc, out in workers:
                proc.wait(600)
                out.close()
            reports["two workers"] = finish("two workers", two)
            killed = stage("killed worker")
            proc, out = self._spawn_worker(db, killed["run_id"], "worker_killed")
            log = self.logdir / "worker_killed.log"
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if log.read_text(errors="replace").count("records/s") >= 3:
                    break  # some batches are committed, the next is being written
                time.sleep(0.1)
            proc.kill()
            proc.wait(30)
            out.close()
            reports["killed, resumed"] = finish("killed worker", killed, verb="run")
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            return 1, "\n".join(texts) + f"\nERROR {exc}", time.monotonic() - started

        def outcome(report):
            # the three projects share one database: what the first created (users'
            # employees, service products) the next ones find and bind, so "written"
            # merges created, updated and skipped; failed and blocked must match exactly
            return {obj: {"source": row["source"], "failed": row["failed"],
                          "blocked": row["blocked"],
                          "written": row["created"] + row["updated"] + row["skipped"]}
                    for obj, row in report["objects"].items()}
        names = list(reports)
        rc, text, _t = self.shell(db, f"PROJECTS = {[reports[n]['project_id'] for n in names]}"
                                  + PROJECT_DUMP, log="workers_dump")
        line = next((x for x in text.splitlines() if x.startswith("DUMP ")), None)
        if rc or line is None:
            return 1, "\n".join(texts) + "\n" + text + "\nERROR workers: no field dump", \
                time.monotonic() - started
        dumps = list(json.loads(line[5:]).values())
        fields_compared = sum(len(v) for v in dumps[0].values() if isinstance(v, dict))
        say(f"     workers: {len(dumps[0])} records, {fields_compared} fields compared "
            "(two workers vs killed-then-resumed; the first project by its counts)")
        reference = outcome(reports["one worker"])
        problems = [f"{name}: {outcome(report)} != {reference}"
                    for name, report in reports.items() if outcome(report) != reference]
        problems += [f"{name}: {report['state']}" for name, report in reports.items()
                     if report["state"] != "done"]
        # field by field: the two workers' project against the killed-then-resumed one.
        # The first project of the database is compared by its counts only: it is planned
        # before the others exist, so its map may differ (it creates the stages and users
        # the later ones then find), which is the planning, not the writing
        problems += compare_dumps(dumps[1:], names[1:])
        if not fields_compared:
            problems.append("no field was compared")
        text = "\n".join(texts) + "".join(f"\nERROR workers: {p}" for p in problems)
        return (1 if problems else 0), text, time.monotonic() - started

    def cli_scale(self, db, scale):
        """``fsm-migrate run`` of a scale-``scale`` FST bundle, FST REST emulator and
        Dispatch emulator, and of a Dispatch account shaped otherwise (an endpoint its plan
        gates, 20% of the optional fields absent, an empty object, 2% malformed values):
        every object balances, every written field reads back as the map expects, a
        record fails only for a malformed value of its own, and the same command run
        again reuses the project and writes nothing."""
        started = time.monotonic()
        bundle = self.logdir / f"scale_{db}"
        subprocess.run([str(self.py), "-m", "emulators.fst_bundle", "--out", str(bundle),
                        "--scale", str(scale), "--seed", "10"], cwd=REPO, check=True,
                       capture_output=True)
        port = free_port()
        emulator = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.py), "-m", "emulators.dispatch", "--port", str(port), "--scale",
             str(scale), "--seed", "10", "--client-id", "ci", "--client-secret", "ci-secret"],
            cwd=REPO, stdout=subprocess.DEVNULL)
        odd_port = free_port()
        odd = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.py), "-m", "emulators.dispatch", "--port", str(odd_port), "--scale",
             str(scale), "--seed", "11", "--client-id", "ci", "--client-secret", "ci-secret",
             "--unreadable", "brands=404", "--empty", "survey_responses",
             "--absent-rate", "0.2", "--malformed-value-rate", "0.02"],
            cwd=REPO, stdout=subprocess.DEVNULL)
        rest_port = free_port()
        rest = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(self.py), "-m", "emulators.fst", "--port", str(rest_port), "--scale",
             str(scale), "--seed", "10", "--auth", "apikey", "--pagination", "cursor"],
            cwd=REPO, stdout=subprocess.DEVNULL)
        texts, problems = [], []
        try:
            wait_for_port(port, emulator, seconds=120)
            wait_for_port(rest_port, rest, seconds=120)
            wait_for_port(odd_port, odd, seconds=120)
            with urllib.request.urlopen(f"http://127.0.0.1:{odd_port}/_admin/variations",
                                        timeout=60) as answer:
                odd_malformed = {(m["object"], str(m["id"])) for m in json.loads(
                    answer.read())["malformed"]}
            sources = {
                "bundle": ["--source", "fst-bundle", "--path", str(bundle), "--allow-any-path"],
                "dispatch": ["--source", "dispatch", "--url", f"http://127.0.0.1:{port}",
                             "--client-id", "ci", "--client-secret-file",
                             self._secret_file("ci-secret"), "--allow-loopback"],
                "fst-rest": ["--source", "fst-rest", "--url", f"http://127.0.0.1:{rest_port}",
                             "--auth", "api_key", "--api-key-file",
                             self._secret_file("fst-dev-key"),
                             "--rest-config", '{"pagination": "cursor", "page_size": 500}',
                             "--allow-loopback"],
                "dispatch, odd account": [
                    "--source", "dispatch", "--url", f"http://127.0.0.1:{odd_port}",
                    "--client-id", "ci", "--client-secret-file",
                    self._secret_file("ci-secret"), "--allow-loopback"],
            }
            for name, source_flags in sources.items():
                reports, flags = [], source_flags
                for attempt in (1, 2):
                    path = self.logdir / f"scale_{db}_{name}_{attempt}.json"
                    rc, text, _t = self._cli(db, "run", *flags, "--name", f"scale {name}",
                                             "--confirm-map", "--no-sample",
                                             "--report", str(path),
                                             log=f"scale_{db}_{name}_{attempt}")
                    texts.append(text)
                    if rc:
                        problems.append(f"{name} run {attempt} failed")
                        break
                    reports.append(json.loads(path.read_text()))
                    # the second time the same command (no --project): the same project
                if len(reports) < 2:
                    continue
                first, second = reports
                if second["project_id"] != first["project_id"]:
                    problems.append(f"{name}: the same command made a second project "
                                    f"({second['project_id']} besides {first['project_id']})")
                for obj, row in first["objects"].items():
                    if row["source"] != sum(row[k] for k in ("created", "updated", "skipped",
                                                             "failed", "blocked")):
                        problems.append(f"{name} {obj} does not balance: {row}")
                failed = {obj: row["failed"] for obj, row in first["objects"].items()
                          if row["failed"]}
                if name == "dispatch, odd account":
                    # a record may fail only for a malformed value of its own (an amount, a
                    # key); a bad optional value is a warning and the record lands
                    failed = {f"{i['object']} {i['source_id']}": i["reason"][:120]
                              for i in first["issues"] if i["status"] == "failed"
                              and (i["object"], str(i["source_id"])) not in odd_malformed}
                    warned = sum(1 for i in first["issues"] if i["status"] == "warning")
                    say(f"     {name}: {len(odd_malformed)} records served with a malformed "
                        f"value, {warned} warnings, not readable: {first['not_readable']}")
                    if not warned or "brands" not in first["not_readable"]:
                        problems.append(f"{name}: warnings {warned}, not readable "
                                        f"{first['not_readable']}")
                if failed:  # the generators' bad rows are orphans (blocked), not failures
                    problems.append(f"{name}: records failed {failed}: "
                                    + "; ".join(i["reason"][:200] for i in first["issues"]
                                                if i["status"] == "failed")[:1000])
                verified = first["verified_fields"]
                checked = sum(verified.values())
                # both sources read back exactly (a record shared by several source
                # records is compared with the one that wrote it)
                if verified["different"] or verified["missing"] or not checked:
                    problems.append(f"{name}: fields read back {verified}")
                again = sum(r["created"] + r["updated"] for r in second["objects"].values())
                if again:
                    problems.append(f"{name}: the second run wrote {again} records")
                total = sum(r["source"] for r in first["objects"].values())
                say(f"     {name}: {total} records, {first['records_per_second']}/s write "
                    f"phase, fields read back {verified}")
        finally:
            emulator.terminate()
            rest.terminate()
            odd.terminate()
        text = "\n".join(texts) + "".join(f"\nERROR scale: {p}" for p in problems)
        return (1 if problems else 0), text, time.monotonic() - started

    def export_pot(self, db, target):
        """Odoo's own export of the module's translation template from ``db``."""
        return self.odoo_bin(f"--addons-path={self.addons_path}", "-d", db, "--no-http",
                             f"--i18n-export={target}", f"--modules={MODULE}",
                             "--stop-after-init", log="pot_export")

    def check_pot(self, db):
        """The committed i18n/<module>.pot holds exactly the terms Odoo exports now."""
        fresh = self.logdir / f"{MODULE}.pot"
        rc, text, took = self.export_pot(db, fresh)
        if rc == 0:
            committed = pot_msgids((REPO / "i18n" / f"{MODULE}.pot").read_text())
            current = pot_msgids(strip_hidden(fresh.read_text()))
            missing, stale = current - committed, committed - current
            if missing or stale:
                rc = 1
                text += (f"\nERROR i18n/{MODULE}.pot is not current: {len(missing)} terms "
                         f"missing, {len(stale)} stale (e.g. {sorted(missing or stale)[:3]}). "
                         "Run: python3 tools/odoo_suite.py pot")
        return rc, text, took

    def createdb_clean(self, db):
        subprocess.run([str(self.py), "-c", DROP_DB, db], check=True)


DROP_DB = """
import sys, psycopg2
conn = psycopg2.connect(dbname='postgres'); conn.autocommit = True
cur = conn.cursor()
cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (sys.argv[1],))
cur.execute('DROP DATABASE IF EXISTS "%s"' % sys.argv[1])
"""

# Every record each project wrote, field by field, in terms that do not depend on the
# project: a link to a record the project bound is its source key, any other link the
# linked record's name, an image URL without its attachment id.
PROJECT_DUMP = """
import json, re
def dump(project_id):
    bindings = env['fsm.migration.binding'].search([('project_id', '=', project_id)])
    project = env['fsm.migration.project'].browse(project_id)
    x_names = {}  # a project's new x_ field, named by the source fields that feed it
    for line in project.confirmed_map_id.field_line_ids:
        if (line.target_field or '').startswith('x_') and not line.skip:
            x_names.setdefault((line.target_model, line.target_field), set()).add(
                f"{line.source_object}.{line.source_field}")
    key_of = {}
    for b in bindings:  # (a record bound twice - a lead and its survey - by its first key)
        key = f"{b.source_object}/{b.source_id}/{b.role}"
        key_of[(b.model, b.res_id)] = min(key, key_of.get((b.model, b.res_id), key))
    fields_of = {}
    for entry in env['fsm.migration.journal'].search([('project_id', '=', project_id),
                                                      ('operation', 'in', ('create', 'write'))]):
        fields_of.setdefault((entry.model, entry.res_id), set()).update(entry.new_values or {})
    def canon(record, name):
        field = record._fields[name]
        value = record[name]
        if field.type in ('many2one', 'one2many', 'many2many'):
            return sorted(key_of.get((r._name, r.id)) or r.display_name for r in value)
        if field.type == 'many2one_reference' or name == 'res_id':
            model = record[field.model_field] if field.type == 'many2one_reference' else (
                record['res_model'] if 'res_model' in record._fields else record['model'])
            return key_of.get((model, value)) or value
        if field.type == 'binary':
            return record.checksum if 'checksum' in record._fields else bool(value)
        if isinstance(value, str):
            return re.sub(r'/web/image/\\d+', '/web/image/N', value)
        return str(value) if value is not False else None
    out = {}
    for (model, res_id), key in key_of.items():
        record = env[model].with_context(active_test=False).browse(res_id).exists()
        names = sorted(n for n in fields_of.get((model, res_id), ()) if n in record._fields)
        # projects in one database name their new x_ fields apart (x_..._2, a prefix)
        out[key] = {('x:' + ','.join(sorted(x_names[(model, n)])) if (model, n) in x_names
                     else n): canon(record, n) for n in names} if record else 'missing'
    return out
print('DUMP ' + json.dumps({pid: dump(pid) for pid in PROJECTS}, default=str))
"""


#: records made from technicians (users, employees, skills) follow the users the database
#: holds when a project's user plan is made: projects planned one after the other in one
#: database match other users by e-mail (a messy e-mail shared with an earlier project's
#: technician), so these are not compared across projects
PLANNED_BY_USERS = ("technicians/", "users/")


def compare_dumps(dumps, names):
    """Differences, field by field, between the projects' dumps (the first is the
    reference); at most a few lines each."""
    problems = []
    reference = dumps[0]
    for name, dump in zip(names[1:], dumps[1:], strict=True):
        keys = {k for k in set(reference) | set(dump) if not k.startswith(PLANNED_BY_USERS)}
        diff = [k for k in sorted(keys) if reference.get(k) != dump.get(k)]
        for key in diff[:5]:
            ref, got = reference.get(key) or {}, dump.get(key) or {}
            fields = {f for f in set(ref) | set(got) if ref.get(f) != got.get(f)} \
                if isinstance(ref, dict) and isinstance(got, dict) else {"(record)"}
            problems.append(f"{name}: {key} differs on {sorted(fields)[:5]}")
        if len(diff) > 5:
            problems.append(f"{name}: {len(diff)} records differ in all")
    return problems


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


def strip_hidden(text):
    """Odoo's export walks the whole module folder, hidden ones included (a local .venv
    holds isort's and others' strings): keep the terms found in the module's own files."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        refs = [line for line in lines if line.startswith("#: ")]
        keep = [line for line in refs if "/." not in line.split(":", 2)[-1]]
        if refs and not keep:
            continue
        blocks.append("\n".join(line for line in lines
                                 if not line.startswith("#: ") or line in keep))
    return "\n\n".join(blocks).rstrip("\n") + "\n"


def pot_msgids(text):
    """The msgids of a .po/.pot file (continuation lines joined), header excluded."""
    ids, current, inside = set(), None, False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, inside = [line[6:].strip()[1:-1]], True
        elif inside and line.startswith('"'):
            current.append(line.strip()[1:-1])
        else:
            if inside and current is not None and "".join(current):
                ids.add("".join(current))
            inside = False
    if inside and current and "".join(current):
        ids.add("".join(current))
    return ids


def cmd_pot(_args):
    """Regenerate i18n/<module>.pot with Odoo's export, from a scratch database."""
    odoo = find_odoo()
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


def module_warnings(text):
    """WARNING/ERROR lines that come from this module (its tests' own loggers excepted)."""
    found = []
    for line in text.splitlines():
        match = LOG_LINE.match(line)
        if not match:
            continue
        logger, msg = match["logger"], match["msg"]
        if ".tests" in logger or logger.startswith("odoo.tests"):
            continue
        if logger.startswith(f"odoo.addons.{MODULE}") or MODULE in msg:
            found.append(line)
    return found


def failure_excerpt(text, limit=60):
    lines = text.splitlines()
    keep = [i for i, line in enumerate(lines)
            if " ERROR " in line or " CRITICAL " in line or "Traceback" in line
            or line.startswith(("FAIL", "AssertionError"))]
    out = []
    for i in keep[:8]:
        out.extend(lines[i:i + 12])
    return out[:limit] or lines[-limit:]


def cmd_test(args):
    odoo = find_odoo()
    if not odoo:
        print("Odoo layer SKIPPED: no Odoo 18 source tree in $ODOO_SRC, /opt/odoo or ~/odoo "
              "(see README: make demo fetches one); only the pure tests ran.")
        return 0
    py = ensure_venv(odoo)
    missing_browser = ensure_chromium()
    if missing_browser:
        say(missing_browser)
        return 1
    if not pg_ready(py):
        say("PostgreSQL does not answer on the local socket as the current user. Start it "
            "(e.g. sudo pg_ctlcluster 15 main start) and create a role for this user "
            "(sudo -u postgres createuser -s $USER), then run make test again.")
        return 1
    logdir = Path(args.logdir or tempfile.mkdtemp(prefix="fsm_test_logs_"))
    logdir.mkdir(parents=True, exist_ok=True)
    runner = OdooRunner(odoo, py, addons_dir(), logdir)
    tag = f"{os.getpid()}"
    full_db, crm_db = f"fsm_test_full_{tag}", f"fsm_test_crm_{tag}"
    say(f"Odoo {odoo}, logs in {logdir}")
    started = time.monotonic()
    ours = f"/{MODULE}"
    if args.tags:
        ours = args.tags
    try:
        for db in (full_db, crm_db):
            runner.createdb_clean(db)
        apps = ",".join([MODULE, *OPTIONAL_APPS])
        runner.step("install with the optional apps",
                    *runner.server(full_db, "-i", apps, log="1_install_full"))
        runner.step("upgrade (-u) and the module's tests, all apps",
                    *runner.server(full_db, "-u", MODULE, "--test-enable", f"--test-tags={ours}",
                                   log="2_upgrade_tests_full"), expect_tests=True)
        runner.step("command line: fsm-migrate discover on an FST bundle",
                    *runner.cli_discover(full_db))
        runner.step("command line: fsm-migrate run on an FST bundle, twice",
                    *runner.cli_run(full_db))
        runner.step("command line: a foreign-shaped FST export (layout step, --confirm-map)",
                    *runner.cli_shape(full_db))
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
        runner.step("translation template i18n/field_service_migration.pot is current",
                    *runner.check_pot(crm_db))
        crm_tags = ours if args.no_crm_suite else f"{ours},/crm"
        if not args.tags:  # the browser tours ran in the all-apps database already
            crm_tags += f",-/{MODULE}:TestMigrationTours"
        runner.step("upgrade crm and the module with crm's and the module's tests, crm only",
                    *runner.server(crm_db, "-u", f"crm,{MODULE}", "--test-enable",
                                   f"--test-tags={crm_tags}", log="5_tests_crm"),
                    expect_tests=True)
        # after Odoo's crm suite, which expects a database without thousands of leads
        if not args.quick:
            runner.step("scale 10, crm only: FST bundle, FST REST and Dispatch emulators, twice",
                        *runner.cli_scale(crm_db, 10))
    finally:
        if not args.keep:
            for db in (full_db, crm_db):
                runner.createdb_clean(db)
            shutil.rmtree(runner.extra, ignore_errors=True)
    total_tests = sum(r[2] for r in runner.results)
    failed_steps = [r[0] for r in runner.results if not r[1]]
    say(f"Odoo layer: {len(runner.results) - len(failed_steps)}/{len(runner.results)} steps ok, "
        f"{total_tests} Odoo tests run, {time.monotonic() - started:.0f} s")
    passed = total_tests - sum(r[3] for r in runner.results)
    print(f"odoo: {passed} passed, {sum(r[3] for r in runner.results)} failed")
    return 1 if failed_steps else 0


def get_odoo_for_demo():
    odoo = find_odoo()
    if odoo:
        return odoo
    target = Path(os.environ.get("ODOO_SRC") or Path.home() / "odoo")
    say(f"no Odoo 18 found: cloning upstream 18.0 into {target} (shallow)")
    proc = subprocess.run(["git", "clone", "--depth", "1", "--branch", "18.0", UPSTREAM,
                           str(target)])
    if proc.returncode != 0:
        sys.exit("Could not clone Odoo 18.0 (offline?). Put an Odoo 18.0 source tree at "
                 "/opt/odoo or point ODOO_SRC at one, then run make demo again.")
    return target


def ensure_postgres(py):
    if pg_ready(py):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("no PostgreSQL answers: installing and starting Debian's")
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True)
        subprocess.run("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                       shell=True, check=False)
        subprocess.run(["su", "postgres", "-c", "createuser -s root"], check=False)
        if pg_ready(py):
            return
    sys.exit("PostgreSQL does not answer. Run: sudo apt-get install postgresql && "
             "sudo -u postgres createuser -s $USER, then make demo again.")


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
project.action_test_connection()
project.action_discover()
env.cr.commit()
print('DEMO_PROJECT_OK', project.id, project.object_count, project.source_field_count)
"""


def wait_for_port(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the demo emulator exited (is port {port} taken?)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the demo emulator did not listen on {port} within {seconds} s")


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
        f"--addons-path={runner.addons_path}", "fsm-migrate", verb[0], "-d", db, "--no-http",
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
    odoo = get_odoo_for_demo()
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
    rc, text, took = runner.odoo_bin(f"--addons-path={runner.addons_path}", "-d", db,
                                     "--no-http", "--stop-after-init", mode, apps, log="install")
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
            f"--addons-path={runner.addons_path}", "fsm-migrate", "run", "-d", db,
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


SHOTS_PROJECT = DEMO_PROJECT.replace("print('DEMO_PROJECT_OK'", "print('DISCOVERED'") + """
import json
# the shell runs as OdooBot: the consultant in charge is the admin, as from the command line
project.user_id = env.ref('base.user_admin')
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
    odoo = find_odoo()
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


def cmd_where(_args):
    odoo = find_odoo()
    print(f"odoo: {odoo or 'not found'}")
    if odoo:
        state = "present" if venv_python(odoo).exists() else "to create"
        print(f"python: {venv_python(odoo)} ({state})")
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
    demo = sub.add_parser("demo", help="create a demo database and serve Odoo")
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
