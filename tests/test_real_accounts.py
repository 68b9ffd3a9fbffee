"""Real accounts are not our emulator: the Dispatch emulator's knobs make it answer like
an account whose plan gates an endpoint, and the migration must go on with the others.

Each Dispatch object in turn answers 404 (as a gated endpoint does): discovery marks it
not readable (with the status and the vendor's words) instead of failing, the proposed
map confirms as is, and the run completes with no record failed and no batch broken.
"""

from odoo.tests import TransactionCase, tagged

from .common import EmulatorProcess, dispatch_vals, planned_project

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
