"""An object line of the map: source object → target model and role."""

from odoo import fields, models


class FsmMigrationMapObject(models.Model):
    """Map line: a source object → an Odoo model, in dependency order."""

    _name = "fsm.migration.map.object"
    _inherit = ["fsm.migration.map.line"]
    _description = "Migration Map: Object Line"
    _order = "map_id, sequence, id"

    map_id = fields.Many2one("fsm.migration.map", required=True, ondelete="cascade", index=True,
                             help="The map version this line belongs to.")
    company_id = fields.Many2one(related="map_id.company_id", store=True)
    sequence = fields.Integer(help="Dependency order: parents before children.")
    source_object = fields.Char(required=True,
                                help="The source object, e.g. customers.")
    target_model = fields.Char(help="Technical name of the Odoo model, e.g. res.partner.")
    role = fields.Char(help="What the records become (company, contact, site, lead …).")
    condition = fields.Char(help="When the line applies, if not always.")
    depends_on = fields.Char(help="Source objects that must be migrated first.")
    confidence = fields.Float(digits=(3, 2), readonly=True,
                              help="How sure the proposer is of this line (0–100 %).")
    reason = fields.Char(readonly=True, help="Why the engine proposed this line.")
    skip = fields.Boolean(help="Do not migrate this object.")
    defaults = fields.Json(help="Constant values written on every record (type, tags …).")

    def _export(self):
        return {k: self[k] for k in ("source_object", "target_model", "role", "condition",
                                     "depends_on", "confidence", "reason", "skip", "defaults")}

    def _to_map_line(self):
        return {"source_object": self.source_object, "target_model": self.target_model or "",
                "role": self.role or "", "order": self.sequence,
                "depends_on": [d.strip() for d in (self.depends_on or "").split(",")
                               if d.strip()],
                "confidence": self.confidence, "reason": self.reason or "",
                "condition": self.condition or None, "skip": self.skip,
                "defaults": self.defaults or {}}
