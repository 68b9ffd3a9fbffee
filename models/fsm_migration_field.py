"""The data dictionary: one profiled source field (type, empty rate, distinct values, samples)."""

from odoo import fields, models

INFERRED_TYPES = [
    ("char", "Short text"), ("text", "Long text"), ("html", "HTML"), ("email", "E-mail"),
    ("phone", "Phone"), ("url", "URL"), ("integer", "Integer"), ("float", "Number"),
    ("boolean", "Yes/No"), ("date", "Date"), ("datetime", "Date and time"),
    ("selection", "Enumeration"), ("list", "List"), ("json", "Structure"),
    ("empty", "Always empty"),
]


class FsmMigrationField(models.Model):
    """A line of the data dictionary: one field of a source object, profiled."""

    _name = "fsm.migration.field"
    _description = "Migration Source Field"
    _order = "object_id, is_custom desc, name"

    object_id = fields.Many2one("fsm.migration.object", string="Source object", required=True,
                                ondelete="cascade", index=True,
                                help="The source object this field belongs to.")
    project_id = fields.Many2one(related="object_id.project_id", store=True, index=True)
    company_id = fields.Many2one(related="object_id.company_id", store=True)
    object_name = fields.Char(related="object_id.name", string="Object name", store=True)
    name = fields.Char(string="Field", required=True, readonly=True,
                       help="The source's field name; nested values are dotted "
                            "(home_address.city).")
    inferred_type = fields.Selection(INFERRED_TYPES, readonly=True,
                                     help="The type the values suggest.")
    # grouped rows: the average empty rate; distinct counts do not add up (nothing shown)
    null_rate = fields.Float(string="Empty", readonly=True, digits=(5, 4), aggregator="avg",
                             help="Share of profiled records where the field is empty.")
    distinct_count = fields.Integer(string="Distinct", readonly=True, aggregator=None,
                                    help="Distinct values among the profiled records.")
    distinct_capped = fields.Boolean(
        readonly=True, help="Too many distinct values to count them all: the count is a floor.")
    samples = fields.Char(string="Sample values", readonly=True,
                          help="Up to five values seen; secrets are masked.")
    options = fields.Text(readonly=True,
                          help="Every distinct value of an enumeration-like field (at most 25), "
                               "one per line: the options of a selection field.")
    max_length = fields.Integer(readonly=True, help="Longest text value seen.")
    is_custom = fields.Boolean(string="Custom", readonly=True,
                               help="A custom field of the source (declared by it, or named so).")
