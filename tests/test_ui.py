"""The consultant's path and the reader's view, in a real headless Chromium against a
running Odoo, with the Dispatch emulator as the source (tours in static/tests/tours)."""

import threading
import unittest
import urllib.parse

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import _find_executable

from .common import HttpCase, dispatch_emulator, dispatch_vals, planned_project

MANAGER = "field_service_migration.group_migration_manager"
USER = "field_service_migration.group_migration_user"


class CronWorker(threading.Thread):
    """Odoo's cron thread does not run under tests: this one plays it. Every ``interval``
    seconds it runs the worker cron as "Run manually" does (``method_direct_trigger``: one
    batch of the oldest running run), in its own transaction, as the real cron would."""

    def __init__(self, registry, interval=1.0, first_poll=15.0):
        super().__init__(daemon=True)
        self.registry, self.interval, self.first_poll = registry, interval, first_poll
        self.halt, self.errors, self.calls = threading.Event(), [], 0

    def run(self):
        # the test's cursor is shared with this thread: the tour's login (HttpCase reads
        # the user through it) must be over before the first poll, or under load the two
        # interleave and the login reads no user (seen once: StopIteration in context_get).
        # The tour reaches its full run long after that; sample runs are synchronous.
        if self.halt.wait(self.first_poll):
            return
        while not self.halt.wait(self.interval):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    if env["fsm.migration.run"].search_count([("state", "=", "running")]):
                        env.ref("field_service_migration.ir_cron_fsm_migration_worker"
                                ).method_direct_trigger()
                        self.calls += 1
            except Exception as exc:  # reported by the test, not swallowed
                self.errors.append(repr(exc))
                return

    def stop(self):
        self.halt.set()
        self.join(30)


@tagged("post_install", "-at_install", "fsm_migration", "fsm_tour")
class TestMigrationTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "True")
        cls.consultant = new_test_user(cls.env, "fsm_consultant", name="Consultant",
                                       groups=f"base.group_user,{MANAGER}")
        cls.reader = new_test_user(cls.env, "fsm_reader_ui", name="Reader",
                                   groups=f"base.group_user,{USER}")

    def setUp(self):
        super().setUp()
        # the tours are the point of this class: a missing browser is a failure, not a skip
        try:
            _find_executable()
        except unittest.SkipTest:
            self.fail("No Chromium: install the Debian package chromium (make test does it "
                      "when run as root).")

    def _worker(self):
        worker = CronWorker(self.registry)
        worker.start()
        self.addCleanup(worker.stop)
        return worker

    def test_consultant_path(self):
        """Create → connect → discover → confirm the map → plan → sample → diff → approve
        → full run (paused, resumed, watched to 100 %) → reconciliation → roll back."""
        with dispatch_emulator(0.2, 5) as url:
            worker = self._worker()
            try:
                self.start_tour("/odoo", "fsm_migration_path", login="fsm_consultant",
                                cookies={"fsm_tour_source_url": urllib.parse.quote(url,
                                                                                   safe="")},
                                timeout=300)
            finally:
                worker.stop()
                # a worker that broke explains a tour stuck before 100 %
                self.assertFalse(worker.errors, worker.errors)
        self.assertTrue(worker.calls, "the full run was written by the worker cron")
        project = self.env["fsm.migration.project"].search([("name", "=", "Tour migration")])
        self.assertEqual(project.state, "rolled_back")
        runs = project.run_ids.filtered(lambda r: r.kind != "rollback").sorted("id")
        self.assertEqual(runs.mapped("kind"), ["sample", "sample", "full"])
        self.assertEqual(set(runs.mapped("state")), {"rolled_back"})
        # the discarded sample and the project: two rollbacks, done at once (small)
        rollbacks = project.run_ids.filtered(lambda r: r.kind == "rollback")
        self.assertEqual(rollbacks.mapped("state"), ["done", "done"])
        full = runs[-1]
        self.assertEqual(full.progress, 100.0)
        self.assertEqual(full.done, full.total)
        # nothing the migration wrote is left
        leads = self.env["fsm.migration.journal"].search(
            [("project_id", "=", project.id), ("operation", "=", "create"),
             ("model", "=", "crm.lead")])
        self.assertTrue(leads)
        self.assertFalse(self.env["crm.lead"].with_context(active_test=False).browse(
            leads.mapped("res_id")).exists())

    def test_reader_sees_reports_only(self):
        with dispatch_emulator(0.1, 7) as url:
            project = planned_project(self.env, **dispatch_vals(url, "Audited migration"))
            project._start_run("full").run_until_done()
        self.assertEqual(project.state, "verify")
        self.start_tour("/odoo", "fsm_migration_reader", login="fsm_reader_ui", timeout=120)
        as_reader = project.with_user(self.reader)
        with self.assertRaises(AccessError):
            as_reader.action_start_full_run()
        with self.assertRaises(AccessError):
            self.env["fsm.migration.rollback"].with_user(self.reader).with_context(
                active_id=project.id).create({})
