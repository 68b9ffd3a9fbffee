"""A project's discovery: the source's layout proposed, its objects profiled (the dictionary)."""

import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.errors import SourceError
from ..services.profiling import profile_source
from .fsm_migration_layout import layout_structure
from .fsm_migration_project import MANAGER_GROUP

_logger = logging.getLogger(__name__)


class FsmMigrationProjectDiscovery(models.Model):
    """Discovery of a project's source: layout step, profiling, the stored dictionary."""

    _inherit = "fsm.migration.project"

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
    discovery_issue_count = fields.Integer(readonly=True, copy=False,
                                           help="Records the source could not give as "
                                                "documented (malformed rows, bad values).")

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
        """``(SourceLayout, [what was made of each table])`` proposed for this source:
        the tables of a bundle or the endpoints of a REST API read and proposed (a known
        profile when they are the adapter's own), Dispatch's documented objects."""
        self.ensure_one()
        from ..services.layout.discover import propose_source_layout

        try:
            layout = propose_source_layout(self._source_settings())
        except SourceError as exc:
            raise UserError(_("Discovery failed: %s", exc)) from exc
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

    # --- the stored data dictionary ---------------------------------------------------
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

def _table_summary(table):
    """What discovery made of one file or sheet, in a few words."""
    if table.status != "read":
        return f"{table.label}: {table.status}"
    if not table.object:
        return f"{table.label}: ignored ({table.reason or 'no object recognised'})"
    keys = " + ".join(c.name for c in table.key_columns()) or "no key"
    return f"{table.label}: {table.object} (key {keys}, {round(table.confidence * 100)}%)"
