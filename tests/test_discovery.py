import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import EmulatorProcess, TransactionCase, generator_truth, run_python, temp_folder

MANAGER = "field_service_migration.group_migration_manager"


@tagged("post_install", "-at_install", "fsm_migration")
class TestBundleDiscovery(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = temp_folder(cls)
        cls.bundle = cls.folder / "bundle"
        run_python("-m", "emulators.fst_bundle", "--out", str(cls.bundle), "--zip",
                   "--scale", "1", "--seed", "11")
        cls.truth = generator_truth("fst", 1, 11)
        cls.manager = new_test_user(cls.env, "fsm_disc_manager",
                                    groups=f"base.group_user,{MANAGER}")
        cls.project = cls.env["fsm.migration.project"].with_user(cls.manager).create({
            "name": "FST bundle", "source_kind": "fst_bundle",
            "bundle_path": str(cls.bundle) + ".zip"})

    def test_discovery_matches_generator_truth(self):
        project = self.project
        project.action_test_connection()
        self.assertEqual(project.state, "discover")
        project.action_discover()
        self.assertEqual(project.state, "plan")
        counts = {o.name: o.record_count for o in project.object_ids}
        for obj, expected in self.truth["counts"].items():
            self.assertEqual(counts.get(obj), expected, obj)
        self.assertEqual(project.multi_contact_customers,
                         len(self.truth["customers_with_2plus_contacts"]))
        self.assertEqual(project.multi_site_customers,
                         len(self.truth["customers_with_2plus_sites"]))
        work_orders = project.object_ids.filtered(lambda o: o.name == "work_orders")
        custom = work_orders.field_ids.filtered("is_custom").mapped("name")
        declared = {f["name"] for f in self.truth["custom_fields"]
                    if f["object"] == "work_orders"}
        self.assertTrue(declared, "the generator declares custom work-order fields")
        for name in declared:
            self.assertTrue(any(name in field for field in custom), (name, custom))
        emails = project.object_ids.filtered(lambda o: o.name == "customers").field_ids.filtered(
            lambda f: f.name == "email")
        self.assertEqual(emails.inferred_type, "email")
        self.assertGreater(emails.null_rate, 0, "the generator leaves some e-mails empty")
        self.assertLessEqual(len(emails.samples.split(" | ")), 5)
        # re-running replaces the dictionary instead of adding to it
        fields_before = project.source_field_count
        project.action_discover()
        self.assertEqual(project.source_field_count, fields_before)
        self.assertEqual(len(project.object_ids), len(self.truth["counts"]))

    def test_plain_user_cannot_discover(self):
        reader = new_test_user(self.env, "fsm_disc_reader",
                               groups="base.group_user,field_service_migration.group_migration_user")
        with self.assertRaises(AccessError):
            self.project.with_user(reader).action_discover()
        self.assertFalse(self.project.object_ids)

    def test_unreadable_bundle_says_why(self):
        broken = self.folder / "broken.zip"
        broken.write_bytes(b"PK\x03\x04 truncated")
        self.project.bundle_path = str(broken)
        with self.assertRaisesRegex(UserError, "broken.zip"):
            self.project.action_discover()

    def test_cardinality_figures_are_stored(self):
        self.project.action_discover()
        figures = json.loads(self.project.cardinality_json)
        self.assertEqual({f["label"] for f in figures},
                         {"customers with several contacts", "customers with several sites"})


@tagged("post_install", "-at_install", "fsm_migration")
class TestEmulatorDiscovery(TransactionCase):
    """Discovery over HTTP against the local emulators, run as separate processes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "True")
        cls.manager = new_test_user(cls.env, "fsm_http_manager",
                                    groups=f"base.group_user,{MANAGER}")

    def _project(self, **vals):
        return self.env["fsm.migration.project"].with_user(self.manager).create(
            {"name": "HTTP discovery", **vals})

    def test_fst_rest_discovery_matches_generator_truth(self):
        truth = generator_truth("fst", 1, 4)
        with EmulatorProcess("emulators.fst", "--scale", "1", "--seed", "4",
                             "--auth", "apikey", "--pagination", "cursor") as url:
            project = self._project(
                source_kind="fst_rest", source_url=url, auth_method="api_key",
                api_key_input="fst-dev-key",
                rest_config=json.dumps({"pagination": "cursor", "page_size": 50}))
            project.action_test_connection()
            project.action_discover()
        counts = {o.name: o.record_count for o in project.object_ids}
        for obj, expected in truth["counts"].items():
            self.assertEqual(counts.get(obj), expected, obj)
        self.assertEqual(project.multi_contact_customers,
                         len(truth["customers_with_2plus_contacts"]))
        self.assertEqual(project.multi_site_customers, len(truth["customers_with_2plus_sites"]))

    def test_fst_rest_wrong_key_is_a_clear_error_without_the_secret(self):
        with EmulatorProcess("emulators.fst", "--scale", "0.1", "--auth", "apikey") as url:
            project = self._project(source_kind="fst_rest", source_url=url,
                                    auth_method="api_key", api_key_input="wrong-key-123")
            action = project.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("Connection failed", project.last_connection_message)
        self.assertNotIn("wrong-key-123", project.last_connection_message)
        self.assertEqual(project.state, "connect")

    def test_dispatch_discovery_matches_generator_truth(self):
        truth = generator_truth("dispatch", 1, 5)
        with EmulatorProcess("emulators.dispatch", "--scale", "1", "--seed", "5",
                             "--client-id", "odoo-test", "--client-secret", "t0p-secret") as url:
            project = self._project(source_kind="dispatch", source_url=url,
                                    client_id="odoo-test", client_secret_input="t0p-secret")
            project.action_test_connection()
            project.action_discover()
        counts = {o.name: o.record_count for o in project.object_ids}
        for obj, expected in truth["counts"].items():
            self.assertEqual(counts.get(obj), expected, obj)
        jobs = project.object_ids.filtered(lambda o: o.name == "jobs")
        self.assertTrue(jobs.field_ids.filtered(lambda f: f.name.startswith("custom_fields.")
                                                and f.is_custom))
        self.assertEqual(project.multi_site_customers,
                         len(truth["customers_with_2plus_locations"]))
        self.assertEqual(project.multi_contact_customers,
                         len(truth["customers_with_2plus_contacts"]))
