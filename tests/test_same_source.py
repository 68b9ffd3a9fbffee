"""One source, one project: the identity of a project's source, the warning of the form,
and a second project on the same source (on purpose) that creates nothing the first one
made — it binds to those records instead, and says so."""

from odoo.tests import Form, new_test_user, tagged

from .common import TransactionCase, planned_project, temp_bundle

MANAGER = "field_service_migration.group_migration_manager"
#: the business tables a migration writes (what a second project must not add to)
TOUCHED = ("res.partner", "crm.lead", "mail.activity", "calendar.event", "mail.message",
           "ir.attachment", "sale.order", "sale.order.line", "account.move")


@tagged("post_install", "-at_install", "fsm_migration")
class TestOneSourceOneProject(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bundle = temp_bundle(cls, 0.2, 51)

    def _counts(self):
        # (the projects' own history aside: the second project's notes are its own)
        return {model: self.env[model].with_context(active_test=False).search_count(
            [("model", "!=", "fsm.migration.project")] if model == "mail.message" else [])
            for model in TOUCHED if model in self.env}

    def test_identity_names_the_source_not_the_secret(self):
        project = self.env["fsm.migration.project"].create({
            "name": "Identity", "source_url": "https://API.dispatch.me/", "client_id": "abc",
            "client_secret_input": "s3cret"})
        self.assertEqual(project.source_identity, "dispatch|https://api.dispatch.me|abc")
        self.assertNotIn("s3cret", project.source_identity)
        other = self.env["fsm.migration.project"]._find_for_source({
            "source_kind": "dispatch", "source_url": "https://api.dispatch.me",
            "client_id": "abc"})
        self.assertEqual(other, project)

    def test_the_form_warns_of_a_second_project_on_the_same_source(self):
        first = self.env["fsm.migration.project"].create({
            "name": "First", "source_kind": "fst_bundle", "bundle_path": str(self.bundle)})
        manager = new_test_user(self.env, "same_source_manager",
                                groups=f"base.group_user,{MANAGER}")
        with Form(self.env["fsm.migration.project"].with_user(manager)) as form:
            form.name = "Second"
            form.source_kind = "fst_bundle"
            form.bundle_path = str(self.bundle)
            self.assertEqual(form.same_source_project_id, first)
        self.assertEqual(form.record.same_source_project_id, first)

    def test_a_second_project_on_purpose_creates_nothing_twice(self):
        first = planned_project(self.env, name="First", source_kind="fst_bundle",
                                bundle_path=str(self.bundle))
        run = first._start_run("full", batch_size=100)
        run.run_until_done()
        created = sum(b.created for b in run.batch_ids)
        self.assertTrue(created)
        before = self._counts()
        second = planned_project(self.env, name="Second, on purpose",
                                 source_kind="fst_bundle", bundle_path=str(self.bundle))
        self.assertEqual(second.same_source_project_id, first)
        again = second._start_run("full", batch_size=100)
        again.run_until_done()
        self.assertEqual(self._counts(), before, "the second project made no record")
        shared = again.issue_ids.filtered(lambda i: i.status == "warning")
        self.assertTrue(shared and all(first.name in i.reason for i in shared))
        # what the second project bound is what the first one wrote
        ours = self.env["fsm.migration.binding"].search([("project_id", "=", second.id)])
        theirs = {(b.source_object, b.source_id, b.role): b.res_id
                  for b in self.env["fsm.migration.binding"].search(
                      [("project_id", "=", first.id)])}
        for binding in ours:
            key = (binding.source_object, binding.source_id, binding.role)
            if key in theirs:
                self.assertEqual(binding.res_id, theirs[key], key)
        self.assertFalse(again.issue_ids.filtered(lambda i: i.status == "failed"),
                         again.issue_ids.mapped("reason")[:5])
        # rolling the second project back leaves the first one's records alone
        self.env["fsm.migration.rollback"].with_context(active_id=second.id).create(
            {}).action_rollback()
        self.assertEqual(self._counts(), before)

    def test_another_companys_project_is_never_bound_to(self):
        first = planned_project(self.env, name="Company A", source_kind="fst_bundle",
                                bundle_path=str(self.bundle))
        first._start_run("full", batch_size=100).run_until_done()
        other = self.env["res.company"].create({"name": "Company B"})
        second = planned_project(self.env, name="Company B, same source typed again",
                                 source_kind="fst_bundle", bundle_path=str(self.bundle),
                                 company_id=other.id)
        run = second._start_run("full", batch_size=100)
        run.run_until_done()
        self.assertFalse(run.issue_ids.filtered(
            lambda i: i.status == "warning" and first.name in i.reason))
        theirs = set(self.env["fsm.migration.binding"].search(
            [("project_id", "=", first.id), ("model", "=", "crm.lead")]).mapped("res_id"))
        ours = set(self.env["fsm.migration.binding"].search(
            [("project_id", "=", second.id), ("model", "=", "crm.lead")]).mapped("res_id"))
        self.assertTrue(ours)
        self.assertFalse(ours & theirs, "company B's project wrote its own leads")
