import json
import logging
import os
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.errors import SourceConfigError, SourceError
from ..services.layout.model import SourceLayout, known_fst_profile
from ..services.path_policy import PARAM_IMPORT_FOLDERS, check_bundle_path, parse_import_folders
from ..services.profiling import profile_source
from ..services.sample import select_sample
from ..services.source_factory import build_source
from ..services.source_identity import source_identity
from ..services.url_policy import DEFAULT_ALLOWED_HOSTS, check_source_url, parse_allowed_hosts
from .fsm_migration_layout import layout_structure

_logger = logging.getLogger(__name__)

PARAM_ALLOWED_HOSTS = "field_service_migration.allowed_hosts"
PARAM_ALLOW_LOOPBACK = "field_service_migration.allow_loopback"
MANAGER_GROUP = "field_service_migration.group_migration_manager"
#: a group no user is in: what only the module's own code reads, under sudo
SECRET_GROUP = "field_service_migration.group_migration_secret_store"

#: the secrets a source may need; stored together, readable by managers only, never
#: shown back: the form writes them through write-only input fields.
SECRET_KEYS = ("client_secret", "password", "api_key", "token")

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

    # --- connection settings (managers only) -------------------------------------
    source_url = fields.Char(
        string="Base URL", groups=MANAGER_GROUP, tracking=True,
        help="Base URL of the source API, e.g. https://api.dispatch.me. Its host must be on "
             "the allow-list (system parameter field_service_migration.allowed_hosts).")
    auth_method = fields.Selection(
        [("client_credentials", "OAuth2 client credentials"),
         ("password", "OAuth2 password"),
         ("bearer", "Bearer token"),
         ("api_key", "API key header"),
         ("basic", "HTTP basic")],
        default="client_credentials", groups=MANAGER_GROUP,
        help="How to authenticate against the source.")
    client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP,
                            help="OAuth2 client id (not a secret, but managers only).")
    username = fields.Char(groups=MANAGER_GROUP, help="User name for password or basic auth.")
    api_key_header = fields.Char(groups=MANAGER_GROUP, default="X-API-Key",
                                 help="Header carrying the API key (API key auth).")
    bundle_path = fields.Char(
        groups=MANAGER_GROUP,
        help="Path, on the Odoo server, of the FST export bundle: a folder or a .zip file.")
    rest_config = fields.Text(
        string="REST adapter settings", groups=MANAGER_GROUP,
        help="FST REST adapter settings as JSON: endpoints per object, pagination style, "
             "where the records sit in the answer.")
    # stored secrets: no user reads them (no one is in the group); the source factory
    # reads them under sudo, the form writes them through the write-only inputs
    credentials_json = fields.Text(groups=SECRET_GROUP, copy=False, prefetch=False)
    # write-only inputs: always read back empty, their inverse stores the value
    client_secret_input = fields.Char(
        string="Client secret", compute="_compute_secret_inputs", inverse="_inverse_client_secret",
        groups=MANAGER_GROUP, help="Stored, never shown back. Leave empty to keep the current one.")
    password_input = fields.Char(
        string="Password", compute="_compute_secret_inputs", inverse="_inverse_password",
        groups=MANAGER_GROUP, help="Stored, never shown back. Leave empty to keep the current one.")
    api_key_input = fields.Char(
        string="API key", compute="_compute_secret_inputs", inverse="_inverse_api_key",
        groups=MANAGER_GROUP, help="Stored, never shown back. Leave empty to keep the current one.")
    token_input = fields.Char(
        string="Token", compute="_compute_secret_inputs", inverse="_inverse_token",
        groups=MANAGER_GROUP, help="Stored, never shown back. Leave empty to keep the current one.")
    secrets_set = fields.Char(
        string="Secrets stored", compute="_compute_secrets_set", groups=MANAGER_GROUP,
        help="Which secrets are stored for this project (their values are never shown).")
    last_connection_message = fields.Char(readonly=True, copy=False,
                                          help="The outcome of the last connection test.")

    # --- discovery --------------------------------------------------------------------
    discovery_sample_size = fields.Integer(
        default=5000, groups=MANAGER_GROUP,
        help="Records profiled per object at most; counts stay exact when the source gives "
             "them. Raise it for a finer dictionary on a large source.")
    discovered_at = fields.Datetime(readonly=True, copy=False,
                                    help="When the source was last discovered.")
    object_ids = fields.One2many("fsm.migration.object", "project_id", string="Source objects",
                                 help="The source objects found by discovery, with their "
                                      "counts.")
    object_count = fields.Integer(compute="_compute_discovery_counts",
                                  help="Source objects found by discovery.")
    source_field_count = fields.Integer(compute="_compute_discovery_counts",
                                        help="Fields found in the source objects (the data "
                                             "dictionary).")
    multi_contact_customers = fields.Integer(
        readonly=True, copy=False,
        help="Customers with several contacts: each becomes a company with child contacts.")
    multi_site_customers = fields.Integer(
        readonly=True, copy=False,
        help="Customers with several sites / service locations: each site becomes a child "
             "address.")
    cardinality_json = fields.Text(readonly=True, copy=False,
                                   help="Customer → contact and customer → site cardinality, "
                                        "as measured.")
    discovery_issues_json = fields.Text(readonly=True, copy=False,
                                        help="Records the source could not give as documented.")
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
    rollback_run_id = fields.Many2one(
        "fsm.migration.run", compute="_compute_rollback_run", string="Rollback in progress",
        help="The rollback of this project that is running or paused, if any: it blocks "
             "runs and other rollbacks until it is done.")
    rollback_state = fields.Char(compute="_compute_rollback_run",
                                 string="Rollback state",
                                 help="State of the rollback in progress (running or paused).")
    rollback_progress = fields.Float(compute="_compute_rollback_run",
                                     string="Rolling back",
                                     help="Done, in percent, of the rollback in progress.")
    rollback_progress_data = fields.Json(
        compute="_compute_rollback_run", string="Rollback progress",
        help="Live progress of the rollback in progress (overall and per model).")
    journal_count = fields.Integer(compute="_compute_journal_count",
                                   help="Journal entries: every record, field, stage and user "
                                        "the migration created or changed.")
    discovery_issue_count = fields.Integer(readonly=True, copy=False,
                                           help="Records the source could not give as "
                                                "documented (malformed rows, bad values).")

    def _post_note(self, body):
        """A note in the project's history by the current user, who may have no e-mail
        address (Odoo refuses to post as such a user otherwise)."""
        return self.sudo().message_post(body=body, message_type="comment",
                                        subtype_xmlid="mail.mt_note",
                                        author_id=self.env.user.partner_id.id)

    # --- one source, one project -------------------------------------------------------
    source_identity = fields.Char(
        compute="_compute_source_identity", store=True, index=True, readonly=True,
        help="Which source this project reads: kind, host (or the bundle's location) and "
             "account, never a secret. Another project with the same identity reads the "
             "same source: the command line reuses it, and no record is created twice.")
    same_source_project_id = fields.Many2one(
        "fsm.migration.project", compute="_compute_same_source_project",
        string="Same source as",
        help="An earlier project of this database that reads the same source.")

    @api.depends("source_kind", "source_url", "client_id", "username", "bundle_path")
    def _compute_source_identity(self):
        for project in self:
            settings = project.sudo()
            project.source_identity = source_identity(
                settings.source_kind, settings.source_url, settings.client_id,
                settings.username, settings.bundle_path) or False

    @api.depends("source_identity")
    def _compute_same_source_project(self):
        for project in self:
            identity = project.source_identity or source_identity(
                project.sudo().source_kind, project.sudo().source_url,
                project.sudo().client_id, project.sudo().username, project.sudo().bundle_path)
            project.same_source_project_id = identity and self.search([
                ("source_identity", "=", identity), ("id", "!=", project._origin.id or 0)],
                order="id", limit=1)

    @api.onchange("source_kind", "source_url", "client_id", "username", "bundle_path")
    def _onchange_same_source(self):
        other = self.same_source_project_id
        if other and not self._origin.id:
            return {"warning": {"title": _("This source has a project already"), "message": _(
                "Project %(name)s (#%(id)s) reads the same source. Open it to resume or "
                "update that migration; a second project on purpose never creates a record "
                "the first one made (it binds to it).", name=other.name, id=other.id)}}
        return None

    @api.model
    def _find_for_source(self, vals):
        """The project of this database reading the source ``vals`` describe (the oldest),
        or an empty recordset."""
        identity = source_identity(vals.get("source_kind"), vals.get("source_url"),
                                   vals.get("client_id"), vals.get("username"),
                                   vals.get("bundle_path"))
        if not identity:
            return self.browse()
        return self.search([("source_identity", "=", identity)], order="id", limit=1)

    def action_open_same_source_project(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": self._name,
                "res_id": self.same_source_project_id.id, "view_mode": "form",
                "target": "current"}

    # --- secrets --------------------------------------------------------------------
    def _get_secrets(self):
        self.ensure_one()
        return json.loads(self.sudo().credentials_json or "{}")

    def _set_secret(self, key, value):
        for project in self:
            if not value:
                continue  # an empty input keeps the stored secret
            secrets = project._get_secrets()
            secrets[key] = value
            project.sudo().credentials_json = json.dumps(secrets)

    def _compute_secret_inputs(self):
        for project in self:
            project.client_secret_input = project.password_input = False
            project.api_key_input = project.token_input = False

    def _inverse_client_secret(self):
        for project in self:
            project._set_secret("client_secret", project.client_secret_input)

    def _inverse_password(self):
        for project in self:
            project._set_secret("password", project.password_input)

    def _inverse_api_key(self):
        for project in self:
            project._set_secret("api_key", project.api_key_input)

    def _inverse_token(self):
        for project in self:
            project._set_secret("token", project.token_input)

    @api.depends("credentials_json")
    def _compute_secrets_set(self):
        for project in self:
            keys = [k for k, v in project._get_secrets().items() if v and k in SECRET_KEYS]
            project.secrets_set = ", ".join(sorted(keys)) or _("none")

    def action_clear_secrets(self):
        self.ensure_one()
        self.check_access("write")
        self.sudo().credentials_json = False

    # --- URL policy -----------------------------------------------------------------
    @api.model
    def _get_url_policy(self):
        params = self.env["ir.config_parameter"].sudo()
        hosts = parse_allowed_hosts(params.get_param(PARAM_ALLOWED_HOSTS))
        loopback = (params.get_param(PARAM_ALLOW_LOOPBACK) or "").strip().lower() in (
            "1", "true", "yes")
        # the command line's --allow-loopback: its own superuser environment only (a
        # context key of an RPC call is the caller's, never trusted)
        loopback = loopback or bool(self.env.su and self.env.context.get("fsm_allow_loopback"))
        return hosts or list(DEFAULT_ALLOWED_HOSTS), loopback

    def _checked_url(self, allow_loopback=None):
        """The project's base URL, checked against the allow-list (raises UserError)."""
        self.ensure_one()
        hosts, loopback = self._get_url_policy()
        if allow_loopback is not None:
            loopback = loopback or allow_loopback
        try:
            return check_source_url(self.sudo().source_url, hosts, loopback)
        except SourceConfigError as exc:
            raise UserError(str(exc)) from exc

    @api.constrains("source_url", "source_kind")
    def _check_source_url(self):
        hosts, loopback = self._get_url_policy()
        for project in self.sudo():
            if project.source_kind == "fst_bundle" or not project.source_url:
                continue
            try:
                check_source_url(project.source_url, hosts, loopback)
            except SourceConfigError as exc:
                raise ValidationError(str(exc)) from exc

    # --- import folders ---------------------------------------------------------------
    @api.model
    def _import_folders(self):
        """Where bundles may be read from: the system parameter, else
        ``<data_dir>/fsm_imports``."""
        from odoo.tools import config

        default = os.path.join(config["data_dir"], "fsm_imports")
        return parse_import_folders(
            self.env["ir.config_parameter"].sudo().get_param(PARAM_IMPORT_FOLDERS), default)

    def _checked_bundle_path(self):
        """The project's bundle path, resolved, if it lies in an import folder (raises
        UserError for every user otherwise; the command line's --allow-any-path is its own
        superuser environment's only, never an RPC caller's context)."""
        self.ensure_one()
        path = self.sudo().bundle_path
        if self.env.su and self.env.context.get("fsm_allow_any_path"):
            return os.path.realpath(path) if path else path
        try:
            return check_bundle_path(path, self._import_folders())
        except SourceConfigError as exc:
            raise UserError(str(exc)) from exc

    # --- connection and discovery -----------------------------------------------------
    def _source_settings(self):
        """Plain settings for ``services.source_factory.build_source`` (secrets included)."""
        self.ensure_one()
        project = self.sudo()  # connection fields are manager-only; callers are managers
        hosts, loopback = self._get_url_policy()
        settings = {
            "kind": project.source_kind, "url": project.source_url,
            "auth_method": project.auth_method, "client_id": project.client_id,
            "username": project.username, "api_key_header": project.api_key_header,
            "bundle_path": (self._checked_bundle_path()
                            if project.source_kind == "fst_bundle" else project.bundle_path),
            "allowed_hosts": hosts,
            "layout": (self.confirmed_layout_id._layout_dict()
                       if self.confirmed_layout_id else None),
            "allow_loopback": loopback,
            "rest_config": json.loads(project.rest_config) if project.rest_config else {},
        }
        settings.update(project._get_secrets())
        return settings

    def _make_source(self):
        self.ensure_one()
        self.check_access("write")
        try:
            return build_source(self._source_settings())
        except SourceError as exc:
            raise UserError(str(exc)) from exc

    def action_test_connection(self):
        """Try the source; the outcome stays on the project and shows as a notification
        (a failure is not raised, so that its message is kept)."""
        self.ensure_one()
        source = self._make_source()
        try:
            source.test_connection()
        except SourceError as exc:
            ok, self.last_connection_message = False, _("Connection failed: %s", exc)
        else:
            ok, self.last_connection_message = True, _("Connection OK (%s)", fields.Datetime.now())
            if self.state == "connect":
                self.sudo().state = "discover"
        finally:
            source.close()
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"type": "success" if ok else "danger", "sticky": not ok,
                           "message": self.last_connection_message,
                           # closing reloads the form the button was clicked on (a
                           # soft_reload would restore a new record's form empty)
                           "next": {"type": "ir.actions.act_window_close"}}}

    def action_discover(self):
        """Read the source's tables and propose their layout; with a confirmed layout
        (the built-in one is confirmed at once), profile every source object into the
        data dictionary (replacing any). A layout to review stops at the Layout step."""
        self.ensure_one()
        self.check_access("write")
        layout = self._discover_layout()
        if layout.state != "confirmed":
            if self.state in ("connect", "discover", "plan", "map", "sample"):
                self.sudo().state = "layout"
            return layout._open()
        return self._profile()

    def _discover_layout(self):
        """The layout this discovery proposes: the same as the confirmed one's proposal
        keeps it; the built-in profile is confirmed at once; otherwise a draft."""
        self.ensure_one()
        proposal, tables = self._propose_layout()
        Layout = self.env["fsm.migration.layout"]
        text = proposal.to_json()
        confirmed = self.confirmed_layout_id
        self._post_note(body=_("Files and sheets found: %s", "; ".join(tables) or _("none")))
        same = layout_structure(text)
        if confirmed and layout_structure(confirmed.proposed_json) == same:
            for draft in self.layout_ids.filtered(lambda rec: rec.state == "draft"):
                if layout_structure(draft._to_layout().to_json()) == same:
                    draft.sudo().unlink()  # (the same proposal again, unedited)
            return confirmed
        new = Layout._create_from_layout(self, proposal, text)
        if proposal.profile != "custom" and proposal.lowest_confidence() >= 1.0 \
                and not proposal.problems():
            new._confirm()
            self._post_note(body=_(
                "Layout v%(version)s (%(profile)s): the source's known layout, recognised "
                "with confidence 1 and confirmed automatically.", version=new.version,
                profile=proposal.profile))
        else:
            new.action_validate()
            self._post_note(body=_(
                "Layout v%(version)s proposed: review it (lowest confidence %(low)s%%) and "
                "confirm it; the data dictionary and the map wait for it.",
                version=new.version, low=round(proposal.lowest_confidence() * 100)))
        return new

    def _propose_layout(self):
        """``(SourceLayout, [what was made of each table])`` proposed for this source."""
        self.ensure_one()
        kind = self.source_kind
        if kind == "dispatch":
            layout = SourceLayout(profile="dispatch")
        elif kind == "fst_rest":
            layout = known_fst_profile()
            layout.profile = "fst_rest"
            layout.attachments.reason = "the FST REST adapter's attachments endpoint"
            for table in layout.tables:
                table.path = table.object
                table.reason = "the FST REST adapter's endpoint for the object"
        else:
            from ..services.layout.propose import propose_layout
            from ..services.layout.readers import open_tables

            try:
                raw = open_tables(self._checked_bundle_path())
            except SourceError as exc:
                raise UserError(_("Discovery failed: %s", exc)) from exc
            try:
                layout = propose_layout(raw)
            except SourceError as exc:
                raise UserError(_("Discovery failed: %s", exc)) from exc
            finally:
                raw.close()
        return layout, [_table_summary(t) for t in layout.tables]

    def _on_layout_confirmed(self, layout):
        """A layout confirmed by hand: the data dictionary is read through it."""
        self._post_note(body=_("Layout v%s confirmed.", layout.version))
        stale = self.confirmed_map_id
        if stale:
            self._post_note(body=_(
                "Map v%(map)s was proposed from another layout: propose the map again and "
                "confirm it before the next run.", map=stale.version))
        self._profile()

    def _profile(self):
        """Profile every source object, through the confirmed layout, into the data
        dictionary (replacing any)."""
        self.ensure_one()
        source = self._make_source()
        kind = "dispatch" if self.source_kind == "dispatch" else "fst"

        def progress(obj, index, total):
            _logger.info("Discovery of project %s: %s (%d/%d)", self.id, obj, index + 1, total)
        try:
            result = profile_source(source, kind, sample_limit=self.discovery_sample_size or None,
                                    progress=progress)
        except SourceError as exc:
            raise UserError(_("Discovery failed: %s", exc)) from exc
        finally:
            source.close()
        self._store_discovery(result)
        if self.state in ("connect", "discover", "layout"):
            self.sudo().state = "plan"
        return True

    def _store_discovery(self, result):
        self.ensure_one()
        self.object_ids.unlink()
        objects = self.env["fsm.migration.object"].create([{
            "project_id": self.id, "sequence": seq, "name": obj["object"],
            "record_count": obj["count"], "profiled_count": obj["profiled"],
            "sampled": obj["sampled"], "readable": obj.get("readable", True),
            "unreadable_status": obj.get("status") or 0,
            "unreadable_reason": obj.get("reason") or obj.get("vendor_message") or False,
        } for seq, obj in enumerate(result["objects"])])
        self.env["fsm.migration.field"].create([{
            "object_id": record.id, "name": f["name"], "inferred_type": f["inferred_type"],
            "null_rate": f["null_rate"], "distinct_count": f["distinct"],
            "distinct_capped": f["distinct_capped"], "samples": " | ".join(f["samples"]),
            "max_length": f["max_length"], "is_custom": f["custom"],
            "options": "\n".join(f["options"]) or False,
        } for record, obj in zip(objects, result["objects"], strict=True) for f in obj["fields"]])
        figures = {c["label"]: c for c in result["cardinality"]}
        several = [c["parents_with_several"] for label, c in figures.items() if "contact" in label]
        sites = [c["parents_with_several"] for label, c in figures.items()
                 if "site" in label or "location" in label]
        self.sudo().write({
            "discovered_at": fields.Datetime.now(),
            "cardinality_json": json.dumps(result["cardinality"], indent=1),
            "multi_contact_customers": sum(several),
            "multi_site_customers": sum(sites),
            "discovery_issues_json": json.dumps(result["issues"][:1000], indent=1),
            "discovery_issue_count": len(result["issues"]),
        })
        self._post_note(body=_(
            "Discovery: %(objects)s objects, %(fields)s fields, %(records)s records, "
            "%(issues)s issues.", objects=len(objects),
            fields=sum(len(o["fields"]) for o in result["objects"]),
            records=sum(o["count"] for o in result["objects"]),
            issues=len(result["issues"])))
        unreadable = [o for o in result["objects"] if not o.get("readable", True)]
        if unreadable:
            self._post_note(body=_(
                "Not readable with this account (reported, proposed as skip; the rest "
                "migrates): %s", "; ".join(
                    f"{o['object']} (HTTP {o.get('status')}: "
                    f"{(o.get('vendor_message') or '')[:120]})" for o in unreadable)))

    @api.depends("object_ids.field_ids")
    def _compute_discovery_counts(self):
        for project in self:
            project.object_count = len(project.object_ids)
            project.source_field_count = sum(project.object_ids.mapped("field_count"))

    def action_open_data_dictionary(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_field_action")
        action["domain"] = [("project_id", "=", self.id)]
        return action

    # --- map ------------------------------------------------------------------------
    def _dictionary(self):
        """The stored data dictionary in the shape ``services.profiling`` returns."""
        self.ensure_one()
        return {"objects": [{
            "object": obj.name, "count": obj.record_count, "profiled": obj.profiled_count,
            "sampled": obj.sampled, "readable": obj.readable,
            "status": obj.unreadable_status or None,
            "vendor_message": obj.unreadable_reason or None,
            "reason": obj.unreadable_reason or None,
            "fields": [{"name": f.name, "inferred_type": f.inferred_type,
                        "null_rate": f.null_rate, "distinct": f.distinct_count,
                        "distinct_capped": f.distinct_capped, "max_length": f.max_length,
                        "samples": f.samples.split(" | ") if f.samples else [],
                        "options": f.options.splitlines() if f.options else [],
                        "custom": f.is_custom} for f in obj.field_ids],
        } for obj in self.object_ids], "cardinality": json.loads(self.cardinality_json or "[]")}

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

    # --- runs -----------------------------------------------------------------------------
    conflict_policy = fields.Selection(
        [("odoo", "Keep the Odoo version"), ("source", "Take the source version")],
        default="odoo", required=True, tracking=True,
        help="When a record changed in the source was also edited in Odoo since it was "
             "migrated (delta pickup).")
    cutover_hours = fields.Integer(
        default=48, help="How long after the full run the source's changes are picked up.")
    cutover_until = fields.Datetime(readonly=True, copy=False,
                                    help="Until when the source's changes are picked up.")
    sample_size = fields.Integer(
        default=300, groups=MANAGER_GROUP,
        help="Records in the sample run: a quarter are work orders or jobs, spread over the "
             "source; the rest is what they depend on and what depends on them.")
    sample_run_id = fields.Many2one("fsm.migration.run", compute="_compute_sample_run",
                                    help="The sample run (not rolled back), if any.")
    new_user_group = fields.Selection(
        [("sales_own", "Sales / User: Own Documents Only"),
         ("sales_all", "Sales / User: All Documents"),
         ("internal", "Internal user, no application rights")],
        default="sales_own", required=True, groups=MANAGER_GROUP, tracking=True,
        string="Rights of created users",
        help="The rights of the users the schema plan creates for unmatched technicians: "
             "exactly these (never the default user template's).")
    allow_active_attachments = fields.Boolean(
        string="Serve HTML/SVG files inline", copy=False, tracking=True, groups=MANAGER_GROUP,
        help="Migrated HTML, SVG and XML files are stored as plain text (never rendered in the "
             "browser, where their scripts would run). Tick only for a source you trust.")
    skip_sample = fields.Boolean(
        string="No sample", copy=False, tracking=True, groups=MANAGER_GROUP,
        help="Start the full run without a sample run and its approved diff (a Migration "
             "Manager's decision, kept in the project's history).")
    sample_approved = fields.Boolean(readonly=True, copy=False, tracking=True,
                                     help="The sample's diff was read and approved: the full "
                                          "run may start.")

    @api.depends("run_ids.kind", "run_ids.state")
    def _compute_sample_run(self):
        for project in self:
            project.sample_run_id = project.run_ids.filtered(
                lambda r: r.kind == "sample" and r.state != "rolled_back").sorted("id")[-1:]

    def _sample_ids(self):
        """Source ids of a representative sample (see ``services.sample``)."""
        self.ensure_one()
        source = self._make_source()
        try:
            return select_sample(self.confirmed_map_id._to_proposal(), source.iter_records,
                                 size=self.sample_size or 300)
        except SourceError as exc:
            raise UserError(_("Could not read the source: %s", exc)) from exc
        finally:
            source.close()

    def action_run_sample(self):
        """Migrate a sample with the confirmed map, then show its field-level diff."""
        self.ensure_one()
        if not self.confirmed_map_id:
            raise UserError(_("Confirm a map first: no record moves before that."))
        run = self._start_run("sample", source_ids=self._sample_ids())
        run.run_until_done()
        return run.action_open_diff()

    def action_approve_sample(self):
        self.ensure_one()
        self.check_access("write")
        if not self.sample_run_id or self.sample_run_id.state != "done":
            raise UserError(_("Run a sample first and read its diff."))
        self.sudo().sample_approved = True
        if self.state == "sample":
            self.sudo().state = "run"

    def _migration_runs(self):
        """Samples, full runs and deltas: the runs that wrote something (not rollbacks)."""
        self.ensure_one()
        return self.run_ids.filtered(lambda r: r.kind != "rollback")

    def _going_rollback(self):
        """The rollback of this project that is running or paused (empty if none)."""
        self.ensure_one()
        return self.run_ids.filtered(
            lambda r: r.kind == "rollback" and r.state in ("running", "paused")).sorted(
            "id")[-1:]

    def _check_no_rollback_going(self):
        """A rollback in progress blocks runs and other rollbacks of the project."""
        for project in self:
            rollback = project._going_rollback()
            if rollback:
                raise UserError(_(
                    "A rollback of this project is in progress (%(run)s, %(percent)s%% done): "
                    "wait until it is done, or resume it from its form if it is paused, "
                    "before starting a run or another rollback.",
                    run=rollback.display_name, percent=round(rollback.progress)))

    @api.depends("run_ids.state")
    def _compute_rollback_run(self):
        for project in self:
            rollback = project._going_rollback() if project.id else self.env[
                "fsm.migration.run"]
            project.update({
                "rollback_run_id": rollback, "rollback_state": rollback.state or False,
                "rollback_progress": rollback.progress if rollback else 0.0,
                "rollback_progress_data": rollback._progress_data() if rollback else False,
            })

    def action_open_rollback_run(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": self.rollback_run_id.id, "view_mode": "form",
                "views": [[False, "form"]], "target": "current"}

    def action_discard_sample(self):
        """Roll the sample back completely, so that the map can be fixed and sampled again."""
        self.ensure_one()
        self.check_access("write")
        if not self.sample_run_id:
            raise UserError(_("There is no sample to discard."))
        self.env["fsm.migration.rollback"].with_context(active_id=self.id).create(
            {"run_id": self.sample_run_id.id, "force": True}).action_rollback()
        self.sudo().sample_approved = False
        if self.state in ("run",):
            self.sudo().state = "sample"

    def action_open_discard_sample(self):
        """The rollback wizard on the sample run (forced): it says what it removes first."""
        self.ensure_one()
        self.check_access("read")
        if not self.sample_run_id:
            raise UserError(_("There is no sample to discard."))
        action = self.action_open_rollback()
        action["name"] = _("Discard the sample")
        action["context"] = {"active_id": self.id, "default_run_id": self.sample_run_id.id,
                             "default_force": True}
        return action

    def _start_run(self, kind="full", batch_size=None, source_ids=None):
        self.ensure_one()
        self.check_access("write")
        if not self.confirmed_map_id:
            raise UserError(_("Confirm a map first: no record moves before that."))
        self._check_map_current()
        self._check_no_rollback_going()
        if self.run_ids.filtered(lambda r: r.state in ("running", "paused")):
            raise UserError(_("A run of this project is still going: finish or pause it."))
        if kind == "full" and not (self.sample_approved or self.skip_sample):
            raise UserError(_(
                "Run a sample and approve its diff first (or, as a Migration Manager, tick "
                "'No sample' on the project to go straight to the full run)."))
        # runs are written by their own actions only (no manager writes one directly)
        run = self.env["fsm.migration.run"].sudo().create({
            "project_id": self.id, "map_id": self.confirmed_map_id.id, "kind": kind,
            **({"batch_size": batch_size} if batch_size else {})})
        run.action_start(source_ids)
        if kind == "full" and self.state in ("plan", "map", "sample"):
            self.sudo().state = "run"
        return run

    def action_start_full_run(self):
        run = self._start_run("full")
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": run.id, "view_mode": "form", "target": "current"}

    def action_open_reconciliation(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_reconciliation_action")
        action["domain"] = [("project_id", "=", self.id)]
        return action

    def action_open_runs(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_run_action")
        action["domain"] = [("project_id", "=", self.id)]
        return action

    def action_start_cutover(self):
        """Open the cutover window: changes in the source are picked up until it closes."""
        self.ensure_one()
        self.check_access("write")
        self.sudo().write({"state": "delta", "cutover_until": fields.Datetime.now()
                    + timedelta(hours=self.cutover_hours or 48)})

    def action_delta(self):
        """Pick up what the source created, changed or deleted since it was migrated."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "delta":
            raise UserError(_("Open the cutover window first (after the full run)."))
        run = self._start_run("delta")
        run.run_until_done()
        return {"type": "ir.actions.act_window", "res_model": "fsm.migration.run",
                "res_id": run.id, "view_mode": "form", "target": "current"}

    def action_close_cutover(self):
        """Close the window: the project is frozen (done)."""
        self.ensure_one()
        self.check_access("write")
        self.sudo().write({"state": "done", "cutover_until": fields.Datetime.now()})

    @api.model
    def _cron_delta(self):
        """Stage a delta run for every project whose cutover window is open (the worker
        cron writes it)."""
        for project in self.search([("state", "=", "delta"),
                                    ("cutover_until", ">", fields.Datetime.now())]):
            if not project.run_ids.filtered(lambda r: r.state in ("running", "paused")):
                project._start_run("delta")

    def _on_run_done(self, run):
        self._post_note(body=_(
            "%(kind)s done: %(created)s created, %(updated)s updated, %(skipped)s skipped, "
            "%(failed)s failed, %(blocked)s blocked.", kind=run.kind, created=run.created,
            updated=run.updated, skipped=run.skipped, failed=run.failed, blocked=run.blocked))
        if run.kind == "full" and self.state == "run":
            self.sudo().state = "verify"

    def action_open_rollback(self):
        self.ensure_one()
        self.check_access("read")
        if self._going_rollback():  # it is followed on its own form
            return self.action_open_rollback_run()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_rollback_action")
        action["context"] = {"active_id": self.id}
        return action

    def _on_rolled_back(self, run, undone, kept, refused):
        # (no f-string inside _(): the translation extractor evaluates its arguments)
        scope = (" " + _("of %s", run.display_name)) if run else ""
        body = _("Rollback%(scope)s: %(undone)s journal entries reverted, %(kept)s conflicting "
                 "records kept.", scope=scope, undone=undone, kept=kept)
        if refused:
            body += " " + _("Not reverted (run the rollback again after fixing): %s",
                            "; ".join(refused[:20]))
        self._post_note(body=body)
        if not run and not refused:
            self.sudo().state = "rolled_back"
        elif run.kind == "sample":  # a discarded sample: fix the map, sample again
            self.sudo().sample_approved = False
            if self.state == "run":
                self.sudo().state = "sample"

    # --- the guided path: next step, counts of the smart buttons ------------------------
    next_step = fields.Text(
        compute="_compute_next_step",
        help="What to do next, and what must be done before the later steps.")
    last_run_progress_data = fields.Json(
        compute="_compute_last_run_progress_data", string="Last run progress",
        help="Live progress of the last run (overall and per source object).")
    mapped_field_count = fields.Integer(
        compute="_compute_path_counts", string="Fields mapped",
        help="Field lines of the latest map version that write a value.")
    planned_field_count = fields.Integer(
        compute="_compute_path_counts", string="Custom fields planned",
        help="New x_ fields the latest map version needs (created by the schema plan).")
    unmatched_user_count = fields.Integer(
        compute="_compute_path_counts", string="Unmatched users",
        help="Source users of the latest map version that match no Odoo user (created or "
             "given to the fallback user).")
    diff_problem_count = fields.Integer(
        compute="_compute_path_counts", string="Sample differences",
        help="Fields of the sample that read back different from what the map expects, "
             "or missing.")
    failed_record_count = fields.Integer(
        compute="_compute_path_counts", string="Failed records",
        help="Source records failed or blocked in runs not rolled back.")
    conflict_count = fields.Integer(
        compute="_compute_path_counts", string="Conflicts",
        help="Records changed in the source and edited in Odoo since the migration.")

    @api.depends("run_ids.state")
    def _compute_last_run_progress_data(self):
        # its own compute: the dashboard reads the run counts, not this
        for project in self:
            last = project._migration_runs().sorted("id")[-1:]
            project.last_run_progress_data = last._progress_data() if last else False

    @api.depends("map_ids", "run_ids.state")
    def _compute_path_counts(self):
        Issue = self.env["fsm.migration.issue"]
        for project in self:
            lines = project.map_id.field_line_ids.filtered(lambda f: not f.skip)
            project.mapped_field_count = len(lines)
            project.planned_field_count = len(lines.filtered("new_field_type"))
            project.unmatched_user_count = len(project.map_id.user_line_ids.filtered(
                lambda u: u.action != "map"))
            sample = project.sample_run_id
            project.diff_problem_count = self.env["fsm.migration.diff"].search_count(
                [("run_id", "=", sample.id), ("status", "in", ("different", "missing"))]
            ) if sample else 0
            live = [("project_id", "=", project.id), ("run_id.state", "!=", "rolled_back")]
            project.failed_record_count = Issue.search_count(
                live + [("status", "in", ("failed", "blocked"))])
            project.conflict_count = Issue.search_count(live + [("status", "=", "conflict")])

    @api.depends("state", "map_ids.state", "run_ids.state", "run_ids.rollback_cursor",
                 "sample_approved")
    def _compute_next_step(self):
        for project in self:
            project.next_step = project._next_step()

    def _next_step(self):
        """One sentence for the step the project is at, then what waits on it."""
        self.ensure_one()
        state, latest = self.state, self.map_id
        rollback = self._going_rollback()
        if rollback:
            return _("A rollback is %(state)s (%(percent)s%% done): follow it below or on its "
                     "form, where it is paused and resumed. Runs and other rollbacks wait "
                     "until it is done; bindings are removed and runs marked rolled back "
                     "with its last chunk.",
                     state=dict(rollback._fields["state"].selection)[rollback.state].lower(),
                     percent=round(rollback.progress))
        going = self.run_ids.filtered(lambda r: r.state in ("running", "paused"))[:1]
        if going:
            return _("A %(kind)s is %(state)s: follow it on the run (progress below). Pause "
                     "it there; the next steps wait until it is done.",
                     kind=dict(going._fields["kind"].selection)[going.kind].lower(),
                     state=dict(going._fields["state"].selection)[going.state].lower())
        steps = {
            "connect": _("Fill in the connection (Connection tab), then Test connection. "
                         "Discovery waits for a working connection."),
            "discover": _("Discover the source: every object is read and profiled into the "
                          "data dictionary. The map is proposed from it."),
            "map": _("Apply the schema plan: it creates the custom fields, stages and users "
                     "the confirmed map needs. The sample waits for it."),
            "run": _("Run the migration: every source record, in batches, with the "
                     "confirmed map. Verification and cutover wait for it."),
            "verify": _("Check the reconciliation and the failed records, then open the "
                        "cutover window (or roll back)."),
            "delta": _("Pick up the source's changes until the cutover closes, then close "
                       "it."),
            "done": _("The migration is done and frozen. Roll back is still possible."),
            "rolled_back": _("Rolled back: Odoo is as before the migration."),
        }
        if state == "layout":
            return _("Review the source layout (v%(version)s): which file holds which "
                     "object, the key and the links of each, lowest confidence first; then "
                     "Confirm layout. The data dictionary and the map wait for it.",
                     version=self.layout_id.version)
        if state == "plan":
            if not latest:
                return _("Propose a map from the data dictionary. Confirm the map first: no "
                         "record moves, and no schema is planned, before that.")
            return _("Review the proposed map (v%(version)s) and confirm it. Applying the "
                     "schema plan and the sample wait for a confirmed map.",
                     version=latest.version)
        if state == "sample":
            if not self.sample_run_id:
                return _("Run a sample (about %(size)s records) and read its field-level "
                         "diff. The full run waits for an approved sample.",
                         size=self.sudo().sample_size)
            return _("Read the sample's diff (%(problems)s different or missing fields), then "
                     "approve the sample, or discard it and fix the map. The full run waits "
                     "for the approval.", problems=self.diff_problem_count)
        return steps.get(state, "")

    def action_open_map_fields(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "name": _("Fields mapped"),
                "res_model": "fsm.migration.map.field", "view_mode": "list,form",
                "domain": [("map_id", "=", self.map_id.id), ("skip", "=", False)],
                "context": {"create": False}}

    def action_open_planned_fields(self):
        action = self.action_open_map_fields()
        action.update(name=_("Custom fields planned"),
                      domain=action["domain"] + [("new_field_type", "!=", False)])
        return action

    def action_open_unmatched_users(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_window", "name": _("Unmatched users"),
                "res_model": "fsm.migration.map.user", "view_mode": "list",
                "domain": [("map_id", "=", self.map_id.id), ("action", "!=", "map")],
                "context": {"create": False}}

    def action_open_sample_diff(self):
        self.ensure_one()
        self.check_access("read")
        action = self.sample_run_id.action_open_diff()
        action["context"] = {"search_default_problems": 1, "search_default_group_status": 1}
        return action

    def _open_issues(self, statuses, name):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_service_migration.fsm_migration_issue_action")
        action.update(name=name, domain=[("project_id", "=", self.id),
                                         ("run_id.state", "!=", "rolled_back"),
                                         ("status", "in", statuses)])
        return action

    def action_open_failed_records(self):
        return self._open_issues(["failed", "blocked"], _("Failed and blocked records"))

    def action_open_conflicts(self):
        return self._open_issues(["conflict"], _("Conflicts"))

    def _on_map_confirmed(self, confirmed):
        self._post_note(body=_("Map v%s confirmed.", confirmed.version))
        if self.state in ("connect", "discover", "plan"):
            self.sudo().state = "map"


def _table_summary(table):
    """What discovery made of one file or sheet, in a few words."""
    if table.status != "read":
        return f"{table.label}: {table.status}"
    if not table.object:
        return f"{table.label}: ignored ({table.reason or 'no object recognised'})"
    keys = " + ".join(c.name for c in table.key_columns()) or "no key"
    return f"{table.label}: {table.object} (key {keys}, {round(table.confidence * 100)}%)"
