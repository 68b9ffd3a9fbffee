"""Loads a source layout exported as JSON (staging → production) as a new draft version."""

import base64

from odoo import _, fields, models
from odoo.exceptions import UserError


class FsmMigrationLayoutImport(models.TransientModel):
    _name = "fsm.migration.layout.import"
    _description = "Import a Source Layout"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 default=lambda self: self.env.context.get("active_id"),
                                 help="The project that receives the layout as a new draft "
                                      "version.")
    file = fields.Binary(required=True,
                         help="A layout exported as JSON (Export JSON on a layout version).")
    filename = fields.Char(help="Name of the uploaded file.")

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(_("Choose the layout's JSON file."))
        try:
            text = base64.b64decode(self.file).decode("utf-8-sig")
        except (ValueError, UnicodeDecodeError) as exc:
            raise UserError(_("This is not a source layout: %s", exc)) from exc
        new = self.env["fsm.migration.layout"]._import_json(self.project_id, text)
        if self.project_id.state in ("discover", "plan", "map", "sample"):
            self.project_id.sudo().state = "layout"
        return new._open()
