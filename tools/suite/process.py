"""Running ``odoo-bin`` (server, shell, ``fsm_migrate``, the .pot export); judging each step."""

import re
import subprocess
import time

from . import MODULE, REPO
from .env import free_port, say, tree_series
from .logs import RESULT_LINE, failure_excerpt, module_warnings, pot_msgids, strip_hidden

PYTEST_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


class OdooProcess:
    """One Odoo source tree and virtualenv, the module's addons path and a log folder."""

    def __init__(self, odoo, py, extra_addons, logdir):
        self.odoo, self.py, self.extra, self.logdir = odoo, py, extra_addons, logdir
        self.series = tree_series(odoo)
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
        # no demo data: 18.0 loads it unless told; 19.0 does not (and refuses "=all")
        demo = ["--without-demo=all"] if self.series < 19 else []
        return self.odoo_bin(f"--addons-path={self.addons_path}", "-d", db, "--no-http",
                             f"--http-port={free_port()}", "--stop-after-init", *demo, *args,
                             log=log)

    def pytest_odoo(self, db, test_file):
        """``pytest --odoo-database=DB <test file>`` with pytest-odoo, as OCA developers
        run one test file; its summary is turned into the line ``step`` counts."""
        started = time.monotonic()
        target = self.extra / MODULE / test_file
        logfile = self.logdir / "pytest_odoo.log"
        cmd = [str(self.py), "-m", "pytest", "-p", "no:cacheprovider", "-q",
               f"--odoo-database={db}", f"--odoo-addons-path={self.addons_path}",
               "--odoo-log-level=warn", "--odoo-http", str(target)]
        with open(logfile, "w") as out:
            proc = subprocess.run(cmd, cwd=self.extra / MODULE, stdout=out,
                                  stderr=subprocess.STDOUT, text=True)
        text = logfile.read_text(errors="replace")
        counts = {word: int(n) for n, word in PYTEST_SUMMARY.findall(text.splitlines()[-1]
                                                                      if text else "")}
        failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
        ran = failed + counts.get("passed", 0)
        text += f"\n{failed} failed, 0 error(s) of {ran} tests (pytest-odoo)\n"
        return proc.returncode, text, time.monotonic() - started

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
    def _secret_file(self, secret):
        """A file holding ``secret`` (secrets never go on a command line, where `ps` shows
        them)."""
        path = self.logdir / f"secret_{secret}"
        path.write_text(secret + "\n")
        path.chmod(0o600)
        return str(path)

    def _cli(self, db, *args, log):
        return self.odoo_bin(f"--addons-path={self.addons_path}", "fsm_migrate", *args, "-d",
                             db, "--no-http", log=log)

    def _spawn_worker(self, db, run_id, log):
        cmd = [str(self.py), str(self.odoo / "odoo-bin"), f"--addons-path={self.addons_path}",
               "fsm_migrate", "work", "-d", db, "--no-http", "--run", str(run_id),
               "--allow-any-path"]
        out = open(self.logdir / f"{log}.log", "w")  # closed by the caller
        return subprocess.Popen(cmd, cwd=self.odoo, stdout=out, stderr=subprocess.STDOUT), out

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
