"""A user line of the map: a source technician/user matched, created or sent to the fallback
user."""

from odoo import _, fields, models


class FsmMigrationMapUser(models.Model):
    """Map line: a technician or other source user → an Odoo user."""

    _name = "fsm.migration.map.user"
    _inherit = ["fsm.migration.map.line"]
    _description = "Migration Map: User Line"
    _order = "map_id, action desc, owned desc, id"

    map_id = fields.Many2one("fsm.migration.map", required=True, ondelete="cascade", index=True,
                             help="The map version this line belongs to.")
    company_id = fields.Many2one(related="map_id.company_id", store=True)
    source_object = fields.Char(required=True,
                                help="The source object the user comes from (technicians, "
                                     "users).")
    source_id = fields.Char(string="Source ID", required=True,
                            help="The user's id in the source.")
    name = fields.Char(help="The user's name in the source.")
    email = fields.Char(help="The user's e-mail in the source (matched against Odoo logins and "
                             "e-mails).")
    owned = fields.Integer(help="Records the user owns in the source.")
    action = fields.Selection(
        [("map", "Use this Odoo user"), ("create", "Create a user"),
         ("fallback", "Give the records to the fallback user")], required=True,
        help="Use an Odoo user, create one, or give this user's records "
             "to the project's fallback user.")
    user_id = fields.Many2one("res.users", domain=[("share", "=", False)],
                              help="The Odoo user who receives this source user's records.")
    reason = fields.Char(readonly=True,
                         help="Why the proposer chose this action.")

    def _problems(self):
        self.ensure_one()
        if self.action == "map" and not self.user_id:
            return [_("User %s: choose the Odoo user to map to.", self.name)]
        if self.action == "create" and not self.email:
            return [_("User %s: a user can only be created with an e-mail (its login).",
                      self.name)]
        if self.action == "create" and not (self.env.su or self.env.user.has_group(
                "base.group_erp_manager")):
            return [_("User %s: creating Odoo users needs Administration / Access Rights; "
                      "map this user to an existing one or give its records to the fallback "
                      "user.", self.name)]
        if self.action == "fallback" and not self.map_id.project_id.fallback_user_id:
            return [_("User %s goes to the fallback user: choose one on the project.",
                      self.name)]
        return []

    def _export(self):
        return {"source_object": self.source_object, "source_id": self.source_id,
                "name": self.name, "email": self.email, "owned": self.owned,
                "action": self.action, "user": self.user_id.login or None,
                "reason": self.reason}
