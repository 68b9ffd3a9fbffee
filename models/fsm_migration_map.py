"""The field map: versioned (draft → confirmed) per project, its lines, validation and JSON."""

import json
import logging
from collections import Counter

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..services.errors import SourceError, as_unreadable
from ..services.mapping import Proposal, propose, targets_from_fields_get, validate
from ..services.user_plan import plan_users

_logger = logging.getLogger(__name__)

#: Odoo models a map may write, when installed
TARGET_MODELS = [
    "res.partner", "crm.lead", "crm.stage", "crm.tag", "res.users", "hr.employee",
    "hr.employee.skill", "sale.order", "sale.order.line", "mail.activity", "calendar.event",
    "account.move", "account.move.line", "mail.message", "ir.attachment", "stock.move",
    "project.task", "utm.source",
]
OPTIONAL_APPS = ["sale_crm", "sale_management", "account", "stock", "calendar", "hr",
                 "hr_skills", "project", "base_geolocalize"]
#: where each source keeps its users, and which object says what they own
USER_SOURCES = {
    "fst": ("technicians", "work_orders", "technician_id"),
    "dispatch": ("users", "appointments", "user_id"),
}


class FsmMigrationMap(models.Model):
    """One numbered version of a project's migration map.

    A draft version is edited line by line (object, field, value and user lines);
    *Confirm* validates it and freezes it. Any later change is made on a new version,
    so that what a run used is always known. No record moves before a version is
    confirmed.
    """

    _name = "fsm.migration.map"
    _inherit = ["fsm.migration.guard"]
    _description = "Migration Map Version"
    #: a version is confirmed (or superseded) by *Confirm* only, after validation
    _fsm_guarded = ("state", "confirmed_by", "confirmed_at", "problems")
    _order = "project_id, version desc"
    _rec_name = "display_label"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True,
                                 help="The project this map version belongs to.")
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    version = fields.Integer(required=True, readonly=True, default=1,
                             help="Numbered per project; any change to a confirmed version is "
                                  "a new version.")
    display_label = fields.Char(compute="_compute_display_label",
                                help="Version and state.")
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("superseded", "Superseded")],
        default="draft", required=True, readonly=True, copy=False,
        help="Draft: editable; confirmed: frozen, runs use it; "
             "superseded: replaced by a later confirmed version.")
    confirmed_by = fields.Many2one("res.users", readonly=True, copy=False,
                                   help="Who confirmed this version.")
    confirmed_at = fields.Datetime(readonly=True, copy=False,
                                   help="When this version was confirmed.")
    notes = fields.Text(readonly=True, help="What the proposer said about this map.")
    object_line_ids = fields.One2many("fsm.migration.map.object", "map_id", copy=True,
                                      help="Source object → Odoo model, in dependency order.")
    field_line_ids = fields.One2many("fsm.migration.map.field", "map_id", copy=True,
                                     help="Source field → Odoo field, with the transform.")
    value_line_ids = fields.One2many("fsm.migration.map.value", "map_id", copy=True,
                                     help="Source values (statuses, priorities, options) → "
                                          "Odoo values.")
    user_line_ids = fields.One2many("fsm.migration.map.user", "map_id", copy=True,
                                    help="Source users → Odoo users: matched, created, or the "
                                         "fallback user.")
    problems = fields.Text(readonly=True, copy=False,
                           help="What the last validation found; empty when the map is valid.")
    layout_id = fields.Many2one("fsm.migration.layout", readonly=True, ondelete="set null",
                                help="The source layout this map was proposed from: a map "
                                     "of an older layout than the confirmed one is proposed "
                                     "again before it is confirmed or run.")

    compat.table_constraints(locals(), [
        ("project_version_uniq", "unique(project_id, version)",
         "A map version number is used once per project."),
    ])

    @api.depends("version", "state")
    def _compute_display_label(self):
        states = dict(self._fields["state"].selection)
        for rec in self:
            rec.display_label = _("Map v%(version)s (%(state)s)", version=rec.version,
                                  state=states.get(rec.state))

    # --- proposal ---------------------------------------------------------------------
    @api.model
    def _odoo_targets(self):
        """Real field metadata of the installed target models, for the proposer. A field is
        reported required only when the map must fill it: not when Odoo defaults, computes
        or inherits it (``_inherits`` parents, related fields)."""
        attributes = ["type", "string", "required", "readonly", "selection", "relation", "size"]
        described = {}
        for name in TARGET_MODELS:
            if name not in self.env:
                continue
            model = self.env[name]
            info = model.fields_get(attributes=attributes)
            required = [f for f, attrs in info.items() if attrs.get("required")]
            defaulted = set(model.default_get(required)) if required else set()
            for fname in required:
                field = model._fields[fname]
                if (fname in defaulted or field.compute or field.related or field.inherited
                        or fname in model._inherits.values()):
                    info[fname] = dict(info[fname], required=False)
            described[name] = info
        return targets_from_fields_get(described)

    @api.model
    def _read_source(self, project, kind):
        """Source users, what they own and the declared custom fields, read from the source
        (users are few; what they own takes one pass over one object)."""
        users_obj, owner_obj, owner_key = USER_SOURCES[kind]
        source = project._make_source()

        def readable(obj, read, empty):
            """``read()``, or ``empty`` when the account cannot read ``obj`` (reported by
            discovery; the plan goes on without it)."""
            try:
                return read()
            except SourceError as exc:
                if as_unreadable(obj, exc) is None:
                    raise
                _logger.info("project %s: %s", project.id, exc)
                return empty
        try:
            objects = source.list_objects()
            users = readable(users_obj, lambda: list(source.iter_records(users_obj)), []) \
                if users_obj in objects else []
            owned = readable(owner_obj, lambda: Counter(
                str(r.get(owner_key)) for r in source.iter_records(owner_obj)
                if r.get(owner_key) not in (None, "")), Counter()) \
                if owner_obj in objects else Counter()
            custom_fields = readable("custom fields", source.custom_fields, [])
        except SourceError as exc:
            raise UserError(_("Could not read the source's users: %s", exc)) from exc
        finally:
            source.close()
        return [{
            "source_object": users_obj, "id": u.get("id"), "email": u.get("email"),
            "name": " ".join(str(u.get(k) or "").strip() for k in ("first_name", "last_name")
                             ).strip(),
        } for u in users if isinstance(u, dict)], owned, custom_fields

    @api.model
    def _create_proposal(self, project):
        kind = "dispatch" if project.source_kind == "dispatch" else "fst"
        installed = set(self.env["ir.module.module"].sudo().search(
            [("state", "=", "installed"), ("name", "in", OPTIONAL_APPS)]).mapped("name"))
        stages = [{"name": s.name, "is_won": s.is_won}
                  for s in self.env["crm.stage"].sudo().search([])]  # names only, see plan
        source_users, owned, custom_fields = self._read_source(project, kind)
        proposal = propose(kind, project._dictionary(), self._odoo_targets(), installed,
                           existing_stages=stages, custom_fields=custom_fields)
        odoo_users = [{"id": u.id, "login": u.login, "email": u.email}
                      for u in self.env["res.users"].search([("share", "=", False)])]
        user_plan = plan_users(source_users, odoo_users, owned, may_create=self.env.su or (
            self.env.user.has_group("base.group_erp_manager")))
        version = max(project.map_ids.mapped("version") or [0]) + 1
        return self.create({
            "project_id": project.id, "version": version,
            "layout_id": project.confirmed_layout_id.id,
            "notes": "\n".join(proposal.notes) or False,
            "object_line_ids": [(0, 0, {
                "sequence": line.order, "source_object": line.source_object,
                "target_model": line.target_model, "role": line.role,
                "condition": line.condition, "depends_on": ", ".join(line.depends_on),
                "confidence": line.confidence, "reason": line.reason, "skip": line.skip,
                "defaults": line.defaults or False,
            }) for line in proposal.object_maps],
            "field_line_ids": [(0, 0, self.env["fsm.migration.map.field"]._vals_from_proposal(
                line)) for line in proposal.field_maps],
            "value_line_ids": [(0, 0, {
                "kind": line.kind, "source_object": line.source_object,
                "source_field": line.source_field, "source_value": line.source_value,
                "target_value": line.target_value, "is_won": line.is_won,
                "create_new": line.create, "is_lost": line.lost, "confidence": line.confidence,
                "reason": line.reason,
            }) for line in proposal.value_maps],
            "user_line_ids": [(0, 0, {
                "source_object": line.source_object, "source_id": line.source_id,
                "name": line.name, "email": line.email, "owned": line.owned,
                "action": line.action, "user_id": line.user_id, "reason": line.reason,
            }) for line in user_plan],
        })

    def _check_draft(self):
        for rec in self:
            if rec.state != "draft":
                raise UserError(_("Map v%s is confirmed and frozen: create a new version to "
                                  "change it.", rec.version))

    def action_new_version(self):
        """A draft copy of this version, numbered after the project's latest."""
        self.ensure_one()
        latest = max(self.project_id.map_ids.mapped("version") or [0])
        new = self.copy({"version": latest + 1, "state": "draft"})
        return new._open()

    def _open(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "current"}

    def _to_proposal(self):
        """The lines as a ``services.mapping.Proposal`` (what the pure checks read)."""
        self.ensure_one()
        kind = "dispatch" if self.project_id.source_kind == "dispatch" else "fst"
        return Proposal.from_dict({
            "source_kind": kind,
            "object_maps": [line._to_map_line() for line in self.object_line_ids],
            "field_maps": [line._to_map_line() for line in self.field_line_ids],
            "value_maps": [line._to_map_line() for line in self.value_line_ids],
            "notes": (self.notes or "").splitlines(),
        })

    def _problems(self):
        """Everything that prevents confirming, as sentences."""
        self.ensure_one()
        problems = validate(self._to_proposal(), self._odoo_targets())
        for line in self.user_line_ids:
            problems.extend(line._problems())
        return problems

    def action_validate(self):
        self.ensure_one()
        self.check_access("write")
        problems = self._problems()
        self.sudo().problems = "\n".join(problems) or False
        return not problems

    def action_confirm(self):
        self.ensure_one()
        self.check_access("write")
        self._check_draft()
        self.project_id._check_map_current(self)
        if not self.action_validate():
            raise UserError(_("The map cannot be confirmed yet:\n%s", self.problems))
        self.project_id.map_ids.filtered(lambda m: m.state == "confirmed").sudo().write(
            {"state": "superseded"})
        self.sudo().write({"state": "confirmed", "confirmed_by": self.env.uid,
                           "confirmed_at": fields.Datetime.now()})
        self.project_id._on_map_confirmed(self)
        return True

    def action_export_json(self):
        """Download this version as JSON (to import it in another database)."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create({
            "name": f"migration_map_{self.project_id.id}_v{self.version}.json",
            "raw": self.to_json().encode(), "mimetype": "application/json",
            "res_model": self._name, "res_id": self.id})
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    def to_json(self):
        """The whole map as JSON (export, reports, the engine's frozen input)."""
        self.ensure_one()
        return json.dumps({
            "project": self.project_id.name, "version": self.version, "state": self.state,
            "objects": [rec._export() for rec in self.object_line_ids.sorted("sequence")],
            "fields": [rec._export() for rec in self.field_line_ids],
            "values": [rec._export() for rec in self.value_line_ids],
            "users": [rec._export() for rec in self.user_line_ids],
        }, indent=1, default=str)
