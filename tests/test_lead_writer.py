from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .. import compat
from ..importers.lead_writer import apply_scoring, create_leads
from .common import TransactionCase

READ = ("stage_id", "active", "probability", "automated_probability", "team_id", "type",
        "date_closed", "priority", "user_id", "date_last_stage_update")


@tagged("post_install", "-at_install")
class TestLeadWriter(TransactionCase):
    """The engine's lead creation gives what crm's own ``create`` gives: the same leads
    and the same predictive lead scoring frequencies, in any mix of stages."""

    def _snapshot(self, leads):
        self.env.flush_all()
        self.env.invalidate_all()
        rows = leads.with_context(active_test=False).read(list(READ))
        self.env.cr.execute("""
            SELECT team_id, variable, value, won_count, lost_count
              FROM crm_lead_scoring_frequency ORDER BY 1, 2, 3""")
        return [{k: v for k, v in row.items() if k != "id"} for row in rows], \
            self.env.cr.fetchall()

    def _vals_list(self):
        self.env["ir.config_parameter"].sudo().set_param("crm.pls_start_date", "2000-01-01")
        stages = self.env["crm.stage"].search([])
        won = stages.filtered("is_won")[:1]
        self.assertTrue(won, "crm's data has a won stage")
        user = self.env.ref("base.user_admin")
        # some history for the scoring, so that probabilities are not all alike
        self.env["crm.lead"].create([{
            "name": f"old {i}", "type": "opportunity", "stage_id": won.id,
            "email_from": "a@b.example" if i % 2 else False, "user_id": user.id}
            for i in range(6)])
        vals_list = []
        for i in range(40):
            vals = {"name": f"job {i}", "type": "opportunity", "user_id": user.id,
                    "priority": str(i % 4), "phone": "+1 555 0100" if i % 3 else False,
                    "email_from": f"c{i}@example.com" if i % 2 else False}
            if i % 5:
                vals["stage_id"] = (won if i % 4 == 0 else stages[i % len(stages)]).id
            if i % 7 == 0:
                vals["active"] = False
                if not compat.LOST_LEAD_IN_WON_STAGE and vals.get("stage_id") == won.id:
                    vals["stage_id"] = (stages - won)[:1].id
            vals_list.append(vals)
        # lost leads in the won stage whose scoring values nothing has counted yet (crm
        # counts them won, then "leaves lost" at probability 0: order matters there)
        vals_list += [{"name": f"lost won {i}", "type": "opportunity", "user_id": user.id,
                       "stage_id": won.id, "active": False, "phone": "12",
                       "email_from": "not an e-mail"}
                      for i in range(2 if compat.LOST_LEAD_IN_WON_STAGE else 0)]
        return vals_list, won

    def test_same_leads_and_scoring_as_crm_create(self):
        vals_list, won = self._vals_list()
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        # 19.0's create stamps date_closed with the clock (Datetime.now), not the
        # transaction's time: both creates at the same instant
        now = fields.Datetime.now()
        with self.env.cr.savepoint() as savepoint, freeze_time(now):
            plain = self._snapshot(Lead.create([dict(v) for v in vals_list]))
            savepoint.rollback()
        self.env.invalidate_all()
        with freeze_time(now):
            ours = create_leads(Lead, [dict(v) for v in vals_list])
        self.assertEqual([lead.name for lead in ours], [v["name"] for v in vals_list])
        mine = self._snapshot(ours)
        self.assertEqual(mine[0], plain[0])
        self.assertEqual(mine[1], plain[1])
        self.assertTrue(any(row[3] for row in mine[1]), "won leads were counted")
        if compat.LOST_LEAD_IN_WON_STAGE:
            self.assertIn(0.0, [row["probability"] for row in plain[0]
                                if row["stage_id"][0] == won.id],
                          "a won-stage lead at probability 0 is in the mix")

    def test_scoring_left_to_the_end_adds_up_to_the_same_frequencies(self):
        """A run's batches leave their scoring update to the run's end: the frequency
        table is then the one crm's own creates, list after list, leave (18.0: the engine
        groups the leads so that crm's per-lead update has nothing to do; 19.0: its
        per-list update is stopped by the module's context key)."""
        vals_list, _won = self._vals_list()
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        lists = [vals_list[:15], vals_list[15:30], vals_list[30:]]
        with self.env.cr.savepoint() as savepoint:
            for part in lists:
                Lead.create([dict(v) for v in part])
            plain = self._snapshot(Lead.browse())[1]
            savepoint.rollback()
        self.env.invalidate_all()
        before = self._snapshot(Lead.browse())[1]
        scorings = []
        for part in lists:
            scorings.append({})
            create_leads(Lead, [dict(v) for v in part], scoring=scorings[-1])
        self.assertEqual(self._snapshot(Lead.browse())[1], before,
                         "nothing counted before the end")
        # 18.0: a won-stage lost lead "leaves lost"; 19.0: a lead created lost counts lost
        lost_key = "lost" if compat.LOST_LEAD_IN_WON_STAGE else "reach_lost"
        self.assertTrue(any(s.get(lost_key) for s in scorings), "a lost lead is in")
        apply_scoring(self.env, scorings)
        self.assertEqual(self._snapshot(Lead.browse())[1], plain)
        self.assertNotEqual(plain, before)

    def test_nobody_else_can_stop_the_scoring(self):
        """The deferral is the lead writer's own (a flag of its thread around its create,
        no context key): a user's create, sudo or not, with any context, is scored."""
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        salesman = self.env["res.users"].create({
            "name": "Scoring salesman", "login": "fsm_scoring_salesman",
            compat.USER_GROUPS: [(6, 0, [self.env.ref("sales_team.group_sale_salesman").id])]})
        self.env.flush_all()
        for env in (salesman.env, salesman.env(su=True)):
            before = self._snapshot(self.env["crm.lead"].browse())[1]
            env["crm.lead"].with_context(fsm_defer_scoring=True).create(
                {"name": "won by a user", "type": "opportunity", "stage_id": won.id})
            self.assertNotEqual(self._snapshot(self.env["crm.lead"].browse())[1], before,
                                f"scored (su={env.su})")
