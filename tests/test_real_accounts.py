"""Real accounts are not our emulator: the Dispatch emulator's knobs make it answer like
an account whose plan gates an endpoint, and the migration must go on with the others.

Each Dispatch object in turn answers 404 (as a gated endpoint does): discovery marks it
not readable (with the status and the vendor's words) instead of failing, the proposed
map confirms as is, and the run completes with no record failed and no batch broken.
"""

import logging
import re

import requests

from odoo.tests import tagged

from .common import EmulatorProcess, TransactionCase, dispatch_vals, planned_project

_logger = logging.getLogger(__name__)
#: a blocked record's reason names its parent: "customers 1011 was not migrated …"
PARENT = re.compile(r"^(\w+) (\S+) was not migrated")

#: the Dispatch objects (emulators.dispatch_data.OBJECTS): job contacts are read through
#: their jobs' endpoint, so "jobs" unreadable makes both unreadable
OBJECTS = ("organizations", "users", "brands", "sources", "customers", "jobs",
           "appointments", "survey_responses", "attachments")


@tagged("post_install", "-at_install", "fsm_migration")
class TestUnreadableObjects(TransactionCase):
    def test_each_object_unreadable_in_turn(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "True")
        for obj in OBJECTS:
            with self.subTest(unreadable=obj), EmulatorProcess(
                    "emulators.dispatch", "--scale", "0.1", "--seed", "61", "--client-id",
                    "odoo", "--client-secret", "s3cret", "--unreadable", f"{obj}=404") as url:
                project = planned_project(self.env, **dispatch_vals(url, f"Gated {obj}"))
                gated = project.object_ids.filtered(lambda o: not o.readable)
                self.assertIn(obj, gated.mapped("name"))
                self.assertTrue(all(o.unreadable_status == 404 and o.unreadable_reason
                                    for o in gated))
                self.assertLessEqual(set(gated.mapped("name")), {obj, "job_contacts"})
                skipped = project.confirmed_map_id.object_line_ids.filtered(
                    lambda line, name=obj: line.source_object == name)
                self.assertTrue(skipped and all(line.skip for line in skipped),
                                f"{obj}: proposed as skip")
                run = project._start_run("full", batch_size=200)
                run.run_until_done()
                self.assertEqual(run.state, "done")
                self.assertFalse(run.batch_ids.filtered("error"),
                                 run.batch_ids.mapped("error"))
                failed = run.issue_ids.filtered(lambda i: i.status == "failed")
                self.assertFalse(failed, failed.mapped("reason")[:5])
                written = sum(b.created for b in run.batch_ids)
                self.assertTrue(written, f"{obj} unreadable: the others are migrated")
                self.assertNotIn(obj, run.batch_ids.mapped("source_object"))


@tagged("post_install", "-at_install", "fsm_migration")
class TestShapesTheEmulatorDidNotMake(TransactionCase):
    """An account that leaves 20% of the documented optional fields out, has no survey
    response at all, and serves 2% of its phones, e-mails, dates, states and numbers
    malformed: the migration completes; a malformed optional value is written as typed or
    left empty with a warning naming it, never dropping the record or what hangs under
    it; the read-back shows nothing different."""

    def test_absent_fields_empty_object_and_malformed_values(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "True")
        with EmulatorProcess("emulators.dispatch", "--scale", "0.3", "--seed", "62",
                             "--client-id", "odoo", "--client-secret", "s3cret",
                             "--absent-rate", "0.2", "--empty", "survey_responses",
                             "--malformed-value-rate", "0.02") as url:
            report = requests.get(f"{url}/_admin/variations", timeout=30).json()
            project = planned_project(self.env, **dispatch_vals(url, "Odd account"))
            empty = project.confirmed_map_id.object_line_ids.filtered(
                lambda line: line.source_object == "survey_responses")
            self.assertTrue(empty and all(line.skip for line in empty))
            self.assertIn("nothing to migrate", " ".join(empty.mapped("reason")))
            run = project._start_run("full", batch_size=200)
            run.run_until_done()
        self.assertTrue(report["malformed"] and report["absent_fields"])
        self.assertEqual(run.state, "done")
        self.assertFalse(run.batch_ids.filtered("error"), run.batch_ids.mapped("error"))
        self.assertEqual((run.verified_different, run.verified_missing), (0, 0))
        self.assertTrue(run.verified_kept, "kept values are read back as written")
        malformed = {(m["object"], str(m["id"])) for m in report["malformed"]}
        warnings = run.issue_ids.filtered(lambda i: i.status == "warning")
        self.assertTrue(warnings)
        self.assertFalse([(w.source_object, w.source_id, w.source_field, w.reason)
                          for w in warnings if (w.source_object, w.source_id) not in malformed],
                         "every warning is about a value the account served malformed")
        failed = run.issue_ids.filtered(lambda i: i.status == "failed")
        self.assertFalse([(f.source_object, f.source_id, f.reason) for f in failed
                          if (f.source_object, f.source_id) not in malformed],
                         "only a record with a malformed value of its own may fail")
        _logger.info("odd account: %s values served malformed, %s warnings, %s records "
                     "failed, %s written, fields %s equal / %s transformed / %s kept",
                     len(report["malformed"]), len(warnings), len(failed),
                     sum(b.created for b in run.batch_ids), run.verified_equal,
                     run.verified_transformed, run.verified_kept)
        failed_ids = {(f.source_object, f.source_id) for f in failed}
        warned_only = {(w.source_object, w.source_id) for w in warnings} - failed_ids
        blocked_by = {tuple(match.groups()) for match in (
            PARENT.match(i.reason) for i in run.issue_ids if i.status == "blocked") if match}
        self.assertFalse(blocked_by & warned_only,
                         "nothing is blocked by a parent that only had a bad optional value")
