"""The security XML's hook to put the module's groups in their user-form section."""

from odoo import api, models

from .. import compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _fsm_link_sections(self, category_xmlid, group_xmlids):
        compat.link_group_sections(self.env, category_xmlid, group_xmlids)
