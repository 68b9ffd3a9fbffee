from psycopg2 import errors as pg_errors

from odoo.tests import tagged

from ..importers.engine import BatchProcessor
from ..services.engine import MappedRecord
from .common import TransactionCase, planned_project, temp_bundle


@tagged("post_install", "-at_install", "fsm_migration")
class TestRefusedRecordIsolation(TransactionCase):
    """A list the database refuses is written again record by record: only the guilty
    record fails, with the database's own words; the others are created (or updated),
    bound and journaled, as if the list had gone through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bundle = temp_bundle(cls, 0.1, 3)
        cls.project = planned_project(cls.env, name="Isolation", source_kind="fst_bundle",
                                      bundle_path=str(bundle))

    def _items(self, names):
        return [MappedRecord(role=self.line.role, source_object="customers",
                             source_id=f"iso-{index}", target_model="res.partner",
                             payload_hash=f"h{index}")
                for index, _name in enumerate(names)]

    def setUp(self):
        super().setUp()
        self.run = self.project._start_run("full", batch_size=100)
        self.processor = BatchProcessor(self.run)
        self.addCleanup(self.processor.close)
        self.line = next(line for line in self.processor.mapper.roles("customers")
                         if line.target_model == "res.partner")
        self.model = self.processor.env["res.partner"]

    def _journal(self, source_ids):
        return self.env["fsm.migration.journal"].sudo().search([
            ("project_id", "=", self.project.id), ("source_id", "in", source_ids)])

    def test_create_list_refused_then_each(self):
        names = ["Ann Isolated", None, "Bob Isolated"]  # a contact without a name: refused
        items = self._items(names)
        pairs = [(item, {"name": name, "type": "contact", "ref": "iso"})
                 for item, name in zip(items, names, strict=True)]
        before = self.model.with_context(active_test=False).search_count([])
        outcomes, issues = {}, []
        self.processor._batch_ids = {item.source_id for item in items}
        self.processor._create(self.model, self.line, pairs, outcomes, issues, None)
        self.assertEqual(outcomes, {"iso-0": "created", "iso-1": "failed",
                                    "iso-2": "created"})
        self.assertEqual(len(issues), 1)
        self.assertEqual(issues[0]["source_id"], "iso-1")
        self.assertEqual(issues[0]["status"], "failed")
        self.assertIn("Odoo refused it", issues[0]["reason"])
        self.assertIn("res_partner_check_name", issues[0]["reason"])
        created = self.model.search([("ref", "=", "iso")])
        self.assertEqual(sorted(created.mapped("name")), ["Ann Isolated", "Bob Isolated"])
        self.assertEqual(self.model.with_context(active_test=False).search_count([]),
                         before + 2)
        bindings = self.processor._existing_bindings(self.line, items)
        self.assertEqual(set(bindings), {"iso-0", "iso-2"})
        self.assertEqual({b.res_id for b in bindings.values()}, set(created.ids))
        journal = self._journal(["iso-0", "iso-1", "iso-2"])
        self.assertEqual(sorted(journal.mapped("source_id")), ["iso-0", "iso-2"])
        self.assertEqual(set(journal.mapped("operation")), {"create"})

    def test_update_list_refused_then_each(self):
        names = ["Cid Isolated", "Dee Isolated", "Eve Isolated"]
        items = self._items(names)
        self.processor._batch_ids = {item.source_id for item in items}
        self.processor._create(self.model, self.line, [
            (item, {"name": name, "type": "contact", "ref": "iso"})
            for item, name in zip(items, names, strict=True)], {}, [], None)
        bound = self.processor._existing_bindings(self.line, items)
        for item in items:
            item.payload_hash += "-changed"
        triples = [(items[0], {"ref": "changed"}, bound["iso-0"]),
                   (items[1], {"name": None, "ref": "changed"}, bound["iso-1"]),
                   (items[2], {"ref": "changed"}, bound["iso-2"])]
        outcomes, issues = {}, []
        self.processor._update(self.model, self.line, triples, outcomes, issues, None)
        self.assertEqual(outcomes, {"iso-0": "updated", "iso-1": "failed",
                                    "iso-2": "updated"})
        self.assertEqual([issue["source_id"] for issue in issues], ["iso-1"])
        self.assertIn("Odoo refused the update", issues[0]["reason"])
        self.assertIn("res_partner_check_name", issues[0]["reason"])
        self.env.invalidate_all()
        partners = self.model.browse([bound[key].res_id for key in ("iso-0", "iso-1",
                                                                    "iso-2")])
        self.assertEqual(partners.mapped("ref"), ["changed", "iso", "changed"])
        self.assertEqual(partners[1].name, "Dee Isolated")  # the refused write left nothing
        self.assertEqual(bound["iso-0"].payload_hash, "h0-changed")
        self.assertEqual(bound["iso-1"].payload_hash, "h1")
        writes = self._journal(["iso-0", "iso-1", "iso-2"]).filtered(
            lambda entry: entry.operation == "write")
        self.assertEqual(sorted(writes.mapped("source_id")), ["iso-0", "iso-2"])

    def test_follower_taken_by_a_concurrent_worker_restarts_the_batch(self):
        """A follower key the other worker took is no reason to fail a record, even when
        the records already go one by one: the batch is taken again (and then sees it)."""
        partner = self.model.create({"name": "Followed"})
        follower = self.env.ref("base.partner_admin")
        partner.message_subscribe(partner_ids=follower.ids)
        items = self._items(["first", "second"])

        def write(chunk):
            if len(chunk) > 1:
                raise ValueError("refused together")
            if chunk[0][0].source_id == "iso-1":  # what the other worker has just added
                self.env.cr.execute(
                    "INSERT INTO mail_followers (res_model, res_id, partner_id) "
                    "VALUES ('res.partner', %s, %s)", (partner.id, follower.id))
            return [True]

        outcomes, issues = {}, []
        with self.assertRaises(pg_errors.SerializationFailure):
            self.processor._all_or_each([(item,) for item in items], write,
                                        "Odoo refused it", outcomes, issues, None)
        self.assertEqual(issues, [])
