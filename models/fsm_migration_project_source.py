"""A project's source: connection settings, secrets, URL and folder policy, one project a source."""

import json
import os

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.errors import SourceConfigError, SourceError
from ..services.path_policy import PARAM_IMPORT_FOLDERS, check_bundle_path, parse_import_folders
from ..services.source_factory import build_source
from ..services.source_identity import source_identity
from ..services.url_policy import DEFAULT_ALLOWED_HOSTS, check_source_url, parse_allowed_hosts
from .fsm_migration_project import MANAGER_GROUP

PARAM_ALLOWED_HOSTS = "field_service_migration.allowed_hosts"
PARAM_ALLOW_LOOPBACK = "field_service_migration.allow_loopback"
#: a group no user is in: what only the module's own code reads, under sudo
SECRET_GROUP = "field_service_migration.group_migration_secret_store"

#: the secrets a source may need; stored together, readable by managers only, never
#: shown back: the form writes them through write-only input fields.
SECRET_KEYS = ("client_secret", "password", "api_key", "token")


class FsmMigrationProjectSource(models.Model):
    """Where a project reads from, how it authenticates, and the checks on both."""

    _inherit = "fsm.migration.project"

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

    # --- connection -----------------------------------------------------------------
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
