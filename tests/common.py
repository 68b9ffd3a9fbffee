"""Helpers of the Odoo tests: the local emulators run as separate processes and are
reached over real loopback sockets, exactly as a remote source would be."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from odoo import tests as odoo_tests

REPO = Path(__file__).resolve().parents[1]


class LoopbackTimeouts:
    """Requests to the loopback emulators may carry a ``(connect, read)`` timeout, as the
    module's HTTP client sends: 19.0's test harness compares the timeout with a number
    (``timeout < 10``) and fails on a tuple."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        if isinstance(kw.get("timeout"), tuple):
            kw["timeout"] = max(part for part in kw["timeout"] if part is not None)
        return super()._request_handler(s, r, **kw)


class TransactionCase(LoopbackTimeouts, odoo_tests.TransactionCase):
    """Odoo's TransactionCase (see ``LoopbackTimeouts``)."""


class HttpCase(LoopbackTimeouts, odoo_tests.HttpCase):
    """Odoo's HttpCase (see ``LoopbackTimeouts``)."""


def run_python(*args, timeout=300):
    """Run ``python *args`` in the repository root (where ``emulators`` is importable)."""
    proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"python {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def fst_bundle(folder, scale, seed):
    """An FST bundle from the emulator in ``folder``/bundle; its path."""
    bundle = Path(folder) / "bundle"
    run_python("-m", "emulators.fst_bundle", "--out", str(bundle), "--scale", str(scale),
               "--seed", str(seed))
    return bundle


IMPORT_FOLDERS = "field_service_migration.import_folders"


def allow_import_folder(env, folder):
    """Add ``folder`` to the database's import folders (bundles are read from those only;
    the test's transaction rolls it back)."""
    params = env["ir.config_parameter"].sudo()
    current = [p.strip() for p in (params.get_param(IMPORT_FOLDERS) or "").split(",")
               if p.strip()]
    params.set_param(IMPORT_FOLDERS, ",".join([*current, os.path.realpath(folder)]))


def temp_folder(case, prefix="fsm_bundle_"):
    """A temporary import folder removed after ``case`` (a test, or its class in
    ``setUpClass``), allowed as an import folder of the test's database."""
    tmp = tempfile.TemporaryDirectory(prefix=prefix)  # pylint: disable=consider-using-with
    (case.addClassCleanup if isinstance(case, type) else case.addCleanup)(tmp.cleanup)
    allow_import_folder(case.env, tmp.name)
    return Path(tmp.name)


def temp_bundle(case, scale, seed):
    """``fst_bundle`` in a temporary import folder (see :func:`temp_folder`)."""
    return fst_bundle(temp_folder(case), scale, seed)


def generator_truth(kind, scale, seed):
    """The generator's own truth for a dataset (``kind``: fst or dispatch)."""
    module, factory = {"fst": ("emulators.fst_data", "generate"),
                       "dispatch": ("emulators.dispatch_data", "DispatchData")}[kind]
    code = (f"import json; from {module} import {factory}; "
            f"print(json.dumps({factory}({scale!r}, {seed!r}).truth(), default=str))")
    return json.loads(run_python("-c", code))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmulatorProcess:
    """``with EmulatorProcess("emulators.dispatch", "--scale", "1") as url: ...``"""

    def __init__(self, module, *args):
        self.module, self.args = module, args
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", self.module, "--port", str(self.port), *self.args],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.module} exited: {self.proc.stderr.read()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self.url
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise AssertionError(f"{self.module} did not listen on {self.port} within 60 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


#: how a run counts each source record
COUNTERS = ("created", "updated", "skipped", "failed", "blocked")


def per_object(run):
    """Per source object of ``run``: records read (``source``) and each counter."""
    stats = {}
    for batch in run.batch_ids:
        row = stats.setdefault(batch.source_object, dict.fromkeys(("source", *COUNTERS), 0))
        row["source"] += batch.record_count
        for key in COUNTERS:
            row[key] += batch[key]
    return stats


def planned_project(env, **vals):
    """A project discovered, its proposed map confirmed as is and its schema plan applied:
    ready to sample or run (the path a consultant takes when the proposal is right)."""
    vals.setdefault("fallback_user_id", env.ref("base.user_admin").id)
    vals.setdefault("skip_sample", True)  # (tests of the full run; the sample has its own)
    project = env["fsm.migration.project"].create(vals)
    project.action_discover()
    project.action_propose_map()
    project.map_id.action_confirm()
    env["fsm.migration.plan.apply"].with_context(active_id=project.id).create({}).action_apply()
    return project


def dispatch_emulator(scale, seed):
    """The Dispatch emulator with the credentials ``dispatch_vals`` uses."""
    return EmulatorProcess("emulators.dispatch", "--scale", str(scale), "--seed", str(seed),
                           "--client-id", "odoo", "--client-secret", "s3cret")


def dispatch_vals(url, name):
    return {"name": name, "source_kind": "dispatch", "source_url": url, "client_id": "odoo",
            "client_secret_input": "s3cret"}


def broken_map_project(env, bundle_dir):
    """An FST bundle (scale 0.3) discovered and proposed, and the map line of work orders'
    ``created_at`` → crm.lead, for tests that break that line before confirming."""
    bundle = fst_bundle(bundle_dir, 0.3, 5)
    project = env["fsm.migration.project"].create({
        "name": "Broken map", "source_kind": "fst_bundle", "bundle_path": str(bundle),
        "fallback_user_id": env.ref("base.user_admin").id, "sample_size": 40})
    project.action_discover()
    project.action_propose_map()
    line = project.map_id.field_line_ids.filtered(
        lambda rec: rec.source_object == "work_orders" and rec.source_field == "created_at"
        and rec.target_model == "crm.lead")
    return project, line
