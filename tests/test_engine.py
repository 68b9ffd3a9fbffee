import logging
from collections import Counter

import requests

from odoo.tests import new_test_user, tagged

from ..services import transforms
from .common import (
    COUNTERS,
    TransactionCase,
    broken_map_project,
    dispatch_emulator,
    dispatch_vals,
    generator_truth,
    per_object,
    planned_project,
    temp_bundle,
    temp_folder,
)

_logger = logging.getLogger(__name__)
MANAGER = "field_service_migration.group_migration_manager"


class EngineCase(TransactionCase):
    """An FST bundle discovered, mapped, confirmed and planned, ready to run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bundle = temp_bundle(cls, 0.3, 8)
        cls.truth = generator_truth("fst", 0.3, 8)
        # (with user administration: the plan creates the unmatched technicians' users)
        cls.manager = new_test_user(cls.env, "fsm_engine_manager",
                                    groups=f"base.group_user,base.group_erp_manager,{MANAGER}")
        cls.project = cls.env["fsm.migration.project"].with_user(cls.manager).create({
            "name": "Engine test", "source_kind": "fst_bundle", "bundle_path": str(bundle),
            "fallback_user_id": cls.env.ref("base.user_admin").id, "skip_sample": True})
        cls.project.action_discover()
        cls.project.action_propose_map()
        cls.project.map_id.action_confirm()
        cls.env["fsm.migration.plan.apply"].with_user(cls.manager).with_context(
            active_id=cls.project.id).create({}).action_apply()

    def _run(self):
        run = self.project._start_run("full", batch_size=100)
        run.run_until_done()
        self.assertEqual(run.state, "done")
        return run

    @staticmethod
    def _per_object(run):
        return per_object(run)



@tagged("post_install", "-at_install", "fsm_migration")
class TestEngineFstBundle(EngineCase):
    """A whole FST bundle through the engine: every record accounted for, re-run idle."""

    def test_full_run_accounts_for_every_record_and_reruns_idle(self):
        # sent mails are deleted: count the mail.mail ids handed out instead
        self.env.cr.execute("SELECT last_value FROM mail_mail_id_seq")
        mail_seq_before = self.env.cr.fetchone()[0]
        run = self._run()
        stats = self._per_object(run)
        reasons = Counter((i.source_object, i.status, i.reason[:90]) for i in run.issue_ids)
        _logger.info("engine run: %s", stats)
        for reason, count in reasons.most_common(15):
            _logger.info("engine issue x%s: %s", count, reason)
        self.assertFalse(run.batch_ids.filtered(lambda b: b.state == "error"),
                         run.batch_ids.mapped("error"))
        for obj, count in self.truth["counts"].items():
            if obj in ("custom_fields",):
                continue
            row = stats.get(obj)
            self.assertTrue(row, f"{obj} was staged")
            self.assertEqual(row["source"], count, obj)
            self.assertEqual(sum(row[k] for k in COUNTERS), count, f"{obj}: {row}")
        issues = run.issue_ids
        self.assertEqual(len(set(issues.filtered(lambda i: i.status == "blocked").mapped(
            lambda i: (i.source_object, i.source_id)))), sum(r["blocked"] for r in stats.values()))
        self.assertTrue(all(issue.reason for issue in issues))
        # orphans (a work order whose customer is gone) are blocked by that parent
        orphans = set(map(str, self.truth["orphan_work_order_ids"]))
        blocked_orders = set(issues.filtered(
            lambda i: i.source_object == "work_orders" and i.status == "blocked").mapped(
            "source_id"))
        self.assertTrue(orphans <= blocked_orders, orphans - blocked_orders)
        # what was written is in Odoo, bound and journaled
        leads = self.env["fsm.migration.binding"].search([
            ("project_id", "=", self.project.id), ("source_object", "=", "work_orders"),
            ("model", "=", "crm.lead")])
        self.assertEqual(len(leads), stats["work_orders"]["created"])
        lead_records = self.env["crm.lead"].with_context(active_test=False).browse(
            leads.mapped("res_id"))
        self.assertTrue(all(lead.type == "opportunity" for lead in lead_records))
        self.assertTrue(lead_records.filtered(lambda lead: lead.stage_id.is_won),
                        "completed work orders land in a won stage")
        self.env.cr.execute("SELECT last_value FROM mail_mail_id_seq")
        self.assertEqual(self.env.cr.fetchone()[0], mail_seq_before,
                         "a migration queues no e-mail")
        journal = self.project.journal_ids.filtered(lambda j: j.operation == "create")
        self.assertGreaterEqual(len(journal), len(leads))
        # notes become chatter messages with their original date and an author
        staged = {str(r["id"]): r for b in run.batch_ids.filtered(
            lambda b: b.source_object == "notes") for r in b.payload}
        messages = self.env["fsm.migration.binding"].search([
            ("project_id", "=", self.project.id), ("model", "=", "mail.message")])
        self.assertEqual(len(messages), stats["notes"]["created"])
        with_images = 0
        for binding in messages:
            message = self.env["mail.message"].browse(binding.res_id)
            source = staged[binding.source_id]
            self.assertEqual(str(message.date),
                             transforms.apply("datetime_utc", source["created_at"]))
            self.assertTrue(message.author_id)
            self.assertEqual((message.model, message.message_type), ("crm.lead", "comment"))
            if "data:image" in (source.get("body_html") or ""):
                with_images += 1
                self.assertNotIn("data:image", message.body)
                self.assertIn("/web/image/", message.body)
                self.assertTrue(message.attachment_ids)
                self.assertEqual(message.attachment_ids.mapped("res_model"), ["crm.lead"])
        self.assertGreater(with_images, 0, "the generator writes notes with inline images")
        # the chatter of the migrated leads holds the migrated notes and nothing else (no
        # "meeting logged", no creation log): events are linked to their activities
        self.assertEqual(self.env["mail.message"].search_count([
            ("model", "=", "crm.lead"), ("res_id", "in", leads.mapped("res_id"))]),
            len(messages))

        # verify: every written record read back and compared with what the map expects
        self.assertEqual((run.verified_different, run.verified_missing), (0, 0),
                         run.diff_ids[:5].mapped(lambda d: (d.model, d.field_name,
                                                            d.expected_value, d.odoo_value)))
        self.assertGreater(run.verified_equal + run.verified_transformed, 0)
        # the reconciliation view balances, per object, and opens its records
        rows = self.env["fsm.migration.reconciliation"].search([("run_id", "=", run.id)])
        self.assertEqual({r.source_object: r.source for r in rows},
                         {obj: row["source"] for obj, row in stats.items()})
        self.assertTrue(all(rows.mapped("balanced")))
        written = rows.filtered(lambda r: r.source_object == "work_orders").action_open_written()
        self.assertEqual(self.env[written["res_model"]].search_count(written["domain"]),
                         self.env["fsm.migration.binding"].search_count([
                             ("run_id", "=", run.id), ("source_object", "=", "work_orders")]))
        # what has no home in Odoo is in the rebuild reference
        rebuild = run._rebuild_reference()
        if "account.move" not in self.env:
            self.assertIn("invoices", rebuild["not_migrated_objects"])
            self.assertEqual(len(rebuild["records"]["invoices"]), stats["invoices"]["source"])
        self.assertTrue(rebuild["vocabularies"])

        again = self._run()
        totals = self._per_object(again)
        self.assertEqual(sum(r["created"] for r in totals.values()), 0, totals)
        self.assertEqual(sum(r["updated"] for r in totals.values()), 0, totals)


    def test_sample_diff_discard_approve_then_full_run_reuses_it(self):
        project = self.project.with_user(self.manager)
        project.sample_size = 40
        project.action_run_sample()
        sample = project.sample_run_id
        self.assertEqual((sample.kind, sample.state), ("sample", "done"))
        staged = {b.source_object: b.record_count for b in sample.batch_ids}
        self.assertLess(staged["work_orders"], self.truth["counts"]["work_orders"])
        diff = sample.diff_ids
        wrong = diff.filtered(lambda d: d.status in ("different", "missing"))
        _logger.info("sample diff: %s", sample.diff_summary)
        examples = {}
        for line in wrong:
            examples.setdefault((line.model, line.field_name),
                                (line.expected_value, line.odoo_value))
        self.assertFalse(wrong, examples)
        self.assertEqual(set(diff.mapped("status")), {"equal", "transformed"})
        self.assertTrue(diff.filtered(lambda d: d.field_name == "stage_id"
                                      and d.status == "transformed"))
        # an appointment's res_id (a reference, not a many2one) reads as its lead's name
        res_ids = diff.filtered(lambda d: d.field_name == "res_id")
        self.assertTrue(res_ids)
        for line in res_ids:
            self.assertRegex(line.odoo_value, r"^.+ \(#\d+\)$")
            self.assertEqual(line.expected_value, line.odoo_value)
        # discard: the sample is rolled back completely
        sample_bindings = self.env["fsm.migration.binding"].search([("run_id", "=", sample.id)])
        leads = self.env["crm.lead"].with_context(active_test=False).browse(
            sample_bindings.filtered(lambda b: b.model == "crm.lead").mapped("res_id"))
        self.assertTrue(leads)
        project.action_discard_sample()
        self.assertFalse(leads.exists())
        self.assertEqual(sample.state, "rolled_back")
        # sample again, approve, full run: what the sample wrote is reused, not duplicated
        project.action_run_sample()
        again = project.sample_run_id
        self.assertNotEqual(again, sample)
        project.action_approve_sample()
        self.assertEqual(project.state, "run")
        full = self._run()
        created_by_sample = sum(again.batch_ids.mapped("created"))
        self.assertGreater(created_by_sample, 0)
        self.assertGreaterEqual(sum(full.batch_ids.mapped("skipped")), created_by_sample)
        leads = self.env["fsm.migration.binding"].search([
            ("project_id", "=", project.id), ("role", "=", "lead")])
        self.assertEqual(len(leads), len(set(leads.mapped("res_id"))), "no lead twice")
        self.assertEqual(len(leads), self.truth["counts"]["work_orders"]
                         - len(self.truth["orphan_work_order_ids"]))



@tagged("post_install", "-at_install", "fsm_migration")
class TestEngineRollback(EngineCase):
    """Its own class: removing custom fields changes the registry for the tests after it."""

    def test_rollback_reverts_everything_but_records_edited_since(self):
        custom_fields = self.env["ir.model.fields"].browse(self.project.journal_ids.filtered(
            lambda j: j.operation == "schema").mapped("res_id"))
        self.assertTrue(custom_fields.filtered(lambda f: f.model == "crm.lead"),
                        "the plan created custom fields on leads")
        run = self._run()
        bindings = self.env["fsm.migration.binding"].search([("project_id", "=", self.project.id)])
        lead_ids = bindings.filtered(lambda b: b.model == "crm.lead").mapped("res_id")
        partner_ids = bindings.filtered(lambda b: b.model == "res.partner").mapped("res_id")
        self.assertTrue(lead_ids and partner_ids)
        # a user edits one lead after the migration (a later transaction)
        edited = self.env["crm.lead"].with_context(active_test=False).browse(lead_ids[0])
        self.env.cr.execute("UPDATE crm_lead SET write_date = write_date + interval '1 hour' "
                            "WHERE id = %s", (edited.id,))
        edited.invalidate_recordset()
        wizard = self.env["fsm.migration.rollback"].with_user(self.manager).with_context(
            active_id=self.project.id).create({})
        self.assertEqual(wizard.conflict_count, 1)
        self.assertIn(f"crm.lead #{edited.id}", wizard.conflicts)
        self.assertGreaterEqual(wizard.to_remove, len(lead_ids) + len(partner_ids))
        wizard.action_rollback()
        Lead = self.env["crm.lead"].with_context(active_test=False)
        self.assertEqual(Lead.browse(lead_ids).exists(), edited, "only the edited lead is kept")
        self.assertFalse(self.env["res.partner"].browse(partner_ids).exists().filtered(
            lambda p: p != edited.partner_id and p != edited.partner_id.parent_id))
        self.assertFalse(custom_fields.exists(), "the plan's custom fields are removed")
        self.assertEqual(run.state, "rolled_back")
        self.assertEqual(self.project.state, "rolled_back", "nothing was refused")
        self.assertFalse(self.env["fsm.migration.binding"].search(
            [("project_id", "=", self.project.id)]))
        # again: only the conflict is left; forced, it goes too; a third time does nothing
        again = self.env["fsm.migration.rollback"].with_context(
            active_id=self.project.id).create({"force": True})
        self.assertEqual(again.to_remove, 1)
        again.action_rollback()
        self.assertFalse(edited.exists())
        third = self.env["fsm.migration.rollback"].with_context(
            active_id=self.project.id).create({})
        self.assertEqual((third.to_remove, third.to_restore, third.schema_to_remove), (0, 0, 0))
        third.action_rollback()


@tagged("post_install", "-at_install", "fsm_migration")
class TestEngineDispatch(TransactionCase):
    """Dispatch over HTTP (the emulator in its own process) through the whole engine."""

    def test_dispatch_run_accounts_for_every_record(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "True")
        truth = generator_truth("dispatch", 0.3, 6)
        with dispatch_emulator(0.3, 6) as url:
            project = planned_project(self.env, **dispatch_vals(url, "Dispatch engine"))
            run = project._start_run("full", batch_size=100)
            run.run_until_done()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.batch_ids.filtered(lambda b: b.state == "error"),
                         run.batch_ids.mapped("error"))
        per_object = {}
        for batch in run.batch_ids:
            row = per_object.setdefault(batch.source_object, Counter())
            row["source"] += batch.record_count
            for key in COUNTERS:
                row[key] += batch[key]
        reasons = Counter((i.source_object, i.status, i.reason[:90]) for i in run.issue_ids)
        _logger.info("dispatch run: %s", {k: dict(v) for k, v in per_object.items()})
        for reason, count in reasons.most_common(15):
            _logger.info("dispatch issue x%s: %s", count, reason)
        for obj, row in per_object.items():
            self.assertEqual(sum(row[k] for k in COUNTERS), row["source"], f"{obj}: {row}")
            if obj in truth["counts"]:
                self.assertEqual(row["source"], truth["counts"][obj], obj)
        orphans = {str(i) for i in truth["orphan_job_ids"]}
        blocked_jobs = set(run.issue_ids.filtered(
            lambda i: i.source_object == "jobs" and i.status == "blocked").mapped("source_id"))
        self.assertTrue(orphans <= blocked_jobs, orphans - blocked_jobs)
        self.assertGreater(per_object["jobs"]["created"], 0)


@tagged("post_install", "-at_install", "fsm_migration")
class TestDeltaPickup(TransactionCase):
    """After the full run, the source changes: delta creates, updates, lists deletions and
    keeps what was edited in Odoo meanwhile."""

    def _admin(self, url, method, path, body=None):
        response = requests.request(method, f"{url}/_admin/{path}", json=body, timeout=30)
        self.assertLess(response.status_code, 300, response.text)
        return response.json() if response.content else None

    def test_delta_creates_updates_lists_deletions_and_keeps_odoo_edits(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.allow_loopback", "True")
        with dispatch_emulator(0.2, 3) as url:
            project = planned_project(self.env, **dispatch_vals(url, "Delta"))
            full = project._start_run("full", batch_size=100)
            full.run_until_done()
            self.assertEqual(project.state, "verify")
            project.action_start_cutover()
            self.assertEqual(project.state, "delta")
            # nothing changed: a delta only takes again what failed or was blocked
            idle = self.env["fsm.migration.run"].browse(project.action_delta()["res_id"])
            retried = {(i.source_object, i.source_id) for i in full.issue_ids
                       if i.status in ("failed", "blocked")}
            self.assertEqual((idle.created, idle.updated, idle.deleted_count), (0, 0, 0))
            self.assertLessEqual(idle.total, len(retried))  # derived records have no own id
            # the source changes: a new customer, a changed job, a deleted job
            customer = self._admin(url, "POST", "customers", {
                "first_name": "Delta", "last_name": "Newcomer", "email": "new@delta.example"})
            jobs = self.env["fsm.migration.binding"].search([
                ("project_id", "=", project.id), ("source_object", "=", "jobs"),
                ("role", "=", "lead")], order="id")
            changed, edited, gone = jobs[0], jobs[1], jobs[2]
            self._admin(url, "PATCH", f"jobs/{changed.source_id}", {"title": "Changed title"})
            self._admin(url, "PATCH", f"jobs/{edited.source_id}", {"title": "Source title"})
            self._admin(url, "DELETE", f"jobs/{gone.source_id}")
            # meanwhile a user edits one of the leads in Odoo (a later transaction)
            lead = self.env["crm.lead"].browse(edited.res_id)
            lead.name = "Edited in Odoo"
            lead.flush_recordset()
            self.env.cr.execute("UPDATE crm_lead SET write_date = write_date + interval '1 hour'"
                                " WHERE id = %s", (lead.id,))
            lead.invalidate_recordset()
            delta = self.env["fsm.migration.run"].browse(project.action_delta()["res_id"])
            # a record failing during delta is taken again at the next pass, and lands once
            # the source is fixed
            # (a record that cannot be written at all: no name; a malformed e-mail alone is
            # written as typed, with a warning)
            bad = self._admin(url, "POST", "customers", {
                "first_name": "", "last_name": "", "email": "no-name@delta.example"})[
                "customer"]
            typo = self._admin(url, "POST", "customers", {
                "first_name": "Broken", "last_name": "Mail", "email": "no-at-sign"})["customer"]
            failing = self.env["fsm.migration.run"].browse(project.action_delta()["res_id"])
            self._admin(url, "PATCH", f"customers/{bad['id']}", {"first_name": "Named"})
            self._admin(url, "PATCH", f"customers/{typo['id']}",
                        {"email": "fixed@delta.example"})
            fixed = self.env["fsm.migration.run"].browse(project.action_delta()["res_id"])
        issue = failing.issue_ids.filtered(lambda i: i.source_id == str(bad["id"]))
        self.assertEqual(issue.mapped("status"), ["failed"], failing.issue_ids.mapped("reason"))
        self.assertIn("name", issue.reason.lower())
        warned = failing.issue_ids.filtered(lambda i: i.source_id == str(typo["id"]))
        self.assertEqual(warned.mapped("status"), ["warning"], warned.mapped("reason"))
        self.assertEqual((warned.target_field, warned.value), ("email", "'no-at-sign'"))
        typo_partner = self.env["res.partner"].browse(self.env["fsm.migration.binding"].search([
            ("project_id", "=", project.id), ("source_object", "=", "customers"),
            ("source_id", "=", str(typo["id"]))], limit=1).res_id)
        self.assertEqual(typo_partner.email, "fixed@delta.example", "updated once fixed")
        self.assertFalse(fixed.issue_ids.filtered(
            lambda i: i.source_id in (str(bad["id"]), str(typo["id"]))))
        self.assertTrue(self.env["fsm.migration.binding"].search([
            ("project_id", "=", project.id), ("source_object", "=", "customers"),
            ("source_id", "=", str(bad["id"]))]))
        self.assertEqual(delta.state, "done")
        self.assertGreaterEqual(delta.created, 1)
        self.assertTrue(self.env["fsm.migration.binding"].search([
            ("project_id", "=", project.id), ("source_object", "=", "customers"),
            ("source_id", "=", str(customer["customer"]["id"]))]))
        self.assertIn("Changed title", self.env["crm.lead"].browse(changed.res_id).name)
        self.assertEqual(lead.name, "Edited in Odoo", "the Odoo side is kept")
        conflict = delta.issue_ids.filtered(lambda i: i.status == "conflict")
        self.assertEqual(conflict.mapped("source_id"), [edited.source_id])
        self.assertIn(gone.source_id, delta.deleted_json)
        self.assertTrue(self.env["crm.lead"].browse(gone.res_id).exists(),
                        "a deletion in the source is listed, not applied")
        project.action_close_cutover()
        self.assertEqual(project.state, "done")


@tagged("post_install", "-at_install", "fsm_migration")
class TestDiffCatchesBrokenMap(TransactionCase):
    def test_wrong_transform_is_caught_on_exactly_its_field(self):
        """A transform that does not fit its field: the sample's records fail on that field
        alone, with the reason; nothing wrong reaches the database (the diff stays clean)."""
        project, line = broken_map_project(self.env, temp_folder(self, "fsm_diff_"))
        self.assertEqual(line.transform, "datetime_utc")
        line.transform = "date"  # wrong: drops the time of a datetime field
        project.map_id.action_confirm()
        self.env["fsm.migration.plan.apply"].with_context(
            active_id=project.id).create({}).action_apply()
        project.action_run_sample()
        sample = project.sample_run_id
        failed = sample.issue_ids.filtered(lambda i: i.status == "failed")
        self.assertTrue(failed)
        self.assertEqual(set(failed.mapped("target_field")), {line.target_field})
        self.assertIn("expects a date-time", failed[0].reason)
        # what depends on those work orders is blocked by them, never linked wrongly
        blocked = sample.issue_ids - failed
        self.assertTrue(all("was not migrated" in reason for reason in blocked.mapped("reason")))
        self.assertFalse(sample.diff_ids.filtered(lambda d: d.status in ("different",
                                                                         "missing")))
