"""What every line of a map version shares: it is added, changed or removed only while its
version is a draft (a confirmed version is frozen; a change is a new version)."""

from odoo import api, models


class FsmMigrationMapLine(models.AbstractModel):
    _name = "fsm.migration.map.line"
    _description = "Migration Map: Line of a Version"

    @api.model_create_multi
    def create(self, vals_list):
        self.env["fsm.migration.map"].browse(
            {vals.get("map_id") for vals in vals_list if vals.get("map_id")}).exists(
            )._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        self.map_id._check_draft()
        if vals.get("map_id"):  # (not moved onto a confirmed version either)
            self.env["fsm.migration.map"].browse(vals["map_id"]).exists()._check_draft()
        return super().write(vals)

    def unlink(self):
        self.map_id._check_draft()
        return super().unlink()
