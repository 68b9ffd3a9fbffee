"""A rollback above the threshold is a tracked background job: a run of kind *rollback*
that the worker cron reverts chunk by chunk, with live progress per model, that pauses
and resumes, and that ends exactly where the rollback done at once ends."""

from collections import Counter
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models import fsm_migration_run_rollback as run_module
from .test_engine import EngineCase
from .test_fingerprint import MODELS


def fingerprint(env):
    """Row count and a hash of the rows of every table a migration writes to."""
    env.flush_all()
    prints = {}
    for name in MODELS:
        if name not in env:
            continue
        table = env[name]._table
        # the project's own chatter (run done, rollback …) is not migration data
        own = SQL("WHERE t.model IS DISTINCT FROM 'fsm.migration.project'") \
            if name == "mail.message" else SQL("")
        env.cr.execute(SQL(
            "SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t.id)) FROM %s t %s",
            SQL.identifier(table), own))
        prints[table] = env.cr.fetchone()
    return prints


class RollbackCase(EngineCase):
    def _wizard(self, **vals):
        return self.env["fsm.migration.rollback"].with_user(self.manager).with_context(
            active_id=self.project.id, fsm_rollback_sync_max=10).create(vals)

    def _undone_per_model(self, rollback):
        """Undo entries the rollback appended, per model, read from the journal itself."""
        undo = self.env["fsm.migration.journal"].search([
            ("project_id", "=", self.project.id), ("operation", "=", "undo"),
            ("id", ">", rollback.rollback_since)])
        return dict(Counter(undo.mapped("model")))

    def _cron_until_done(self, rollback, chunk=100):
        with patch.object(run_module, "ROLLBACK_CHUNK", chunk):
            for _call in range(200):
                if rollback.state != "running":
                    break
                self.env["fsm.migration.run"]._cron_work()
        self.assertEqual(rollback.state, "done")


