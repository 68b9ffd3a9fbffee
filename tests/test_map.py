import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import TransactionCase, temp_bundle

MANAGER = "field_service_migration.group_migration_manager"
USER = "field_service_migration.group_migration_user"


@tagged("post_install", "-at_install", "fsm_migration")
class TestMapAndPlan(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bundle = temp_bundle(cls, 0.3, 2)
        # (with user administration: the plan creates the unmatched technicians)
        cls.manager = new_test_user(cls.env, "fsm_map_manager",
                                    groups=f"base.group_user,base.group_erp_manager,{MANAGER}")
        cls.reader = new_test_user(cls.env, "fsm_map_reader", groups=f"base.group_user,{USER}")
        cls.project = cls.env["fsm.migration.project"].with_user(cls.manager).create({
            "name": "Map test", "source_kind": "fst_bundle", "bundle_path": str(bundle),
            "fallback_user_id": cls.manager.id})
        cls.project.action_discover()

    def _propose(self):
        before = (self.env["res.partner"].search_count([]), self.env["crm.lead"].search_count([]))
        self.project.action_propose_map()
        after = (self.env["res.partner"].search_count([]), self.env["crm.lead"].search_count([]))
        self.assertEqual(before, after, "no business record moves before the map is confirmed")
        return self.project.map_id

    def test_proposal_covers_objects_fields_values_users(self):
        proposal = self._propose()
        self.assertEqual(proposal.version, 1)
        self.assertEqual(proposal.state, "draft")
        targets = {(line.source_object, line.target_model)
                   for line in proposal.object_line_ids}
        self.assertIn(("customers", "res.partner"), targets)
        self.assertIn(("work_orders", "crm.lead"), targets)
        # the installed apps decide the path of line items and invoices
        if "sale.order.line" in self.env:
            self.assertIn(("work_order_lines", "sale.order.line"), targets)
        else:
            self.assertIn(("work_order_lines", "crm.lead"), targets)  # JSON on the lead
        if "account.move" in self.env:
            self.assertIn(("invoices", "account.move"), targets)
        else:
            self.assertIn(("invoices", "rebuild.reference"), targets)
        self.assertTrue(all(line.reason for line in proposal.field_line_ids))
        email = proposal.field_line_ids.filtered(
            lambda rec: rec.source_object == "customers" and rec.source_field == "email")
        self.assertEqual(email.target_field, "email")
        self.assertGreaterEqual(email.confidence, 0.9)
        won = proposal.value_line_ids.filtered(lambda rec: rec.kind == "stage" and rec.is_won)
        self.assertTrue(won, "the completed status goes to a won stage")
        self.assertTrue(proposal.user_line_ids, "technicians are planned")
        custom = proposal.field_line_ids.filtered(
            lambda rec: rec.new_field_type and rec.target_field.startswith("x_studio_"))
        self.assertTrue(custom, "source custom fields become x_studio_ fields")

    def test_confirm_validates_then_freezes_and_versions(self):
        proposal = self._propose().with_user(self.manager)
        line = proposal.field_line_ids.filtered(
            lambda rec: not rec.skip and not rec.new_field_type)[:1]
        good_target = line.target_field
        line.target_field = "no_such_field_here"
        with self.assertRaisesRegex(UserError, "no_such_field_here"):
            proposal.action_confirm()
        line.target_field = good_target
        proposal.action_confirm()
        self.assertEqual(proposal.state, "confirmed")
        self.assertEqual(self.project.state, "map")
        self.assertEqual(self.project.confirmed_map_id, proposal)
        with self.assertRaisesRegex(UserError, "frozen"):
            line.skip = True
        action = proposal.action_new_version()
        new = self.env["fsm.migration.map"].browse(action["res_id"])
        self.assertEqual((new.version, new.state), (2, "draft"))
        self.assertEqual(len(new.field_line_ids), len(proposal.field_line_ids))
        new.with_user(self.manager).action_confirm()
        self.assertEqual(proposal.state, "superseded")

    def test_reader_cannot_propose_or_confirm(self):
        proposal = self._propose()
        with self.assertRaises(AccessError):
            self.project.with_user(self.reader).action_propose_map()
        with self.assertRaises(AccessError):
            proposal.with_user(self.reader).action_confirm()

    def test_apply_plan_creates_fields_stages_users_journaled(self):
        proposal = self._propose().with_user(self.manager)
        proposal.action_confirm()
        wizard = self.env["fsm.migration.plan.apply"].with_user(self.manager).with_context(
            active_id=self.project.id).create({})
        field_count = wizard.field_count
        self.assertGreater(field_count, 0)
        planned_fields = [(line.target_model, line.target_field)
                          for line in proposal.field_line_ids
                          if line.new_field_type and not line.skip]
        wizard.action_apply()
        for model, name in planned_fields:
            self.assertIn(name, self.env[model]._fields, f"{model}.{name} created")
            field = self.env["ir.model.fields"]._get(model, name)
            self.assertEqual(field.state, "manual")
            line = proposal.field_line_ids.filtered(
                lambda rec, model=model, name=name: rec.new_field_type == "selection"
                and (rec.target_model, rec.target_field) == (model, name))[:1]
            if line:
                options = [o for o in line.new_field_options.splitlines() if o.strip()]
                self.assertEqual(field.selection_ids.mapped("value"), options)
                self.assertEqual([key for key, _label in self.env[model]._fields[name].selection],
                                 options)
        journal = self.project.journal_ids
        self.assertEqual(len(journal.filtered(lambda j: j.operation == "schema")), field_count)
        self.assertEqual(self.project.state, "sample")
        self.assertTrue(self.env["crm.tag"].search([("name", "=", "Service history")]))
        with self.assertRaises(UserError):
            journal[:1].write({"note": "tampered"})
        # applying again creates nothing more: everything exists now
        again = self.env["fsm.migration.plan.apply"].with_user(self.manager).with_context(
            active_id=self.project.id).create({})
        self.assertEqual((again.field_count, again.stage_count, again.user_count,
                          again.tag_count), (0, 0, 0, 0))

    def test_edit_in_the_form_then_confirm(self):
        proposal = self._propose().with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Confirm a map first"):
            self.project.with_user(self.manager)._start_run("full")
        with self.assertRaisesRegex(UserError, "Confirm a map first"):
            self.project.with_user(self.manager).action_run_sample()
        with Form(proposal) as form:
            lines = form.field_line_ids
            index = next(i for i in range(len(lines)) if lines.edit(i).source_field == "mobile")
            with lines.edit(index) as line:
                line.skip = True
        mobile = proposal.field_line_ids.filtered(lambda rec: rec.source_field == "mobile")
        self.assertEqual(mobile.mapped("skip").count(True), 1, "the edited line, saved")
        proposal.action_confirm()
        self.assertEqual(self.project.confirmed_map_id, proposal)
        # frozen: read-only in the form, and refused by the ORM too
        with self.assertRaisesRegex(AssertionError, "not editable"), Form(proposal) as form:
            form.field_line_ids.edit(0)
        with self.assertRaisesRegex(UserError, "frozen"):
            mobile[0].skip = not mobile[0].skip

    def test_reader_cannot_apply_the_plan(self):
        self._propose().with_user(self.manager).action_confirm()
        with self.assertRaises(AccessError):
            self.env["fsm.migration.plan.apply"].with_user(self.reader).with_context(
                active_id=self.project.id).create({}).action_apply()

    def test_export_then_import_as_a_new_version(self):
        source = self._propose()
        exported = source.to_json()
        wizard = self.env["fsm.migration.map.import"].with_user(self.manager).with_context(
            active_id=self.project.id).create({"file": base64.b64encode(exported.encode()),
                                               "filename": "map.json"})
        imported = self.env["fsm.migration.map"].browse(wizard.action_import()["res_id"])
        self.assertEqual((imported.version, imported.state), (2, "draft"))
        for name in ("object_line_ids", "field_line_ids", "value_line_ids", "user_line_ids"):
            self.assertEqual(len(imported[name]), len(source[name]), name)
        self.assertEqual(imported._to_proposal().to_dict()["field_maps"],
                         source._to_proposal().to_dict()["field_maps"])
        imported.with_user(self.manager).action_confirm()
        bad = self.env["fsm.migration.map.import"].with_user(self.manager).with_context(
            active_id=self.project.id).create({"file": base64.b64encode(b"{}")})
        with self.assertRaisesRegex(UserError, "not a map exported"):
            bad.action_import()
