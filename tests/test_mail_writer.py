from psycopg2.errors import UniqueViolation

from odoo.tests import tagged
from odoo.tools import mute_logger

from .. import compat
from ..importers.bulk import insert_rows
from ..importers.engine import BatchProcessor
from ..importers.mail_writer import create_activities, create_messages
from .common import TransactionCase

MESSAGE = ("reply_to", "record_name", "email_from", "author_id", "model", "res_id", "body",
           "message_type", "subtype_id")
ACTIVITY = ("res_name", "res_model", "res_id", "user_id", "summary", "activity_type_id")


@tagged("post_install", "-at_install")
class TestMailWriter(TransactionCase):
    """The engine's message and activity creation (document lookups once per list) and its
    journal and binding inserts (one INSERT) store what Odoo's ``create`` stores."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # an alias domain, so that a lead of a team with an alias replies to the alias
        domain = cls.env["mail.alias.domain"].create({"name": "jobs.example.com"})
        cls.env.company.alias_domain_id = domain
        cls.team = cls.env["crm.team"].create({"name": "Field team", "alias_name": "field-jobs"})
        cls.partner = cls.env["res.partner"].create({"name": "Author",
                                                     "email": "author@example.com"})
        cls.leads = cls.env["crm.lead"].create([
            {"name": f"Job {i}", "team_id": cls.team.id if i % 2 else False,
             "partner_id": cls.partner.id if i % 3 else False} for i in range(6)])
        cls.companies = cls.env["res.partner"].create([{"name": f"Co {i}", "is_company": True}
                                                       for i in range(2)])

    def _compare(self, create, plain_create, vals_list, names):
        with self.env.cr.savepoint() as savepoint:
            plain = plain_create([dict(v) for v in vals_list])
            self.env.flush_all()
            self.env.invalidate_all()
            expected = [{k: v for k, v in row.items() if k != "id"}
                        for row in plain.read(list(names))]
            savepoint.rollback()
        self.env.invalidate_all()
        ours = create([dict(v) for v in vals_list])
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual([{k: v for k, v in row.items() if k != "id"}
                          for row in ours.read(list(names))], expected)
        return expected

    def test_messages_as_odoo_creates_them(self):
        Message = self.env["mail.message"].with_context(tracking_disable=True)
        note = self.env.ref("mail.mt_note")
        vals_list = []
        for i, lead in enumerate(self.leads):
            vals_list.append({"model": "crm.lead", "res_id": lead.id, "body": f"<p>note {i}</p>",
                              "message_type": "comment", "subtype_id": note.id,
                              "author_id": self.partner.id if i % 2 else False})
        vals_list += [{"model": "res.partner", "res_id": company.id, "body": "<p>call</p>",
                       "message_type": "comment", "subtype_id": note.id,
                       "email_from": "someone@example.com"} for company in self.companies]
        vals_list.append({"body": "<p>no document</p>", "message_type": "comment"})
        expected = self._compare(lambda v: create_messages(Message, v), Message.create,
                                 vals_list, MESSAGE)
        self.assertIn("field-jobs", " ".join(str(row["reply_to"]) for row in expected),
                      "a lead of the team replies to the team's alias")
        self.assertEqual(expected[0]["record_name"], "Job 0")

    def test_activities_as_odoo_creates_them(self):
        Activity = self.env["mail.activity"].with_context(tracking_disable=True,
                                                          mail_create_nosubscribe=True)
        model_id = self.env["ir.model"]._get_id("crm.lead")
        todo = self.env.ref("mail.mail_activity_data_todo")
        vals_list = [{"res_model_id": model_id, "res_id": lead.id, "summary": f"visit {i}",
                      "activity_type_id": todo.id, "user_id": self.env.uid}
                     for i, lead in enumerate(self.leads)]
        expected = self._compare(lambda v: create_activities(Activity, v), Activity.create,
                                 vals_list, ACTIVITY)
        self.assertEqual(expected[1]["res_name"], "Job 1")

    def test_journal_and_binding_rows_as_create_writes_them(self):
        project = self.env["fsm.migration.project"].create({"name": "Bulk",
                                                            "source_kind": "fst_bundle"})
        entries = [{"project_id": project.id, "operation": "create", "model": "crm.lead",
                    "res_id": lead.id, "source_object": "work_orders", "source_id": str(i),
                    "new_values": {"name": lead.name}, "old_values": False if i else {}}
                   for i, lead in enumerate(self.leads)]
        journal = self.env["fsm.migration.journal"]._log(entries)
        self.assertEqual(project.journal_count, len(self.leads),
                         "the project's count sees the new entries")
        self.env.invalidate_all()
        for entry, vals in zip(journal, entries, strict=True):
            self.assertEqual((entry.res_id, entry.source_id, entry.new_values, entry.operation),
                             (vals["res_id"], vals["source_id"], vals["new_values"], "create"))
            self.assertEqual(entry.user_id, self.env.user, "the default user, as create sets")
            self.assertEqual(entry.company_id, project.company_id, "the related company")
            self.assertTrue(entry.date)
        self.assertFalse(journal[0].old_values, "an empty value is stored as NULL")
        Binding = self.env["fsm.migration.binding"].sudo()
        vals_list = [{"project_id": project.id, "source_object": "work_orders",
                      "source_id": str(i), "role": "lead", "model": "crm.lead",
                      "res_id": lead.id, "payload_hash": "h"} for i, lead in
                     enumerate(self.leads)]
        bindings = insert_rows(Binding, vals_list)
        self.env.invalidate_all()
        self.assertEqual(bindings.mapped("res_id"), self.leads.ids)
        self.assertEqual(bindings.mapped("create_uid"), self.env.user)
        self.assertEqual(bindings[0].company_id, project.company_id)
        with self.assertRaises(UniqueViolation), self.env.cr.savepoint(), \
                mute_logger("odoo.sql_db"):
            insert_rows(Binding, vals_list[:1])  # the unique key holds as with create


@tagged("post_install", "-at_install")
class TestActivityRounds(TransactionCase):
    """Two activities on one record, one assigned to the migrating user and one with no
    user (Odoo gives it to the migrating user): Odoo subscribes that user twice in one
    INSERT if they go in one list. Found on an account whose appointments sometimes name
    no technician while others go to the fallback user."""

    def test_an_activity_without_user_is_the_current_users(self):
        lead = self.env["crm.lead"].create({"name": "Job"})
        model = self.env["mail.activity"].with_user(self.env.ref("base.user_admin")).sudo()
        common = {"res_model_id": self.env["ir.model"]._get_id("crm.lead"), "res_id": lead.id,
                  "activity_type_id": self.env.ref("mail.mail_activity_data_call").id}
        pairs = [("a", dict(common, summary="assigned", user_id=model.env.uid)),
                 ("b", dict(common, summary="nobody named"))]
        rounds = BatchProcessor._rounds(model, pairs)
        self.assertEqual([[item for item, _values in r] for r in rounds], [["a"], ["b"]])
        if compat.ACTIVITY_SUBSCRIBES_TWICE:
            with mute_logger("odoo.sql_db"), self.assertRaises(UniqueViolation), \
                    self.env.cr.savepoint():
                create_activities(model, [values for _item, values in pairs])  # refused
        for one_round in rounds:
            create_activities(model, [values for _item, values in one_round])
        self.assertEqual(len(lead.activity_ids), 2)
        self.assertEqual(lead.message_partner_ids.ids.count(model.env.user.partner_id.id), 1)
