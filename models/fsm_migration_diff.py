"""The field-level diff of a run: expected value against the value read back from Odoo."""

from odoo import fields, models

STATUSES = [("equal", "Equal"), ("transformed", "Transformed as mapped"),
            ("kept", "Kept as typed"), ("different", "Different"), ("missing", "Missing")]


class FsmMigrationDiff(models.Model):
    """A line of a run's field-level diff: one field of one record written by the run."""

    _name = "fsm.migration.diff"
    _description = "Migration Field Diff"
    _order = "run_id, status desc, source_object, source_id, field_name"

    run_id = fields.Many2one("fsm.migration.run", required=True, ondelete="cascade", index=True,
                             help="The run whose written records were read back.")
    project_id = fields.Many2one(related="run_id.project_id", store=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    source_object = fields.Char(required=True,
                                help="The source object of the record, e.g. jobs.")
    source_id = fields.Char(string="Source ID", required=True,
                            help="The record's id in the source.")
    role = fields.Char(help="The object line (role) of the map that wrote the record.")
    model = fields.Char(required=True,
                        help="The Odoo model written.")
    res_id = fields.Integer(string="Record ID",
                            help="The id of the Odoo record read back.")
    field_name = fields.Char(string="Field", required=True,
                             help="The Odoo field compared.")
    source_value = fields.Char(help="The raw value in the source (several fields joined).")
    expected_value = fields.Char(help="What the map makes of it (ids for links).")
    odoo_value = fields.Char(string="Value in Odoo", help="Read back from the database.")
    status = fields.Selection(STATUSES, required=True, index=True,
                              help="Equal: the same value; transformed as mapped: what the map "
                                   "makes of the source value; different: not what the map "
                                   "expects; missing: nothing in Odoo.")
