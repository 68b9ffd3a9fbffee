"""A migration project: its name, company, pipeline state and the versions of its layout and map."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

MANAGER_GROUP = "field_service_migration.group_migration_manager"

#: the pipeline of DESIGN.md, in order (the status bar of the project form)
PIPELINE_STATES = [
    ("connect", "Connect"),
    ("discover", "Discover"),
    ("layout", "Layout"),
    ("plan", "Plan schema"),
    ("map", "Map"),
    ("sample", "Sample"),
    ("run", "Full run"),
    ("verify", "Verify"),
    ("delta", "Delta pickup"),
    ("done", "Done"),
    ("rolled_back", "Rolled back"),
]


class FsmMigrationProject(models.Model):
    _name = "fsm.migration.project"
    _description = "Field Service Migration Project"
    _inherit = ["fsm.migration.guard", "mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    #: the pipeline's gates: moved by the steps' own actions only
    _fsm_guarded = ("state", "sample_approved", "cutover_until", "discovered_at")

    name = fields.Char(required=True, tracking=True,
                       help="A name for this migration, e.g. 'Dispatch → Odoo, production'.")
    active = fields.Boolean(default=True)
    source_kind = fields.Selection(
        [("dispatch", "Dispatch (dispatch.me)"),
         ("fst_rest", "Field Service Trakker (REST)"),
         ("fst_bundle", "Field Service Trakker (export bundle)")],
        required=True, default="dispatch", tracking=True,
        help="Where the data comes from: the Dispatch v3 API, an FST server through the "
             "configurable REST adapter, or an FST export bundle (CSV files, zipped or not).")
    state = fields.Selection(
        PIPELINE_STATES, required=True, default="connect", tracking=True, copy=False,
        help="The step of the migration pipeline this project has reached.")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company,
        help="The company whose data this migration writes.")
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, tracking=True,
        help="The consultant in charge of this migration.")
    notes = fields.Html(help="Free notes about this migration (scope, decisions, cutover plan).")

    # --- source layout ------------------------------------------------------------------
    layout_ids = fields.One2many("fsm.migration.layout", "project_id", string="Layout versions",
                                 help="Every source layout version of this project.")
    layout_id = fields.Many2one("fsm.migration.layout", string="Latest layout",
                                compute="_compute_layout",
                                help="The newest source layout version (draft or confirmed).")
    confirmed_layout_id = fields.Many2one(
        "fsm.migration.layout", compute="_compute_layout", string="Confirmed layout",
        help="The layout the data dictionary and the map are read through.")
    # --- map and plan -------------------------------------------------------------------
    map_ids = fields.One2many("fsm.migration.map", "project_id", string="Map versions",
                              help="Every map version of this project.")
    map_id = fields.Many2one("fsm.migration.map", string="Latest map", compute="_compute_map",
                             help="The newest map version (draft or confirmed).")
    confirmed_map_id = fields.Many2one("fsm.migration.map", compute="_compute_map",
                                       string="Confirmed map",
                                       help="The map version runs use.")
    fallback_user_id = fields.Many2one(
        "res.users", domain=[("share", "=", False)], tracking=True,
        help="Receives the activities and messages of source users that match no Odoo user "
             "(when the plan says so).")
    journal_ids = fields.One2many("fsm.migration.journal", "project_id",
                                  help="Every change the migration made in Odoo.")
    run_ids = fields.One2many("fsm.migration.run", "project_id",
                              help="Samples, full runs, deltas and rollbacks of this project.")
    run_count = fields.Integer(compute="_compute_run_count",
                               help="Samples, full runs, deltas and rollbacks of this project.")
    last_run_id = fields.Many2one("fsm.migration.run", compute="_compute_run_count",
                                  help="The newest sample, full run or delta.")
    last_run_progress = fields.Float(compute="_compute_run_count", string="Last run",
                                     help="Done, in percent, of the newest run.")
    last_run_state = fields.Char(compute="_compute_run_count", string="Last run state",
                                 help="State of the newest run.")
    journal_count = fields.Integer(compute="_compute_journal_count",
                                   help="Journal entries: every record, field, stage and user "
                                        "the migration created or changed.")

    def _post_note(self, body):
        """A note in the project's history by the current user, who may have no e-mail
        address (Odoo refuses to post as such a user otherwise)."""
        return self.sudo().message_post(body=body, message_type="comment",
                                        subtype_xmlid="mail.mt_note",
                                        author_id=self.env.user.partner_id.id)

    # --- layout and map versions, journal and runs -----------------------------------
    def action_propose_map(self):
        """A new draft map version proposed from the data dictionary and the database."""
        self.ensure_one()
        self.check_access("write")
        if not self.confirmed_layout_id:
            raise UserError(_("Confirm the source layout first (Layout step): the map is "
                              "proposed from the objects it says the files hold."))
        if not self.object_ids:
            raise UserError(_("Discover the source first: the map is proposed from its data "
                              "dictionary."))
        new_map = self.env["fsm.migration.map"]._create_proposal(self)
        return new_map._open()

    def action_open_map(self):
        self.ensure_one()
        self.check_access("read")
        if not self.map_id:
            return self.action_propose_map()
        return self.map_id._open()

    @api.depends("layout_ids.state", "layout_ids.version")
    def _compute_layout(self):
        for project in self:
            layouts = project.layout_ids.sorted("version", reverse=True)
            project.layout_id = layouts[:1]
            project.confirmed_layout_id = layouts.filtered(
                lambda rec: rec.state == "confirmed")[:1]

    def action_open_layout(self):
        self.ensure_one()
        self.check_access("read")
        if not self.layout_id:
            raise UserError(_("Discover the source first: its layout is proposed then."))
        return self.layout_id._open()

    def _check_map_current(self, fsm_map=None):
        """A map proposed from an older layout than the confirmed one is refused."""
        self.ensure_one()
        fsm_map = fsm_map or self.confirmed_map_id
        if fsm_map.layout_id and fsm_map.layout_id != self.confirmed_layout_id:
            raise UserError(_(
                "Map v%(map)s was proposed from layout v%(old)s, and layout v%(new)s is "
                "confirmed now: propose the map again (Propose a new map) and confirm it.",
                map=fsm_map.version, old=fsm_map.layout_id.version,
                new=self.confirmed_layout_id.version or 0))

    @api.depends("map_ids.state", "map_ids.version")
    def _compute_map(self):
        for project in self:
            maps = project.map_ids.sorted("version", reverse=True)
            project.map_id = maps[:1]
            project.confirmed_map_id = maps.filtered(lambda m: m.state == "confirmed")[:1]

    @api.depends("journal_ids")
    def _compute_journal_count(self):
        counts = dict(self.env["fsm.migration.journal"]._read_group(
            [("project_id", "in", self.ids)], ["project_id"], ["__count"]))
        for project in self:
            project.journal_count = counts.get(project, 0)

    def action_open_journal(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_journal_action")
        action["domain"] = [("project_id", "=", self.id)]
        return action

    @api.depends("run_ids")
    def _compute_run_count(self):
        for project in self:
            last = project._migration_runs().sorted("id")[-1:]
            project.run_count = len(project.run_ids)
            project.last_run_id = last
            project.last_run_progress = last.progress
            project.last_run_state = last.state or False

    def _on_map_confirmed(self, confirmed):
        self._post_note(body=_("Map v%s confirmed.", confirmed.version))
        if self.state in ("connect", "discover", "plan"):
            self.sudo().state = "map"
