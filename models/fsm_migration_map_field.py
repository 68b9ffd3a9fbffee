"""A field line of the map: source field → target field through a transform."""

from odoo import _, api, fields, models

from ..services.engine import MAPPER_TRANSFORMS
from ..services.transforms import TRANSFORMS

#: every transform a map line may name: the value transforms and the mapper's own
#: (bindings, users by e-mail, products, files …)
TRANSFORM_NAMES = sorted({*TRANSFORMS, *MAPPER_TRANSFORMS})

NEW_FIELD_TYPES = [
    ("char", "Text"), ("text", "Long text"), ("html", "HTML"), ("integer", "Integer"),
    ("float", "Decimal"), ("boolean", "Checkbox"), ("date", "Date"),
    ("datetime", "Date and time"), ("selection", "Selection"), ("many2one", "Link"),
]


class FsmMigrationMapField(models.Model):
    """Map line: a source field → an Odoo field (existing, or a new x_ field), with the
    transform that turns the source value into the written value."""

    _name = "fsm.migration.map.field"
    _inherit = ["fsm.migration.map.line"]
    _description = "Migration Map: Field Line"
    _order = "map_id, confidence, source_object, source_field, id"

    map_id = fields.Many2one("fsm.migration.map", required=True, ondelete="cascade", index=True,
                             help="The map version this line belongs to.")
    company_id = fields.Many2one(related="map_id.company_id", store=True)
    source_object = fields.Char(required=True,
                                help="The source object, e.g. jobs.")
    source_field = fields.Char(required=True, help="Dotted for nested values: address.city.")
    target_model = fields.Char(required=True,
                               help="The Odoo model written, e.g. crm.lead.")
    target_field = fields.Char(help="Technical name of the Odoo field written.")
    transform = fields.Selection(selection="_selection_transform", default="identity",
                                 required=True,
                                 help="How the source value becomes the written value (dates, "
                                      "money, links …).")
    transform_args = fields.Json(help="Arguments of the transform (e.g. a value map).")
    confidence = fields.Float(digits=(3, 2), readonly=True,
                              help="How sure the proposer is of this line (0–100 %).")
    reason = fields.Char(readonly=True, help="Why the engine proposed this line.")
    samples = fields.Char(readonly=True, help="Values seen in the source.")
    skip = fields.Boolean(help="Do not migrate this field.")
    on_invalid = fields.Selection(
        [("keep", "Keep as typed"), ("empty", "Leave empty"), ("fail", "Fail the record")],
        string="Bad value",
        help="What happens to a value this line's transform cannot normalise (a 7-digit "
             "phone, a date that is no date …). Keep as typed: written as the source has it, "
             "with a warning (text fields); leave empty: the field is left empty, with a "
             "warning; fail the record: the record is not written. Empty: the default for "
             "the target field (keep for text, fail for keys, links the record needs, "
             "amounts and exact dates, leave empty otherwise).")
    role = fields.Char(readonly=True, help="The object line (role) this field line feeds.")
    new_field_type = fields.Selection(
        NEW_FIELD_TYPES, help="Set when the target is a new custom field created by the plan.")
    new_field_label = fields.Char(help="Label of the new custom field.")
    new_field_options = fields.Text(help="Selection options of a new field, one per line.")
    new_field_relation = fields.Char(help="Model a new link field points to (res.partner).")

    @api.model
    def _selection_transform(self):
        return [(name, name.replace("_", " ")) for name in TRANSFORM_NAMES]

    def action_edit(self):
        """Open this line to fix it: here when its version is a draft, otherwise the same
        line in the project's latest draft version (made from this version if none)."""
        self.ensure_one()
        line = self
        if self.map_id.state != "draft":
            drafts = self.map_id.project_id.map_ids.filtered(lambda m: m.state == "draft")
            draft = drafts.sorted("version")[-1:]
            if not draft:
                draft = self.map_id.browse(self.map_id.action_new_version()["res_id"])
            key = (self.source_object, self.source_field, self.target_model)
            line = draft.field_line_ids.filtered(
                lambda f: (f.source_object, f.source_field, f.target_model) == key)[:1]
            if not line:
                return draft._open()
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": line.id,
                "name": _("Map line (v%s)", line.map_id.version),
                "views": [(self.env.ref(
                    "field_service_migration.fsm_migration_map_field_view_form").id, "form")],
                "target": "new"}

    def action_open_map(self):
        self.ensure_one()
        self.check_access("read")
        return self.map_id._open()

    @api.model
    def _vals_from_proposal(self, line):
        """Create values of a line from a ``services.mapping.FieldMapLine``."""
        new = line.new_field or {}
        options = new.get("selection") or []
        return {
            "source_object": line.source_object, "source_field": line.source_field,
            "target_model": line.target_model,
            "target_field": new.get("name") or line.target_field,
            "transform": line.transform if line.transform in TRANSFORM_NAMES else "identity",
            "transform_args": line.transform_args or False,
            "confidence": line.confidence, "reason": line.reason, "skip": line.skip,
            "role": line.role or False,
            "on_invalid": line.on_invalid or False,
            "samples": " | ".join(str(v) for v in line.samples or [])[:250] or False,
            "new_field_type": new.get("ttype") or False,
            "new_field_label": new.get("string") or False,
            "new_field_options": "\n".join(str(v) for v, _label in options) or False,
            "new_field_relation": new.get("relation") or False,
        }

    def _to_map_line(self):
        new_field = None
        if self.new_field_type:
            new_field = {"name": self.target_field, "ttype": self.new_field_type,
                         "string": self.new_field_label or self.target_field,
                         "selection": [(o, o) for o in (self.new_field_options or "").splitlines()
                                       if o.strip()],
                         "relation": self.new_field_relation or None}
        return {"source_object": self.source_object, "source_field": self.source_field,
                "target_model": self.target_model, "target_field": self.target_field or None,
                "transform": self.transform, "transform_args": self.transform_args or {},
                "confidence": self.confidence, "reason": self.reason or "",
                "new_field": new_field, "skip": self.skip, "role": self.role or "",
                "on_invalid": self.on_invalid or None,
                "samples": (self.samples or "").split(" | ") if self.samples else []}

    def _export(self):
        return {k: self[k] for k in (
            "source_object", "source_field", "target_model", "target_field", "transform",
            "transform_args", "confidence", "reason", "skip", "new_field_type",
            "new_field_label", "new_field_options", "new_field_relation", "role", "samples",
            "on_invalid")}
