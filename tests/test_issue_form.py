"""A failed record reads as: its source record (secrets masked), the field, the reason,
what to do, and one click to the map line that wrote it (in a new draft version when the
run's version is frozen)."""

from odoo.tests import tagged

from .common import TransactionCase, broken_map_project, temp_folder


@tagged("post_install", "-at_install", "fsm_migration")
class TestFailedRecordForm(TransactionCase):
    def test_failed_record_explains_itself_and_opens_its_map_line(self):
        project, line = broken_map_project(self.env, temp_folder(self, "fsm_issue_"))
        line.transform = "date"  # wrong: drops the time of a datetime field
        project.map_id.action_confirm()
        self.env["fsm.migration.plan.apply"].with_context(
            active_id=project.id).create({}).action_apply()
        project.action_run_sample()
        issue = project.sample_run_id.issue_ids.filtered(lambda i: i.status == "failed")[:1]
        self.assertTrue(issue)
        # the smart button counts it, the run's live progress lists it
        self.assertEqual(project.failed_record_count, len(project.sample_run_id.issue_ids))
        progress = project.sample_run_id.progress_data
        self.assertEqual(progress["percent"], 100.0)
        self.assertEqual(progress["phase"], "done")
        # written but not read back yet: the widget says it is verifying, not done
        run = project.sample_run_id
        with self.env.cr.savepoint() as savepoint:
            run.batch_ids.filtered(lambda b: b.state == "done")[:1].verified = False
            run.state = "running"
            verifying = run._progress_data()
            self.assertEqual(verifying["phase"], "verifying")
            self.assertEqual(verifying["verify"]["done"], verifying["verify"]["total"] - 1)
            self.assertEqual(verifying["percent"], 100.0)
            savepoint.rollback()
        self.env.invalidate_all()
        newest = project.sample_run_id.issue_ids.sorted("id", reverse=True)[:5]
        self.assertEqual([e["id"] for e in progress["errors"]], newest.ids)
        work_orders = next(o for o in progress["objects"] if o["name"] == "work_orders")
        self.assertEqual(work_orders["failed"], len(
            project.sample_run_id.issue_ids.filtered(
                lambda i: i.status == "failed" and i.source_object == "work_orders")))
        # the source record, as the source gave it
        self.assertIn(f"id: {issue.source_id}", issue.payload_text)
        self.assertIn("created_at: ", issue.payload_text)
        # what to do, in plain words, about exactly that field
        self.assertIn("created_at", issue.advice)
        self.assertIn("Fix the map line", issue.advice)
        self.assertEqual(issue.map_line_id, line)
        # one click: the run's version is frozen, so a draft v2 is made and its line opened
        action = issue.action_open_map_line()
        self.assertEqual(action["res_model"], "fsm.migration.map.field")
        self.assertEqual(action["target"], "new")
        fixed = self.env["fsm.migration.map.field"].browse(action["res_id"])
        self.assertEqual(fixed.map_id.version, 2)
        self.assertEqual(fixed.map_id.state, "draft")
        self.assertEqual((fixed.source_object, fixed.source_field, fixed.transform),
                         ("work_orders", "created_at", "date"))
        fixed.transform = "datetime_utc"
        # a second click lands on the same draft, not on a third version
        again = self.env["fsm.migration.map.field"].browse(
            issue.action_open_map_line()["res_id"])
        self.assertEqual(again, fixed)
        self.assertEqual(len(project.map_ids), 2)
        # the project says the sample is waiting, with its numbers
        self.assertIn("approve the sample", project.next_step)

    def test_secrets_in_a_source_record_are_masked(self):
        """The payload shown on a failed record never shows a secret-looking field."""
        issue = self.env["fsm.migration.issue"].new({
            "source_object": "customers", "source_id": "7", "status": "failed",
            "reason": "x"})
        batch = self.env["fsm.migration.batch"].new({
            "source_object": "customers", "level": 0, "sequence": 0, "record_count": 1,
            "payload": [{"id": 7, "name": "Ann", "portal": {"password": "hunter2"},
                         "api_key": "k-123"}]})
        issue.batch_id = batch
        self.assertIn("name: Ann", issue.payload_text)
        self.assertNotIn("hunter2", issue.payload_text)
        self.assertNotIn("k-123", issue.payload_text)
        self.assertIn("portal.password: •••", issue.payload_text)
