"""Wizard: import a map exported as JSON (from a staging database) as a new draft version."""

import base64
import json

from odoo import _, fields, models
from odoo.exceptions import UserError

OBJECT_KEYS = ("source_object", "target_model", "role", "condition", "depends_on",
               "confidence", "reason", "skip", "defaults")
FIELD_KEYS = ("source_object", "source_field", "target_model", "target_field", "transform",
              "transform_args", "confidence", "reason", "skip", "new_field_type",
              "new_field_label", "new_field_options", "new_field_relation", "role",
              "samples", "on_invalid")
VALUE_KEYS = ("kind", "source_object", "source_field", "source_value", "target_value",
              "is_won", "is_lost", "create_new", "confidence", "reason")


class FsmMigrationMapImport(models.TransientModel):
    """Loads a map exported from another database (staging → production) as a new draft
    version of this project: the same lines, to check and confirm here."""

    _name = "fsm.migration.map.import"
    _description = "Import a Migration Map"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 default=lambda self: self.env.context.get("active_id"),
                                 help="The project that receives the imported map as a new "
                                      "draft version.")
    file = fields.Binary(required=True, help="A map exported as JSON (Export JSON on a map).")
    filename = fields.Char(help="Name of the uploaded file.")

    def action_import(self):
        self.ensure_one()
        self.project_id.check_access("write")
        try:
            data = json.loads(base64.b64decode(self.file))
            objects, lines, values = data["objects"], data["fields"], data["values"]
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError(_("This is not a map exported by this module: %s", exc)) from exc
        logins = {u.login: u.id for u in self.env["res.users"].search([("share", "=", False)])}
        version = max(self.project_id.map_ids.mapped("version") or [0]) + 1
        new_map = self.env["fsm.migration.map"].create({
            "project_id": self.project_id.id, "version": version,
            "layout_id": self.project_id.confirmed_layout_id.id,
            "notes": _("Imported from %(project)s, map v%(version)s.",
                       project=data.get("project"), version=data.get("version")),
            "object_line_ids": [(0, 0, {"sequence": seq, **{k: o.get(k) for k in OBJECT_KEYS}})
                                for seq, o in enumerate(objects)],
            "field_line_ids": [(0, 0, {k: f.get(k) for k in FIELD_KEYS}) for f in lines],
            "value_line_ids": [(0, 0, {k: v.get(k) for k in VALUE_KEYS}) for v in values],
            "user_line_ids": [(0, 0, {
                "source_object": u["source_object"], "source_id": u["source_id"],
                "name": u.get("name"), "email": u.get("email"), "owned": u.get("owned") or 0,
                "action": u["action"] if u["action"] != "map" or u.get("user") in logins
                else "fallback",
                "user_id": logins.get(u.get("user")),
                "reason": u.get("reason")}) for u in data.get("users", [])],
        })
        return new_map._open()
