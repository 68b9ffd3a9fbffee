"""A run's verification: written records read back, the field-level diff and its counts."""

from odoo import api, fields, models

from ..importers.diff import RunDiff


class FsmMigrationRunVerify(models.Model):
    """The diff of a run: what the workers read back, compared with what the map expects."""

    _inherit = "fsm.migration.run"

    diff_ids = fields.One2many("fsm.migration.diff", "run_id",
                               help="Written records read back and compared with what the map "
                                    "expects.")
    diff_summary = fields.Char(compute="_compute_diff_summary",
                               help="Diff lines per status.")
    verified_equal = fields.Integer(readonly=True, string="Fields equal",
                                    help="Fields read back equal to the source value.")
    verified_transformed = fields.Integer(readonly=True, string="Fields transformed",
                                          help="Fields read back as the map transforms the "
                                               "source value.")
    verified_kept = fields.Integer(readonly=True, string="Fields kept as typed",
                                   help="Fields whose source value could not be normalised, "
                                        "written as typed (a warning each) and read back so.")
    verified_different = fields.Integer(readonly=True, string="Fields different",
                                        help="Fields read back different from what the map "
                                             "expects.")
    verified_missing = fields.Integer(readonly=True, string="Fields missing",
                                      help="Fields expected but empty in Odoo.")

    @api.depends("diff_ids.status")
    def _compute_diff_summary(self):
        labels = dict(self.env["fsm.migration.diff"]._fields["status"].selection)
        for run in self:
            counts = {status: 0 for status in labels}
            for row in self.env["fsm.migration.diff"]._read_group(
                    [("run_id", "=", run.id)], ["status"], ["__count"]):
                counts[row[0]] = row[1]
            run.diff_summary = ", ".join(f"{labels[k]}: {v}" for k, v in counts.items())

    def _compute_diff(self, problems_only=False):
        """(Re)build the field-level diff of this run: every written record read back and
        compared with what the map expects (a full run keeps the problems as lines)."""
        self.ensure_one()
        self.diff_ids.unlink()
        counts, lines = RunDiff(self).lines(problems_only=problems_only)
        self.env["fsm.migration.diff"].create(lines)
        self.write({f"verified_{status}": count for status, count in counts.items()})

    def action_open_diff(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_diff_action")
        action["domain"] = [("run_id", "=", self.id)]
        return action
