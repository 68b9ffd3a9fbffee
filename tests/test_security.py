"""Attacks on the migration's rights model, by a Migration Manager who is not an Odoo
administrator and by a Migration User, through the ORM (``with_user``) and over RPC
(``/web/dataset/call_kw``). Each finding of the security review is reproduced here and
must now fail with a clear error."""

import json
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .. import compat
from ..importers.attachment_policy import INERT, stored_mimetype
from .common import HttpCase, TransactionCase, temp_bundle

MANAGER = "field_service_migration.group_migration_manager"
USER = "field_service_migration.group_migration_user"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe"
       b"\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _users(env, prefix):
    return (new_test_user(env, f"{prefix}_manager", groups=f"base.group_user,{MANAGER}",
                          email=False),
            new_test_user(env, f"{prefix}_reader", groups=f"base.group_user,{USER}"),
            new_test_user(env, f"{prefix}_plain", groups="base.group_user"))


@tagged("post_install", "-at_install", "fsm_migration")
class TestSecurityAttacks(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager, cls.reader, cls.plain = _users(cls.env, "sec")
        bundle = temp_bundle(cls, 0.2, 31)
        # discovered, proposed and confirmed by the manager (who has no e-mail address)
        cls.project = cls.env["fsm.migration.project"].with_user(cls.manager).create({
            "name": "Security", "source_kind": "fst_bundle", "bundle_path": str(bundle),
            "fallback_user_id": cls.manager.id})
        cls.project.action_discover()
        cls.project.action_propose_map()
        cls.map = cls.project.map_id

    def _planned(self, **vals):
        """A project discovered, its proposal confirmed without the custom-field lines and
        its plan applied (the custom fields aside: Odoo keeps its registry across a test's
        rollback, so a field another test of this class created may seem to exist)."""
        vals = {"fallback_user_id": self.env.ref("base.user_admin").id, "skip_sample": True,
                **vals}
        project = self.env["fsm.migration.project"].create(vals)
        project.action_discover()
        project.action_propose_map()
        project.map_id.field_line_ids.filtered(
            lambda f: f.new_field_type or (f.target_field or "").startswith("x_")).write(
            {"skip": True})
        project.map_id.action_confirm()
        self.env["fsm.migration.plan.apply"].with_context(active_id=project.id).create(
            {}).action_apply()
        return project

    def _draft(self):
        """A draft map version of the manager's own."""
        return self.env["fsm.migration.map"].browse(
            self.map.with_user(self.manager).action_new_version()["res_id"]).with_user(
            self.manager)

    # -- map → administrator ------------------------------------------------------------
    def test_object_line_on_users_with_groups_default_is_refused(self):
        draft = self._draft()
        self.env["fsm.migration.map.object"].with_user(self.manager).create({
            "map_id": draft.id, "source_object": "technicians", "target_model": "res.users",
            "role": "user", "sequence": 99, "defaults": {
                compat.USER_GROUPS: [self.env.ref("base.group_system").id],
                "password": "pwned"}})
        with self.assertRaisesRegex(UserError, "matched by the user plan"):
            draft.action_confirm()
        self.assertEqual(draft.state, "draft")

    def test_default_linking_a_partner_to_a_user_is_refused(self):
        draft = self._draft()
        line = draft.object_line_ids.filtered(lambda o: o.target_model == "res.partner")[:1]
        line.defaults = dict(line.defaults or {}, user_ids=[2])
        with self.assertRaisesRegex(UserError, "user_ids is never written"):
            draft.action_confirm()

    def test_map_line_to_a_model_outside_the_map_is_refused(self):
        draft = self._draft()
        self.env["fsm.migration.map.field"].with_user(self.manager).create({
            "map_id": draft.id, "source_object": "customers", "source_field": "name",
            "target_model": "ir.config_parameter", "target_field": "value"})
        with self.assertRaisesRegex(UserError, "not a target a migration map may write"):
            draft.action_confirm()

    def test_custom_fields_only_on_target_models(self):
        for model in ("ir.rule", "res.groups", "res.users", "ir.config_parameter"):
            draft = self._draft()
            self.env["fsm.migration.map.field"].with_user(self.manager).create({
                "map_id": draft.id, "source_object": "customers", "source_field": "name",
                "target_model": model, "target_field": "x_evil", "new_field_type": "char"})
            with self.assertRaisesRegex(UserError, "custom fields are created only|not in "
                                                   "the database|not a target", msg=model):
                draft.action_confirm()

    def test_engine_refuses_a_forged_confirmed_map(self):
        """A map confirmed behind validation's back (as by SQL, by someone with database
        access): the engine checks the rights model itself before every write."""
        project = self._planned(name="Forged map", source_kind="fst_bundle",
                                  bundle_path=self.project.sudo().bundle_path)
        draft = self.env["fsm.migration.map"].browse(
            project.map_id.action_new_version()["res_id"])
        line = draft.object_line_ids.filtered(lambda o: o.role == "company")[:1]
        self.assertTrue(line)
        line.defaults = dict(line.defaults or {}, user_ids=["Administrator"])
        project.confirmed_map_id.state = "superseded"
        draft.state = "confirmed"  # (no validation)
        self.assertEqual(project.confirmed_map_id, draft)
        admin = self.env.ref("base.user_admin")
        partner = admin.partner_id
        run = project._start_run("full", batch_size=100)
        run.run_until_done()
        self.assertEqual(admin.partner_id, partner, "no partner took the admin user")
        refused = run.issue_ids.filtered(lambda i: "rights model" in i.reason)
        self.assertTrue(refused, (run.state, run.batch_ids.mapped(
            lambda b: (b.source_object, b.created, b.failed, b.skipped, b.error)),
            run.issue_ids.mapped("reason")[:5]))
        self.assertTrue(all("user_ids" in i.reason and i.status == "failed" for i in refused))
        self.assertEqual(set(refused.mapped("role")), {"company"})

    # -- binding forgery ------------------------------------------------------------------
    def test_bindings_batches_runs_issues_are_read_only_to_managers(self):
        for model in ("fsm.migration.binding", "fsm.migration.batch", "fsm.migration.run",
                      "fsm.migration.issue", "fsm.migration.diff"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.manager).create({})
        self.project.sudo().skip_sample = True
        run = self._planned(name="Bindings", source_kind="fst_bundle",
                              bundle_path=self.project.sudo().bundle_path)._start_run("full")
        run.run_until_done()
        binding = self.env["fsm.migration.binding"].search([("run_id", "=", run.id)], limit=1)
        self.assertTrue(binding, run.issue_ids.mapped("reason")[:3])
        with self.assertRaises(AccessError):
            binding.with_user(self.manager).write({"res_id": 2, "model": "res.users"})
        with self.assertRaises(AccessError):
            binding.with_user(self.manager).unlink()
        with self.assertRaises(AccessError):
            run.batch_ids[:1].with_user(self.manager).write({"state": "pending"})
        with self.assertRaises(AccessError):
            run.with_user(self.manager).write({"state": "running"})

    def test_engine_never_updates_through_a_binding_it_did_not_write(self):
        project = self._planned(name="Forged binding", source_kind="fst_bundle",
                                  bundle_path=self.project.sudo().bundle_path)
        project._start_run("full", batch_size=100).run_until_done()
        binding = self.env["fsm.migration.binding"].search([
            ("project_id", "=", project.id), ("model", "=", "res.partner"),
            ("role", "=", "company")], limit=1)
        admin = self.env.ref("base.user_admin")
        login = admin.login
        # a binding pointed at the administrator (by SQL: no user can write one)
        binding.sudo().write({"model": "res.users", "res_id": admin.id,
                              "payload_hash": "changed"})
        run = project._start_run("full", batch_size=100)
        run.run_until_done()
        self.assertEqual(admin.login, login)
        failed = run.issue_ids.filtered(lambda i: i.source_id == binding.source_id)
        self.assertTrue(failed and "not a res.partner this project wrote" in failed[0].reason,
                        run.issue_ids.mapped("reason"))

    # -- confirmation, approval and state are not writable ---------------------------------
    def test_map_state_and_confirmation_are_not_writable(self):
        draft = self._draft()
        with self.assertRaisesRegex(AccessError, "change only through their own buttons"):
            draft.write({"state": "confirmed", "confirmed_by": self.manager.id})
        with self.assertRaises(AccessError):
            self.env["fsm.migration.map"].with_user(self.manager).create({
                "project_id": self.project.id, "version": 99, "state": "confirmed"})
        draft.action_confirm()
        self.assertEqual(draft.state, "confirmed")
        self.assertEqual(draft.confirmed_by, self.manager)
        # a confirmed version and its lines are frozen: no line added, changed or removed
        with self.assertRaisesRegex(UserError, "frozen"):
            self.env["fsm.migration.map.field"].with_user(self.manager).create({
                "map_id": draft.id, "source_object": "customers", "source_field": "name",
                "target_model": "res.partner", "target_field": "comment"})
        with self.assertRaisesRegex(UserError, "frozen"):
            draft.field_line_ids[:1].unlink()
        with self.assertRaisesRegex(UserError, "frozen"):
            draft.object_line_ids[:1].write({"defaults": {"type": "other"}})
        with self.assertRaises(AccessError):
            draft.write({"state": "draft"})

    def test_project_gates_are_not_writable(self):
        project = self.project.with_user(self.manager)
        for vals in ({"state": "run"}, {"sample_approved": True}):
            with self.assertRaisesRegex(AccessError, "own buttons", msg=vals):
                project.write(vals)
        with self.assertRaises(AccessError):
            self.env["fsm.migration.project"].with_user(self.manager).create(
                {"name": "Approved already", "sample_approved": True})

    def test_full_run_requires_an_approved_sample_or_no_sample(self):
        draft = self._draft()
        draft.action_confirm()
        with self.assertRaisesRegex(UserError, "approve its diff first"):
            self.project.with_user(self.manager).action_start_full_run()
        with self.assertRaises(AccessError):  # a reader cannot say "no sample"
            self.project.with_user(self.reader).write({"skip_sample": True})
        with self.assertRaises(AccessError):  # nor approve a sample
            self.project.with_user(self.reader).action_approve_sample()

    # -- users the plan creates -----------------------------------------------------------
    def test_plan_users_get_exactly_the_project_groups(self):
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        project = admin_env["fsm.migration.project"].create({
            "name": "Users", "source_kind": "fst_bundle", "skip_sample": True,
            "bundle_path": self.project.sudo().bundle_path,
            "fallback_user_id": self.manager.id})
        project.action_discover()
        project.action_propose_map()
        creating = project.map_id.user_line_ids.filtered(lambda u: u.action == "create")
        self.assertTrue(creating, "an administrator's plan creates unmatched technicians")
        project.map_id.action_confirm()
        admin_env["fsm.migration.plan.apply"].with_context(active_id=project.id).create(
            {}).action_apply()
        users = self.env["res.users"].search([("login", "in", creating.mapped("email"))])
        self.assertEqual(len(users), len(creating))
        expected = (self.env.ref("base.group_user") | self.env.ref(
            "sales_team.group_sale_salesman")).ids
        for user in users:
            groups = user[compat.USER_GROUPS]
            self.assertEqual(sorted((groups - groups.filtered(
                lambda g: g.id not in expected and g in self.env.ref(
                    "sales_team.group_sale_salesman").trans_implied_ids)).ids), sorted(
                expected), user.login)
            self.assertFalse(user.has_group("base.group_system"))
            self.assertFalse(user.has_group("base.group_erp_manager"))
            if "account.move" in self.env:
                self.assertFalse(user.has_group("account.group_account_manager"))

    def test_manager_without_user_rights_plans_no_user_creation(self):
        lines = self.map.user_line_ids
        self.assertTrue(lines)
        self.assertNotIn("create", lines.mapped("action"))
        draft = self._draft()
        line = draft.user_line_ids.filtered(lambda u: u.email)[:1]
        line.write({"action": "create"})
        with self.assertRaisesRegex(UserError, "needs Administration / Access Rights"):
            draft.action_confirm()

    # -- secrets, payloads ----------------------------------------------------------------
    def test_stored_secrets_are_readable_by_nobody(self):
        project = self.env["fsm.migration.project"].with_user(self.manager).create({
            "name": "Secrets", "source_url": "https://api.dispatch.me", "client_id": "abc",
            "client_secret_input": "s3cret"})
        for user in (self.manager, self.reader, self.env.ref("base.user_admin")):
            with self.assertRaises(AccessError, msg=user.login):
                project.with_user(user).read(["credentials_json"])
        self.assertEqual(project._get_secrets()["client_secret"], "s3cret")
        self.assertEqual(project.secrets_set, "client_secret")

    def test_batch_payloads_are_managers_only(self):
        project = self._planned(name="Payloads", source_kind="fst_bundle",
                                  bundle_path=self.project.sudo().bundle_path)
        run = project._start_run("full", batch_size=200)
        batch = run.batch_ids[:1]
        with self.assertRaises(AccessError):
            batch.with_user(self.reader).read(["payload"])
        self.assertTrue(batch.with_user(self.manager).read(["payload"])[0]["payload"])

    # -- outbound settings ----------------------------------------------------------------
    def test_loopback_flag_of_the_command_line_is_its_own(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("field_service_migration.allow_loopback", "False")
        Project = self.env["fsm.migration.project"]
        self.assertTrue(Project.sudo().with_context(fsm_allow_loopback=True)._get_url_policy()[1])
        # the same context key from an RPC caller is not trusted
        self.assertFalse(Project.with_user(self.manager).with_context(
            fsm_allow_loopback=True)._get_url_policy()[1])
        self.assertEqual(params.get_param("field_service_migration.allow_loopback"), "False")

    # -- attachments ----------------------------------------------------------------------
    def test_attachment_types_come_from_the_bytes(self):
        self.assertEqual(stored_mimetype(b"<html><script>alert(1)</script></html>",
                                         "text/html"), INERT)
        self.assertEqual(stored_mimetype(b'<svg xmlns="x"><script/></svg>', "image/png"),
                         INERT)
        self.assertEqual(stored_mimetype(PNG, "text/html"), "image/png")
        self.assertEqual(stored_mimetype(b"%PDF-1.4 ...", "image/svg+xml"), "application/pdf")
        self.assertEqual(stored_mimetype(b"plain words", "text/csv"), "text/csv")
        self.assertEqual(stored_mimetype(b"<svg></svg>", None, allow_active=True),
                         "image/svg+xml")

    def test_migrated_html_attachment_is_stored_inert(self):
        bundle = Path(self.project.sudo().bundle_path)
        manifest = (bundle / "attachments.csv").read_text().splitlines()
        header = manifest[0].split(",")
        first = manifest[1].split(",")
        path = first[header.index("path")]
        (bundle / "files" / path).write_bytes(
            b"<html><body><script>alert(document.cookie)</script>")
        first[header.index("mime_type")] = "text/html"
        manifest[1] = ",".join(first)
        (bundle / "attachments.csv").write_text("\n".join(manifest) + "\n")
        project = self._planned(name="Active file", source_kind="fst_bundle",
                                  bundle_path=str(bundle))
        run = project._start_run("full", batch_size=200)
        run.run_until_done()
        binding = self.env["fsm.migration.binding"].search([
            ("project_id", "=", project.id), ("source_object", "=", "attachments"),
            ("source_id", "=", first[header.index("attachment_id")])])
        attachment = self.env["ir.attachment"].browse(binding.res_id)
        self.assertEqual(attachment.mimetype, INERT)
        self.assertEqual(run.verified_different, 0)


@tagged("post_install", "-at_install", "fsm_migration")
class TestSecurityOverRpc(HttpCase):
    """The same refusals through the web client's own RPC route."""

    def setUp(self):
        super().setUp()
        self.manager, self.reader, _plain = _users(self.env, "rpc")
        for user in (self.manager, self.reader):
            user.password = f"{user.login}-pw"
        self.project = self.env["fsm.migration.project"].with_user(self.manager).create({
            "name": "RPC", "source_url": "https://api.dispatch.me", "client_id": "abc",
            "client_secret_input": "s3cret"})

    def _call(self, user, model, method, args, kwargs=None):
        self.authenticate(user.login, f"{user.login}-pw")
        response = self.url_open("/web/dataset/call_kw", data=json.dumps({
            "jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": args, "kwargs": kwargs or {}}}),
            headers={"Content-Type": "application/json"})
        return response.json()

    def _refused(self, answer, words):
        self.assertIn("error", answer, answer)
        self.assertIn(words, json.dumps(answer["error"]))

    def test_rpc_refusals(self):
        pid = self.project.id
        self._refused(self._call(self.manager, "fsm.migration.project", "read",
                                 [[pid], ["credentials_json"]]), "AccessError")
        self._refused(self._call(self.manager, "fsm.migration.project", "write",
                                 [[pid], {"sample_approved": True}]), "own buttons")
        self._refused(self._call(self.manager, "fsm.migration.map", "create",
                                 [{"project_id": pid, "state": "confirmed"}]), "own buttons")
        self._refused(self._call(self.manager, "fsm.migration.binding", "create", [{
            "project_id": pid, "source_object": "customers", "source_id": "1",
            "role": "company", "model": "res.users", "res_id": 2}]), "AccessError")
        self._refused(self._call(self.manager, "fsm.migration.journal", "create", [{
            "project_id": pid, "operation": "create", "model": "res.users", "res_id": 2}],
            {"context": {"fsm_journal_append": True}}), "AccessError")
        self._refused(self._call(self.reader, "fsm.migration.project", "action_approve_sample",
                                 [[pid]]), "AccessError")
        self.assertFalse(self.project.sample_approved)
