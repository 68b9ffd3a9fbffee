from odoo import fields, models


class FsmMigrationIssue(models.Model):
    """A source record a run could not write: failed (its own values), blocked (a record
    it depends on is missing) or in conflict (edited in Odoo meanwhile), with the field and
    the reason in plain words."""

    _name = "fsm.migration.issue"
    _description = "Migration Record Issue"
    _order = "id desc"

    run_id = fields.Many2one("fsm.migration.run", required=True, ondelete="cascade", index=True)
    project_id = fields.Many2one(related="run_id.project_id", store=True, index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    batch_id = fields.Many2one("fsm.migration.batch", ondelete="set null")
    source_object = fields.Char(required=True)
    source_id = fields.Char(string="Source ID")
    role = fields.Char()
    status = fields.Selection([("failed", "Failed"), ("blocked", "Blocked"),
                               ("conflict", "Conflict")], required=True,
                              help="Conflict: changed in the source and edited in Odoo since "
                                   "the migration; the project's policy decides which wins.")
    source_field = fields.Char()
    target_field = fields.Char()
    value = fields.Char(help="The offending value (secrets masked, truncated).")
    reason = fields.Text(required=True)
