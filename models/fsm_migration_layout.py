"""Source layout versions of a project: which file/sheet holds which object, each column's
role (draft → confirmed; a change is a new version). The logic is ``services.layout``."""

import json

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get

from .. import compat
from ..services.layout.model import CANONICAL, DATE_ORDERS, KEY_KINDS, ROLES, SourceLayout

OBJECTS = [(name, name.replace("_", " ").capitalize()) for name in CANONICAL]
#: what a layout JSON keeps that says nothing of its structure (compared on rediscovery)
VOLATILE = ("confidence", "reason", "sample", "rows", "status", "encoding")


def layout_structure(data):
    """A layout (dict or JSON text) without its confidences, reasons, samples and counts:
    two proposals with the same structure make the same choices."""
    return _structure(json.loads(data or "{}") if isinstance(data, str) or not data
                      else data)


def _structure(data):
    if isinstance(data, dict):
        return {k: _structure(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, (list, tuple)):
        return [_structure(v) for v in data]
    return data


class FsmMigrationLayout(models.Model):
    _name = "fsm.migration.layout"
    _inherit = ["fsm.migration.guard"]
    _description = "Migration Source Layout Version"
    #: confirmed (or superseded) by *Confirm layout* only, after its checks
    _fsm_guarded = ("state", "confirmed_by", "confirmed_at", "problems", "layout_json",
                    "proposed_json", "profile")
    _order = "project_id, version desc"
    _rec_name = "display_label"

    project_id = fields.Many2one("fsm.migration.project", required=True, ondelete="cascade",
                                 index=True, help="The project this layout version belongs to.")
    company_id = fields.Many2one(related="project_id.company_id", store=True)
    version = fields.Integer(required=True, readonly=True, default=1,
                             help="Numbered per project; any change to a confirmed version is "
                                  "a new version.")
    display_label = fields.Char(compute="_compute_display_label", help="Version and state.")
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("superseded", "Superseded")],
        default="draft", required=True, readonly=True, copy=False,
        help="Draft: editable; confirmed: frozen, the data dictionary and the map are read "
             "through it; superseded: replaced by a later confirmed version.")
    profile = fields.Char(readonly=True,
                          help="fst_bundle: the built-in FST bundle layout, recognised as is; "
                               "dispatch, fst_rest: the source's own documented objects; "
                               "custom: a layout proposed from the files themselves.")
    confirmed_by = fields.Many2one("res.users", readonly=True, copy=False,
                                   help="Who confirmed this version.")
    confirmed_at = fields.Datetime(readonly=True, copy=False,
                                   help="When this version was confirmed.")
    layout_json = fields.Text(readonly=True, help="The layout as JSON (conventions, "
                                                  "attachments); its lines are edited below.")
    proposed_json = fields.Text(readonly=True,
                                help="The proposal this version started from (a rediscovery "
                                     "that proposes the same keeps the confirmed version).")
    problems = fields.Text(readonly=True, copy=False,
                           help="What stops this layout from being confirmed; empty when it "
                                "may be.")
    table_ids = fields.One2many("fsm.migration.layout.table", "layout_id", copy=True,
                                string="Files and sheets",
                                help="Every file and sheet found, lowest confidence first.")
    column_ids = fields.One2many("fsm.migration.layout.column", "layout_id",
                                 string="Columns",
                                 help="Every column of the tables, lowest confidence first.")
    lowest_confidence = fields.Float(compute="_compute_lowest_confidence",
                                     help="The lowest confidence of the choices: review from "
                                          "there.")

    compat.table_constraints(locals(), [
        ("project_version_uniq", "unique(project_id, version)",
         "A layout version number is used once per project."),
    ])

    @api.depends("version", "state")
    def _compute_display_label(self):
        states = dict(self._fields["state"].selection)
        for rec in self:
            rec.display_label = _("Layout v%(version)s (%(state)s)", version=rec.version,
                                  state=states.get(rec.state))

    @api.depends("table_ids.confidence", "column_ids.confidence")
    def _compute_lowest_confidence(self):
        for rec in self:
            used = rec.table_ids.filtered("object")
            values = used.mapped("confidence") + used.column_ids.mapped("confidence")
            rec.lowest_confidence = min(values, default=1.0)

    # --- from and to services.layout --------------------------------------------------------
    @api.model
    def _create_from_layout(self, project, layout, proposed=None):
        """A new draft version holding ``layout`` (a SourceLayout); ``proposed``: the
        proposal's JSON it started from (default: ``layout`` itself)."""
        version = max(project.layout_ids.mapped("version") or [0]) + 1
        text = layout.to_json()
        # naive date-times of an export are the account's local times: nothing in the
        # values says which zone, so a foreign shape starts from the consultant's own
        # (shown, editable); the built-in profile is UTC by its definition (FST_BUNDLE.md)
        local = (project.user_id.tz or self.env.user.tz or "UTC") \
            if layout.profile == "custom" else "UTC"
        for table in layout.tables:
            if table.object and table.conventions.timezone in (None, "", "UTC"):
                table.conventions.timezone = local
        return self.sudo().create({
            "project_id": project.id, "version": version, "profile": layout.profile,
            "layout_json": text, "proposed_json": proposed or text,
            "table_ids": [(0, 0, {
                "sequence": seq, "path": table.path, "sheet": table.sheet or False,
                "object": table.object or False, "status": table.status,
                "rows": table.rows or 0, "encoding": table.encoding or False,
                "confidence": table.confidence, "reason": table.reason,
                "date_order": table.conventions.date_order,
                "clock": table.conventions.clock if table.conventions.clock in ("12", "24")
                else "24",
                "decimal": table.conventions.decimal if table.conventions.decimal in (".", ",")
                else ".",
                "timezone": table.conventions.timezone or "UTC",
                "conventions_reason": table.conventions.reason or False,
                "sample_json": json.dumps(table.sample[:5], default=str),
                "column_ids": [(0, 0, {
                    "sequence": cseq, "name": col.name, "role": col.role,
                    "field": col.field or False, "link_object": col.link_object or False,
                    "link_key": col.link_key or False, "custom_type": col.custom_type or False,
                    "confidence": col.confidence, "reason": col.reason,
                }) for cseq, col in enumerate(table.columns)],
            }) for seq, table in enumerate(layout.tables)],
        }).with_env(self.env)

    def _to_layout(self):
        """The version as a ``SourceLayout``: its JSON, with what the lines say."""
        self.ensure_one()
        layout = SourceLayout.from_json(self.layout_json or "{}")
        lines = {(t.path, t.sheet or None): t for t in self.table_ids}
        for table in layout.tables:
            line = lines.get((table.path, table.sheet))
            if not line:
                continue
            table.object = line.object or None
            table.confidence, table.reason = line.confidence, line.reason or ""
            table.conventions.date_order = line.date_order or "ambiguous"
            table.conventions.clock, table.conventions.decimal = line.clock, line.decimal
            table.conventions.timezone = line.timezone or "UTC"
            if line.decimal == "," and table.conventions.thousands == ",":
                table.conventions.thousands = "."
            columns = {c.name: c for c in table.columns}
            table.columns = []
            for col_line in line.column_ids.sorted("sequence"):
                col = columns.get(col_line.name)
                if col is None:
                    continue
                col.role, col.field = col_line.role, col_line.field or None
                col.link_object = col_line.link_object or None
                col.link_key = col_line.link_key or None
                col.custom_type = col_line.custom_type or None
                col.confidence, col.reason = col_line.confidence, col_line.reason or ""
                table.columns.append(col)
        return layout

    def _layout_dict(self):
        self.ensure_one()
        return self._to_layout().to_dict()

    # --- versions ---------------------------------------------------------------------------
    def _check_draft(self):
        for rec in self:
            if rec.state != "draft":
                raise UserError(_("Layout v%s is confirmed and frozen: create a new version to "
                                  "change it.", rec.version))

    def action_new_version(self):
        """A draft copy of this version, numbered after the project's latest."""
        self.ensure_one()
        self.check_access("write")
        latest = max(self.project_id.layout_ids.mapped("version") or [0])
        new = self.sudo().copy({"version": latest + 1, "layout_json": self.layout_json,
                                "proposed_json": self.proposed_json, "profile": self.profile})
        return new.with_env(self.env)._open()

    def _open(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "current"}

    def action_validate(self):
        self.ensure_one()
        self.check_access("write")
        problems = self._to_layout().problems()
        self.sudo().problems = "\n".join(problems) or False
        return not problems

    def action_confirm(self):
        """Freeze this version; the project's data dictionary is then read through it."""
        self.ensure_one()
        self.check_access("write")
        self.project_id.check_access("write")
        self._check_draft()
        if not self.action_validate():
            raise UserError(_("The layout cannot be confirmed yet:\n%s", self.problems))
        self._confirm()
        self.project_id._on_layout_confirmed(self)
        return True

    def _confirm(self):
        self.project_id.layout_ids.filtered(lambda rec: rec.state == "confirmed").sudo().write(
            {"state": "superseded"})
        self.sudo().write({"state": "confirmed", "confirmed_by": self.env.uid,
                           "confirmed_at": fields.Datetime.now(),
                           "layout_json": self._to_layout().to_json(), "problems": False})

    def action_export_json(self):
        """Download this version as JSON (to import it in another database)."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create({
            "name": f"source_layout_{self.project_id.id}_v{self.version}.json",
            "raw": self._to_layout().to_json().encode(), "mimetype": "application/json",
            "res_model": self._name, "res_id": self.id})
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{attachment.id}?download=true"}

    @api.model
    def _import_json(self, project, text):
        """A new draft version of ``project`` from a layout's JSON (validated: malformed
        JSON or an unknown format is refused; its problems are shown on the version)."""
        project.check_access("write")
        try:
            layout = SourceLayout.from_json(text)
        except (ValueError, TypeError) as exc:
            raise UserError(_("This is not a source layout: %s", exc)) from exc
        new = self._create_from_layout(project, layout)
        new.action_validate()
        new.project_id._post_note(body=_("Layout v%s imported (a draft to confirm).",
                                         new.version))
        return new


class FsmMigrationLayoutTable(models.Model):
    _name = "fsm.migration.layout.table"
    _inherit = ["fsm.migration.map.line"]
    _description = "Migration Source Layout: File or Sheet"
    _order = "layout_id, confidence, sequence, id"
    _fsm_version_field = "layout_id"
    _rec_name = "label"

    layout_id = fields.Many2one("fsm.migration.layout", required=True, ondelete="cascade",
                                index=True)
    company_id = fields.Many2one(related="layout_id.company_id", store=True)
    sequence = fields.Integer()
    path = fields.Char(required=True, readonly=True,
                       help="The file, relative to the bundle's root.")
    sheet = fields.Char(readonly=True, help="The sheet of a workbook.")
    label = fields.Char(compute="_compute_label", help="The file, and its sheet.")
    object = fields.Selection(OBJECTS, string="Holds",
                              help="The source object the table holds; empty: ignored (not "
                                   "migrated, said so in discovery).")
    status = fields.Char(readonly=True, help="What discovery made of the file: read, empty, "
                                             "or why it is not a table.")
    rows = fields.Integer(readonly=True, help="Data rows, when known.")
    encoding = fields.Char(readonly=True, help="The text encoding the file was read with.")
    confidence = fields.Float(help="How sure the proposer is (0–1).")
    reason = fields.Char(help="Why the proposer chose this.")
    date_order = fields.Selection([(o, o) for o in DATE_ORDERS], default="ymd",
                                  help="Order of day, month and year in its dates: "
                                       "'ambiguous' must be chosen before confirming.")
    clock = fields.Selection([("24", "24 h"), ("12", "12 h (AM/PM)")], default="24",
                             help="Whether its times are written with AM/PM.")
    decimal = fields.Selection([(".", "1234.5"), (",", "1234,5")], default=".",
                               string="Decimal mark",
                               help="The decimal mark of its amounts and quantities.")
    timezone = fields.Selection(_tz_get, string="Time zone", default="UTC",
                                help="The zone of its date-times written without an offset "
                                     "(an export's are the account's local times); those "
                                     "with an offset keep it.")
    conventions_reason = fields.Char(readonly=True, string="Conventions found",
                                     help="What the values showed.")
    sample_json = fields.Text(readonly=True)
    sample_html = fields.Html(compute="_compute_sample_html", string="Sample rows",
                              sanitize=True, help="A few rows as read.")
    column_ids = fields.One2many("fsm.migration.layout.column", "table_id", copy=True,
                                 help="The table's columns and their roles.")
    key_columns = fields.Char(compute="_compute_summary", string="Key",
                              help="The column(s) that are the record key.")
    link_summary = fields.Char(compute="_compute_summary", string="Links",
                               help="The columns linking to other objects.")

    @api.depends("path", "sheet")
    def _compute_label(self):
        for rec in self:
            rec.label = f"{rec.path} [{rec.sheet}]" if rec.sheet else rec.path

    @api.depends("column_ids.role", "column_ids.link_object", "column_ids.link_key")
    def _compute_summary(self):
        for rec in self:
            cols = rec.column_ids.sorted("sequence")
            rec.key_columns = " + ".join(cols.filtered(lambda c: c.role == "key").mapped(
                "name")) or False
            rec.link_summary = ", ".join(
                f"{c.name} → {c.link_object} ({c.link_key}, {round(c.confidence * 100)}%)"
                for c in cols if c.role == "link") or False

    @api.depends("sample_json")
    def _compute_sample_html(self):
        for rec in self:
            rows = json.loads(rec.sample_json or "[]")
            rec.sample_html = _sample_table(rows) if rows else False


def _sample_table(rows, width=40):
    """A few sample rows (dicts or lists) as an escaped HTML table, values truncated."""
    if isinstance(rows[0], dict):
        header = list(rows[0])
        body = [[row.get(h) for h in header] for row in rows]
    else:
        header, body = rows[0], rows[1:]

    def cell(value, tag):
        text = "" if value is None else str(value)
        text = text if len(text) <= width else text[:width - 1] + "…"
        return Markup("<%s>%s</%s>") % (Markup(tag), escape(text), Markup(tag))
    head = Markup("").join(cell(h, "th") for h in header)
    lines = Markup("").join(Markup("<tr>%s</tr>") % Markup("").join(cell(v, "td") for v in row)
                            for row in body)
    return Markup('<table class="table table-sm o_fsm_sample"><thead><tr>%s</tr></thead>'
                  '<tbody>%s</tbody></table>') % (head, lines)


class FsmMigrationLayoutColumn(models.Model):
    _name = "fsm.migration.layout.column"
    _inherit = ["fsm.migration.map.line"]
    _description = "Migration Source Layout: Column"
    _order = "layout_id, confidence, table_id, sequence, id"
    _fsm_version_field = "layout_id"

    table_id = fields.Many2one("fsm.migration.layout.table", required=True, ondelete="cascade",
                               index=True)
    layout_id = fields.Many2one(related="table_id.layout_id", store=True, index=True)
    company_id = fields.Many2one(related="table_id.company_id", store=True)
    table_object = fields.Selection(related="table_id.object", string="Object")
    table_label = fields.Char(related="table_id.label", string="File")
    sequence = fields.Integer()
    name = fields.Char(required=True, readonly=True, string="Column",
                       help="The column's header exactly as the file has it.")
    role = fields.Selection([(r, r.replace("_", " ")) for r in ROLES], required=True,
                            default="ignore",
                            help="key: the record key; link: names another object; updated: "
                                 "when the record changed; field: a known column; custom: "
                                 "kept as a custom field; attachment path; ignore.")
    field = fields.Char(string="Canonical field",
                        help="The column of the object it is (customer_id, email …), or the "
                             "custom field's name (cf_…).")
    link_object = fields.Selection(OBJECTS, help="The object a link names.")
    link_key = fields.Selection([(k, k.replace("_", " ")) for k in KEY_KINDS],
                                help="By which key of that object the values name it.")
    custom_type = fields.Char(help="The type of a custom column.")
    confidence = fields.Float(help="How sure the proposer is (0–1).")
    reason = fields.Char(help="Why the proposer chose this.")
