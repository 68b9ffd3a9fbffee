"""A lead's e-mail and phone write onto its customer, an employee's work contact details onto
its user's partner: a migrated record pointing at an Odoo user's own contact changes none of
it (Odoo's password reset mails the reset link to a user's e-mail)."""

from types import SimpleNamespace

from odoo.tests import new_test_user, tagged

from ..importers.user_contacts import UserContactsMixin
from .common import TransactionCase, temp_bundle


class _Guard(UserContactsMixin):
    """The engine's guard alone, with the engine's issue list."""

    def __init__(self, env, project):
        self.env, self.project, self.issues = env, project, []

    def _issue(self, issues, batch, item, status, reason, **kw):
        self.issues.append((item.source_id, status, reason, kw.get("target_field")))


@tagged("post_install", "-at_install", "fsm_migration")
class TestUserContacts(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls.env["fsm.migration.project"].create({
            "name": "Contacts", "source_kind": "fst_bundle",
            "bundle_path": str(temp_bundle(cls, 0.1, 41))})
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.partner_id.write({"email": "admin@company.example", "phone": "+1 555 0100"})
        cls.customer = cls.env["res.partner"].create({"name": "A customer",
                                                     "email": "old@customer.example"})

    def _guarded(self, model, values_list):
        guard = _Guard(self.env, self.project)
        items = [SimpleNamespace(source_id=str(i)) for i in range(len(values_list))]
        guard._spare_user_contacts(self.env[model], list(zip(items, values_list, strict=True)),
                                   [], None)
        return guard.issues

    def test_a_lead_never_rewrites_a_users_contact(self):
        values = [{"name": "J1", "partner_id": self.admin.partner_id.id,
                   "email_from": "attacker@evil.example"},
                  {"name": "J2", "partner_id": self.customer.id,
                   "email_from": "new@customer.example"},
                  {"name": "J3", "partner_id": self.admin.partner_id.id,
                   "email_from": "admin@company.example"}]
        issues = self._guarded("crm.lead", values)
        self.assertEqual([(i[0], i[1], i[3]) for i in issues], [("0", "warning", "partner_id")])
        self.assertIn("an Odoo user's own contact", issues[0][2])
        self.assertIsNone(values[0]["partner_id"])
        self.assertEqual(values[1]["partner_id"], self.customer.id)  # a customer: as mapped
        self.assertEqual(values[2]["partner_id"], self.admin.partner_id.id)  # nothing changes
        self.env["crm.lead"].create([{k: v for k, v in vals.items() if v is not None}
                                     for vals in values])
        self.env.invalidate_all()
        self.assertEqual(self.admin.email, "admin@company.example")
        self.assertEqual(self.customer.email, "new@customer.example")  # crm's own behaviour

    def test_an_employee_never_rewrites_its_existing_users_contact(self):
        if "hr.employee" not in self.env:
            self.skipTest("hr is not installed")
        existing = new_test_user(self.env, "fsm_existing_tech", email="me@company.example",
                                 groups="base.group_user")
        existing.partner_id.phone = "+1 555 0100"
        planned = new_test_user(self.env, "fsm_planned_tech", email="tech@company.example",
                                groups="base.group_user")
        self.env["fsm.migration.journal"]._log([{
            "project_id": self.project.id, "operation": "config", "model": "res.users",
            "res_id": planned.id, "batch_ref": "plan:test"}])
        values = [{"name": "Existing", "user_id": existing.id,
                   "work_email": "attacker@evil.example", "mobile_phone": "+1 555 0199",
                   "work_phone": "+1 555 0199"},
                  {"name": "Tech", "user_id": planned.id, "work_email": "tech2@company.example"}]
        issues = self._guarded("hr.employee", values)
        fields = self.env["hr.employee"]._fields
        written_through = {name for name in ("work_email", "work_phone", "mobile_phone")
                           if fields[name].inverse}
        self.assertEqual([(i[0], i[1]) for i in issues], [("0", "warning")])
        self.assertTrue(written_through)
        self.assertFalse(written_through & set(values[0]), "no write-through value left")
        self.assertEqual(values[1]["work_email"], "tech2@company.example")  # the plan's own
        self.env["hr.employee"].create(values)
        self.env.invalidate_all()
        self.assertEqual(existing.email, "me@company.example")
        self.assertEqual(existing.partner_id.phone, "+1 555 0100")
        self.assertEqual(planned.email, "tech2@company.example")
