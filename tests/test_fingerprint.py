
from odoo.tests import tagged
from odoo.tools import SQL

from .common import TransactionCase, temp_bundle

#: the tables a migration writes to, through the models it targets (those installed)
MODELS = ["res.partner", "res.users", "crm.lead", "crm.stage", "crm.tag", "mail.activity",
          "calendar.event", "calendar.attendee", "mail.message", "mail.followers",
          "ir.attachment", "ir.model.fields", "ir.model.fields.selection", "hr.employee",
          "hr.skill", "hr.skill.type", "hr.skill.level", "hr.employee.skill", "sale.order",
          "sale.order.line", "product.product", "product.template", "account.move",
          "account.move.line", "stock.move", "utm.source", "project.task", "project.task.type",
          "hr.version"]


@tagged("post_install", "-at_install", "fsm_migration")
class TestFingerprint(TransactionCase):
    """Sample, discard, sample, approve, full run, cutover delta, rollback: every table the
    migration touched is back as it was (row count and a hash of the rows)."""

    def fingerprint(self):
        self.env.flush_all()
        prints = {}
        for name in MODELS:
            if name not in self.env:
                continue
            table = self.env[name]._table
            # the project's own chatter (run done, rollback …) is not migration data
            own = SQL("WHERE t.model IS DISTINCT FROM 'fsm.migration.project'") \
                if name == "mail.message" else SQL("")
            self.env.cr.execute(SQL(
                "SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t.id)) FROM %s t %s",
                SQL.identifier(table), own))
            prints[table] = self.env.cr.fetchone()
        return prints

    def assertSamePrint(self, before, after):
        changed = {t: (before[t], after.get(t)) for t in before if after.get(t) != before[t]}
        self.assertFalse(changed, "tables not back as they were")

    def test_everything_comes_back(self):
        bundle = temp_bundle(self, 1, 21)
        project = self.env["fsm.migration.project"].create({
            "name": "Fingerprint", "source_kind": "fst_bundle", "bundle_path": str(bundle),
            "fallback_user_id": self.env.ref("base.user_admin").id, "sample_size": 80,
            "skip_sample": True})
        project.action_discover()
        project.action_propose_map()
        project.map_id.action_confirm()
        before = self.fingerprint()
        self.env["fsm.migration.plan.apply"].with_context(
            active_id=project.id).create({}).action_apply()
        after_plan = self.fingerprint()
        project.action_run_sample()
        project.action_discard_sample()
        self.assertSamePrint(after_plan, self.fingerprint())
        project.action_run_sample()
        project.action_approve_sample()
        project._start_run("full", batch_size=200).run_until_done()
        project.action_start_cutover()
        project.action_delta()
        self.assertNotEqual(self.fingerprint(), after_plan)
        self.env["fsm.migration.rollback"].with_context(active_id=project.id).create(
            {}).action_rollback()
        self.assertEqual(project.state, "rolled_back")
        self.assertSamePrint(before, self.fingerprint())
