"""A value line of the map: one source value (a status, a type) → its Odoo value."""

from odoo import fields, models


class FsmMigrationMapValue(models.Model):
    """Map line: one source value → an Odoo value (a stage, a priority, a selection key)."""

    _name = "fsm.migration.map.value"
    _inherit = ["fsm.migration.map.line"]
    _description = "Migration Map: Value Line"
    _order = "map_id, kind, source_object, source_field, source_value, id"

    map_id = fields.Many2one("fsm.migration.map", required=True, ondelete="cascade", index=True,
                             help="The map version this line belongs to.")
    company_id = fields.Many2one(related="map_id.company_id", store=True)
    kind = fields.Selection([("stage", "Stage"), ("priority", "Priority"),
                             ("selection", "Selection option")], required=True,
                            help="What the value is: a status (→ CRM stage), a priority, an "
                                 "option.")
    source_object = fields.Char(required=True,
                                help="The source object, e.g. jobs.")
    source_field = fields.Char(required=True,
                               help="The source field holding the value.")
    source_value = fields.Char(required=True,
                               help="The value in the source.")
    target_value = fields.Char(required=True, help="Stage name, priority ('0' to '3') or the "
                                                   "selection key written.")
    is_won = fields.Boolean(help="For a stage: leads reaching it are won.")
    is_lost = fields.Boolean(string="Lost", help="For a stage: the lead is archived as lost.")
    create_new = fields.Boolean(string="Create", help="The stage or option does not exist yet: "
                                                      "the plan creates it.")
    confidence = fields.Float(digits=(3, 2), readonly=True,
                              help="How sure the proposer is of this line (0–100 %).")
    reason = fields.Char(readonly=True,
                         help="Why the proposer chose this value.")

    def _export(self):
        return {k: self[k] for k in ("kind", "source_object", "source_field", "source_value",
                                     "target_value", "is_won", "is_lost", "create_new",
                                     "confidence", "reason")}

    def _to_map_line(self):
        return {"kind": self.kind, "source_object": self.source_object,
                "source_field": self.source_field, "source_value": self.source_value,
                "target_value": self.target_value, "is_won": self.is_won,
                "create": self.create_new, "confidence": self.confidence,
                "reason": self.reason or "", "lost": self.is_lost}
