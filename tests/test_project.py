from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import TransactionCase

MANAGER = "field_service_migration.group_migration_manager"
USER = "field_service_migration.group_migration_user"


@tagged("post_install", "-at_install", "fsm_migration")
class TestMigrationProject(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.manager = new_test_user(cls.env, "fsm_manager", groups=f"base.group_user,{MANAGER}")
        cls.reader = new_test_user(cls.env, "fsm_reader", groups=f"base.group_user,{USER}")
        cls.outsider = new_test_user(cls.env, "fsm_outsider", groups="base.group_user")
        cls.Project = cls.env["fsm.migration.project"]

    def _create_as_manager(self, **vals):
        with Form(self.Project.with_user(self.manager)) as form:
            form.name = vals.pop("name", "Dispatch to Odoo")
            for key, value in vals.items():
                setattr(form, key, value)
        return form.record

    def test_manager_creates_project_from_the_form(self):
        project = self._create_as_manager(source_url="https://api.dispatch.me",
                                          client_id="abc")
        self.assertEqual(project.state, "connect")
        self.assertEqual(project.source_kind, "dispatch")
        self.assertEqual(project.user_id, self.manager)
        self.assertEqual(project.company_id, self.env.company)
        self.assertEqual(project.sudo().source_url, "https://api.dispatch.me")

    def test_plain_user_cannot_create_but_can_read(self):
        with self.assertRaises(AccessError):
            self.Project.with_user(self.reader).create({"name": "Not allowed"})
        project = self._create_as_manager()
        self.assertEqual(project.with_user(self.reader).read(["name", "state"])[0]["state"],
                         "connect")
        with self.assertRaises(AccessError):
            project.with_user(self.reader).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            project.with_user(self.reader).unlink()

    def test_plain_user_never_reads_connection_settings(self):
        project = self._create_as_manager(source_url="https://api.dispatch.me", client_id="abc")
        for field in ("source_url", "client_id", "credentials_json", "client_secret_input"):
            with self.assertRaises(AccessError, msg=field):
                project.with_user(self.reader).read([field])

    def test_user_without_migration_group_sees_nothing(self):
        project = self._create_as_manager()
        with self.assertRaises(AccessError):
            project.with_user(self.outsider).read(["name"])
        menu = self.env.ref("field_service_migration.menu_fsm_migration_root")
        visible = self.env["ir.ui.menu"].with_user(self.outsider)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.reader)._visible_menu_ids())

    def test_admin_is_migration_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group(MANAGER))
        self.assertTrue(admin.has_group(USER))

    def test_secrets_are_stored_but_never_shown_back_nor_logged(self):
        project = self._create_as_manager(source_url="https://api.dispatch.me", client_id="abc")
        as_manager = project.with_user(self.manager)
        as_manager.write({"client_secret_input": "s3cr3t-value", "password_input": "pw-value"})
        as_manager.invalidate_recordset()
        self.assertFalse(as_manager.client_secret_input)
        self.assertFalse(as_manager.password_input)
        self.assertEqual(as_manager.secrets_set, "client_secret, password")
        self.assertEqual(project._get_secrets()["client_secret"], "s3cr3t-value")
        # an empty input keeps the stored secret
        as_manager.write({"client_secret_input": False})
        self.assertEqual(project._get_secrets()["client_secret"], "s3cr3t-value")
        # nothing in the chatter, the tracking values or the form's read carries it
        messages = self.env["mail.message"].search([("model", "=", project._name),
                                                    ("res_id", "=", project.id)])
        tracked = messages.sudo().tracking_value_ids
        blob = " ".join(str(v) for v in messages.mapped("body") + tracked.mapped("old_value_char")
                        + tracked.mapped("new_value_char"))
        self.assertNotIn("s3cr3t", blob)
        read = as_manager.read(["client_secret_input", "password_input", "secrets_set"])[0]
        self.assertNotIn("s3cr3t", str(read))
        as_manager.action_clear_secrets()
        self.assertEqual(project._get_secrets(), {})

    def test_source_url_allow_list(self):
        # the default policy, whatever an earlier command-line run set in this database
        self.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "False")
        project = self._create_as_manager(source_url="https://api-sandbox.dispatch.me")
        as_manager = project.with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "not on the allow-list"):
            as_manager.write({"source_url": "https://data-exfil.example.com"})
        with self.assertRaisesRegex(ValidationError, "loopback"):
            as_manager.write({"source_url": "http://127.0.0.1:8765"})
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("field_service_migration.allow_loopback", "True")
        as_manager.write({"source_url": "http://127.0.0.1:8765"})
        self.assertEqual(project._checked_url(), "http://127.0.0.1:8765")
        params.set_param("field_service_migration.allowed_hosts", "fst.example.com")
        as_manager.write({"source_url": "https://fst.example.com/api"})
        params.set_param("field_service_migration.allowed_hosts", "other.example.com")
        with self.assertRaisesRegex(UserError, "fst.example.com"):
            project._checked_url()

    def test_multi_company_rule(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.manager.write({"company_ids": [(4, other_company.id)]})
        project = self.Project.with_user(self.manager).with_company(other_company).create(
            {"name": "Other company migration", "company_id": other_company.id})
        visible = self.Project.with_user(self.reader).search([("id", "=", project.id)])
        self.assertFalse(visible, "a user of another company must not see the project")
        self.assertTrue(self.Project.with_user(self.manager).with_context(
            allowed_company_ids=[other_company.id]).search([("id", "=", project.id)]))

    def test_pipeline_status_bar_lists_design_steps(self):
        states = [key for key, _label in self.Project._fields["state"].selection]
        self.assertEqual(states[:10], ["connect", "discover", "layout", "plan", "map", "sample",
                                       "run", "verify", "delta", "done"])
        arch = self.Project.with_user(self.manager).get_view(view_type="form")["arch"]
        self.assertIn('widget="statusbar"', arch)
        # a plain user's form carries no connection settings at all
        reader_arch = self.Project.with_user(self.reader).get_view(view_type="form")["arch"]
        self.assertNotIn("client_secret_input", reader_arch)