@tagged("post_install", "-at_install", "fsm_migration")
class TestRollbackInChunks(RollbackCase):
    def test_run_rollback_in_chunks_ends_as_the_one_done_at_once(self):
        run = self._run()
        # at once (under the threshold), in a savepoint: where the chunks must end
        with self.env.cr.savepoint() as savepoint:
            wizard = self.env["fsm.migration.rollback"].with_user(self.manager).with_context(
                active_id=self.project.id).create({"run_id": run.id})
            total = wizard.to_remove + wizard.to_restore + wizard.schema_to_remove
            self.assertNotIn("background", wizard.summary)
            self.assertEqual(wizard.action_rollback(), {"type": "ir.actions.act_window_close"})
            self.assertEqual(run.state, "rolled_back")
            done_at_once = fingerprint(self.env)
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertEqual(run.state, "done")
        self.assertGreater(total, 200, "enough entries for several chunks")

        wizard = self._wizard(run_id=run.id)
        self.assertIn("in the background", wizard.summary)
        action = wizard.action_rollback()
        self.assertEqual(action["res_model"], "fsm.migration.run")
        rollback = self.env["fsm.migration.run"].browse(action["res_id"])
        self.assertEqual((rollback.kind, rollback.state, rollback.rollback_target_id),
                         ("rollback", "running", run))
        self.assertEqual((rollback.total, rollback.done, rollback.rollback_total),
                         (total, 0, total))
        self.assertEqual(rollback.create_uid, self.manager)
        data = rollback.progress_data
        self.assertEqual((data["kind"], data["total"], data["done"], data["percent"]),
                         ("rollback", total, 0, 0))
        self.assertEqual(sum(o["total"] for o in data["objects"]), total)
        # the project shows it, and does not take it for its last run
        self.assertEqual(self.project.last_run_id, run)
        self.assertEqual((self.project.rollback_run_id, self.project.rollback_state),
                         (rollback, "running"))
        self.assertIn("rollback is running", self.project.next_step)

        # one chunk: partial progress, records partly left
        created = self.env["fsm.migration.journal"].search([
            ("project_id", "=", self.project.id), ("batch_ref", "=", f"run:{run.id}"),
            ("operation", "=", "create")])
        chunk = total // 3
        self.assertEqual(rollback._rollback_chunk(chunk), chunk)
        self.assertEqual(rollback.done, chunk)
        self.assertEqual(rollback.reverted, chunk)
        self.assertTrue(0 < rollback.progress < 100)
        data = rollback.progress_data
        self.assertEqual((data["done"], data["remaining"], data["percent"]),
                         (chunk, total - chunk, round(100.0 * chunk / total, 1)))
        per_model = {o["name"]: o["done"] for o in data["objects"] if o["done"]}
        self.assertEqual(per_model, self._undone_per_model(rollback))
        for obj in data["objects"]:
            self.assertLessEqual(obj["done"], obj["total"])
            self.assertEqual(obj["percent"], round(100.0 * obj["done"] / obj["total"], 1))
        self.assertTrue([o for o in data["objects"] if o["done"] < o["total"]])
        left = [e for e in created if self.env[e.model].with_context(
            active_test=False).browse(e.res_id).exists()]
        self.assertTrue(0 < len(left) < len(created), "records partly reverted")
        self.assertTrue(self.env["fsm.migration.binding"].search_count(
            [("run_id", "=", run.id)]), "bindings go with the last chunk")
        self.assertEqual(run.state, "done")

        # a rollback in progress blocks runs and other rollbacks
        with self.assertRaisesRegex(UserError, "rollback of this project is in progress"):
            self.project._start_run("full")
        with self.assertRaisesRegex(UserError, "rollback of this project is in progress"):
            self._wizard().action_rollback()

        # paused: nothing more happens, whoever asks
        rollback.with_user(self.manager).action_pause()
        self.assertEqual(rollback.state, "paused")
        self.env["fsm.migration.run"]._cron_work()
        rollback.run_until_done()
        self.assertEqual(rollback._rollback_chunk(), 0)
        self.assertEqual(rollback.done, chunk)
        self.assertEqual(self.project.rollback_state, "paused")

        # resumed: the worker cron takes the rest, chunk by chunk
        rollback.with_user(self.manager).action_resume()
        self._cron_until_done(rollback)
        self.assertEqual(fingerprint(self.env), done_at_once, "as the rollback done at once")
        self.assertEqual(run.state, "rolled_back")
        self.assertFalse(self.env["fsm.migration.binding"].search_count(
            [("run_id", "=", run.id)]))
        self.assertFalse([e for e in created if self.env[e.model].with_context(
            active_test=False).browse(e.res_id).exists()])
        data = rollback.progress_data
        self.assertEqual((data["done"], data["remaining"], data["percent"], data["reverted"],
                          data["kept"], data["refused"], data["errors"]),
                         (total, 0, 100.0, total, 0, 0, []))
        self.assertTrue(all(o["done"] == o["total"] and o["percent"] == 100.0
                            for o in data["objects"]))
        self.assertEqual({o["name"]: o["total"] for o in data["objects"]},
                         self._undone_per_model(rollback))
        # the journal keeps the user who rolled back, not the cron's
        undo = self.env["fsm.migration.journal"].search([
            ("project_id", "=", self.project.id), ("operation", "=", "undo")])
        self.assertEqual(undo.user_id, self.manager)
        self.assertFalse(self.project.rollback_run_id)
        self.assertEqual(self.project.state, "verify", "one run rolled back, not the project")
        self.assertEqual(self.project.last_run_id, run)
        # the rolled back run can be run again
        again = self._run()
        self.assertTrue(sum(again.batch_ids.mapped("created")))


