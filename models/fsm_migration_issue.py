"""A source record that failed, was blocked or was kept with a warning, with its field-level
reason."""

import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.profiling import flatten, mask

#: what makes two reasons of one cause differ: quoted values, ids and numbers
VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|\b\d[\w.:-]*")


class FsmMigrationIssue(models.Model):
    """A source record a run could not write: failed (its own values), blocked (a record
    it depends on is missing) or in conflict (edited in Odoo meanwhile), with the field and
    the reason in plain words."""

    _name = "fsm.migration.issue"
    _description = "Migration Record Issue"
    _order = "id desc"
    _rec_name = "source_id"

    run_id = fields.Many2one("fsm.migration.run", required=True, ondelete="cascade", index=True,
                             help="The run that met this record.")
    project_id = fields.Many2one(related="run_id.project_id", store=True, index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    batch_id = fields.Many2one("fsm.migration.batch", ondelete="set null",
                               help="The batch of staged source records it came in.")
    source_object = fields.Char(required=True, help="The source object, e.g. jobs.")
    source_id = fields.Char(string="Source ID", help="The record's id in the source.")
    role = fields.Char(help="The object line (role) of the map that wrote it.")
    status = fields.Selection([("failed", "Failed"), ("blocked", "Blocked"),
                               ("conflict", "Conflict"), ("warning", "Warning")],
                              required=True,
                              help="Conflict: changed in the source and edited in Odoo since "
                                   "the migration; the project's policy decides which wins. "
                                   "Warning: the record was written, but a value was kept "
                                   "as typed or left empty, or the record was bound to the "
                                   "one another project made from the same source.")
    source_field = fields.Char(help="The source field whose value failed, if one did.")
    target_field = fields.Char(help="The Odoo field it was written to.")
    value = fields.Char(help="The offending value (secrets masked, truncated).")
    reason = fields.Text(required=True, help="Why, as the engine or the database said it.")
    reason_kind = fields.Char(
        compute="_compute_reason_kind", store=True, string="Kind of failure",
        help="The reason without its values (quoted texts and numbers), so that failures "
             "group by cause in the pivot and graph views.")
    advice = fields.Text(compute="_compute_advice", string="What to do",
                         help="The next step that fixes this record.")
    payload_text = fields.Text(compute="_compute_payload_text", string="Source record",
                               help="The record as the source gave it (secrets masked).")
    map_line_id = fields.Many2one("fsm.migration.map.field", compute="_compute_map_line_id",
                                  string="Map line",
                                  help="The line of the run's map that wrote the failed field.")

    @api.depends("reason")
    def _compute_reason_kind(self):
        for issue in self:
            first = (issue.reason or "").strip().splitlines()[:1]
            issue.reason_kind = VALUES.sub("…", first[0])[:120] if first else False

    @api.depends("status", "source_field", "target_field")
    def _compute_advice(self):
        for issue in self:
            if issue.status == "blocked":
                issue.advice = _(
                    "A record it depends on is missing (it failed, was blocked, or is not in "
                    "the source). Fix that record first: this one is written at the next run "
                    "(a delta during the cutover), linked to it.")
            elif issue.status == "conflict":
                issue.advice = _(
                    "Changed in the source and edited in Odoo since the migration: the "
                    "project's conflict policy decided which version stays. Compare both and "
                    "edit the Odoo record if needed.")
            elif issue.source_field or issue.target_field:
                issue.advice = _(
                    "The value of %(field)s does not fit Odoo's %(target)s. Either fix the map "
                    "line (another target field or transform, in a new map version: "
                    "\"Fix the map line\"), or fix the record in the source. Then run again: "
                    "failed records are always taken again (a delta during the cutover).",
                    field=issue.source_field or issue.target_field,
                    target=issue.target_field or _("field"))
            else:
                issue.advice = _(
                    "Odoo refused the record as a whole (see the reason). Fix the record in "
                    "the source, or the map's object line, then run again: failed records "
                    "are always taken again.")

    @api.depends("batch_id", "source_id")
    def _compute_payload_text(self):
        for issue in self:
            record = next((r for r in (issue.batch_id.sudo().payload or [])
                           if str(r.get("id")) == issue.source_id), None)
            if record is None:
                issue.payload_text = False
                continue
            issue.payload_text = "\n".join(
                f"{name}: {mask(name, value)}" for name, value in flatten(record).items())

    @api.depends("run_id.map_id", "source_object", "source_field", "target_field")
    def _compute_map_line_id(self):
        for issue in self:
            lines = issue.run_id.map_id.field_line_ids.filtered(
                lambda line, i=issue: line.source_object == i.source_object)
            issue.map_line_id = (
                lines.filtered(lambda line, i=issue: i.source_field
                               and line.source_field == i.source_field)
                or lines.filtered(lambda line, i=issue: i.target_field
                                  and line.target_field == i.target_field))[:1]

    def action_open_map_line(self):
        """The map line that wrote the failed field, editable: in the latest draft version
        of the map, made from the run's version when every version is confirmed."""
        self.ensure_one()
        self.check_access("read")
        if not self.map_line_id:
            raise UserError(_("No field line of the map wrote this value (the record failed "
                              "as a whole): open the map version from the run instead."))
        return self.map_line_id.action_edit()

    def action_open_run(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": self.run_id.id, "view_mode": "form", "target": "current"}