@tagged("post_install", "-at_install", "fsm_migration")
class TestProjectRollbackInChunks(RollbackCase):
    """Its own class: removing custom fields changes the registry for the tests after it."""

    def test_project_rollback_in_chunks_keeps_conflicts_and_removes_the_schema(self):
        custom_fields = self.env["ir.model.fields"].browse(self.project.journal_ids.filtered(
            lambda j: j.operation == "schema").mapped("res_id"))
        self.assertTrue(custom_fields)
        run = self._run()
        bindings = self.env["fsm.migration.binding"].search([("project_id", "=", self.project.id)])
        lead_ids = bindings.filtered(lambda b: b.model == "crm.lead").mapped("res_id")
        edited = self.env["crm.lead"].with_context(active_test=False).browse(lead_ids[0])
        self.env.cr.execute("UPDATE crm_lead SET write_date = write_date + interval '1 hour' "
                            "WHERE id = %s", (edited.id,))
        edited.invalidate_recordset()
        wizard = self._wizard()
        self.assertEqual(wizard.conflict_count, 1)
        total = wizard.to_remove + wizard.to_restore + wizard.schema_to_remove
        rollback = self.env["fsm.migration.run"].browse(wizard.action_rollback()["res_id"])
        self.assertFalse(rollback.rollback_target_id, "the whole project")
        self.assertEqual(rollback.rollback_conflicts, [["crm.lead", edited.id]])
        self.assertEqual(rollback.total, total)

        with patch.object(run_module, "ROLLBACK_CHUNK", 200):
            self.env["fsm.migration.run"]._cron_work()
        self.assertEqual(rollback.done, 200)
        self.assertEqual(self.project.state, "verify")
        self.assertTrue(custom_fields.exists(), "the schema goes last (oldest entries)")
        self.assertEqual(self.project.rollback_progress, rollback.progress)
        self.assertEqual(self.project.rollback_progress_data["done"], 200)

        self._cron_until_done(rollback, chunk=250)
        Lead = self.env["crm.lead"].with_context(active_test=False)
        self.assertEqual(Lead.browse(lead_ids).exists(), edited, "only the edited lead is kept")
        self.assertFalse(custom_fields.exists(), "the plan's custom fields are removed")
        self.assertEqual(run.state, "rolled_back")
        self.assertEqual(self.project.state, "rolled_back")
        self.assertFalse(self.env["fsm.migration.binding"].search(
            [("project_id", "=", self.project.id)]))
        edited_entries = self.env["fsm.migration.journal"].search([
            ("project_id", "=", self.project.id), ("model", "=", "crm.lead"),
            ("res_id", "=", edited.id), ("operation", "!=", "undo")])
        data = rollback.progress_data
        self.assertEqual([(o["name"], o["kept"]) for o in data["objects"] if o["kept"]],
                         [("crm.lead", len(edited_entries))])
        self.assertEqual((data["done"], data["percent"], data["kept"], data["refused"]),
                         (total, 100.0, len(edited_entries), 0))
        self.assertEqual(data["reverted"], total - len(edited_entries))
        self.assertTrue([m for m in self.project.message_ids
                         if "conflicting records kept" in (m.body or "")])
        # forced, the conflict goes too (small: at once)
        again = self.env["fsm.migration.rollback"].with_context(
            active_id=self.project.id).create({"force": True})
        self.assertEqual(again.to_remove, 1)
        self.assertEqual(again.action_rollback(), {"type": "ir.actions.act_window_close"})
        self.assertFalse(edited.exists())
        rollbacks = self.project.run_ids.filtered(lambda r: r.kind == "rollback")
        self.assertEqual(rollbacks.mapped("state"), ["done", "done"])
        self.assertEqual(self.project.last_run_id, run)


@tagged("post_install", "-at_install", "fsm_migration")
class TestRollbackRefusals(RollbackCase):
    def test_refused_entries_are_the_rollbacks_errors(self):
        run = self._run()
        lead = self.env["crm.lead"].browse(self.env["fsm.migration.binding"].search(
            [("run_id", "=", run.id), ("model", "=", "crm.lead")], limit=1).res_id)
        revert = run_module._revert

        def refusing(env, entries):
            if any(e.model == "crm.lead" and e.res_id == lead.id for e in entries):
                raise ValueError("This lead is linked to a signed contract.")
            return revert(env, entries)

        wizard = self._wizard(run_id=run.id)
        rollback = self.env["fsm.migration.run"].browse(wizard.action_rollback()["res_id"])
        with patch.object(run_module, "_revert", refusing):
            self._cron_until_done(rollback)
        data = rollback.progress_data
        self.assertEqual((data["refused"], data["kept"], data["done"], data["remaining"]),
                         (1, 0, rollback.total, 0))
        self.assertEqual(data["reverted"], rollback.total - 1)
        self.assertEqual([(e["res_model"], e["res_id"]) for e in data["errors"]],
                         [("crm.lead", lead.id)])
        self.assertIn("signed contract", data["errors"][0]["reason"])
        self.assertEqual([(o["name"], o["refused"]) for o in data["objects"] if o["refused"]],
                         [("crm.lead", 1)])
        self.assertIn(f"crm.lead #{lead.id}: This lead", rollback.rollback_error_text)
        self.assertTrue(lead.exists(), "the refused lead is kept")
        self.assertEqual(run.state, "rolled_back")
        self.assertTrue([m for m in self.project.message_ids
                         if "Not reverted" in (m.body or "")])
        # a next rollback takes the refused entry again (at once: one entry)
        again = self.env["fsm.migration.rollback"].with_context(
            active_id=self.project.id).create({"run_id": run.id})
        self.assertEqual(again.to_remove, 1)
        again.action_rollback()
        self.assertFalse(lead.exists())
