"""The schema plan: what a confirmed map needs created in Odoo before records move.

Built from a map's JSON export (``fsm.migration.map.to_json``): the new custom fields
(``x_`` manual fields, with their selection options), the crm stages, the users to
create, the tags. Exportable as Odoo data XML (``ir.model.fields`` records, loadable
in any database) and as JSON. Pure: takes and returns plain data.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape, quoteattr

from . import rights

FIELD_NAME = re.compile(r"^x_[a-z0-9_]{1,61}$")
SERVICE_TAG = "Service history"


@dataclass
class NewField:
    model: str
    name: str
    ttype: str
    string: str
    selection: list = field(default_factory=list)  # [(value, label)]
    relation: str | None = None  # the comodel of a many2one


@dataclass
class SchemaPlan:
    fields: list = field(default_factory=list)  # NewField
    stages: list = field(default_factory=list)  # {"name", "is_won"}
    users: list = field(default_factory=list)  # {"name", "email", "source_id"}
    tags: list = field(default_factory=list)  # names

    def to_dict(self):
        return {"fields": [asdict(f) for f in self.fields], "stages": self.stages,
                "users": self.users, "tags": self.tags}

    def to_json(self):
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False)

    def summary(self):
        return {"fields": len(self.fields), "stages": len(self.stages),
                "users": len(self.users), "tags": len(self.tags)}


def label_of(name):
    return name.removeprefix("x_studio_").removeprefix("x_").replace("_", " ").strip().title()


def build_plan(map_data, existing_fields, existing_stages, existing_tags, existing_logins=()):
    """``map_data``: a map's JSON export as a dict; ``existing_fields``: ``{model: set of
    field names}``; ``existing_stages``/``existing_tags``/``existing_logins``: names
    (compared case-insensitively).
    Returns a ``SchemaPlan`` of what does not exist yet, each thing once."""
    plan = SchemaPlan()
    planned = set()
    for line in map_data.get("fields", []):
        if line.get("skip") or not line.get("new_field_type"):
            continue
        model, name = line["target_model"], line["target_field"]
        if name in existing_fields.get(model, set()) or (model, name) in planned:
            continue
        if not FIELD_NAME.match(name or ""):
            raise ValueError(f"{name!r} is not a valid custom field name (x_, a-z, 0-9, _).")
        refused = rights.custom_field_problem(model, name, line["new_field_type"],
                                              line.get("new_field_relation") or None)
        if refused:
            raise ValueError(refused)
        options = [o.strip() for o in (line.get("new_field_options") or "").splitlines()
                   if o.strip()]
        plan.fields.append(NewField(
            model=model, name=name, ttype=line["new_field_type"],
            string=line.get("new_field_label") or label_of(name),
            selection=[(o, o) for o in dict.fromkeys(options)],
            relation=line.get("new_field_relation") or None))
        planned.add((model, name))
    known_stages = {s.casefold() for s in existing_stages}
    for line in map_data.get("values", []):
        if line.get("kind") != "stage" or not line.get("create_new"):
            continue
        name = line["target_value"].strip()
        if name.casefold() not in known_stages:
            plan.stages.append({"name": name, "is_won": bool(line.get("is_won"))})
            known_stages.add(name.casefold())
    seen_emails = {login.strip().lower() for login in existing_logins}
    for line in map_data.get("users", []):
        email = (line.get("email") or "").strip().lower()
        if line.get("action") == "create" and email and email not in seen_emails:
            plan.users.append({"name": line.get("name") or email, "email": email,
                               "source_id": line.get("source_id")})
            seen_emails.add(email)
    if SERVICE_TAG.casefold() not in {t.casefold() for t in existing_tags}:
        plan.tags.append(SERVICE_TAG)
    return plan


def to_ir_model_fields_xml(plan):
    """The plan's custom fields as an Odoo data file (``<odoo><record model=
    "ir.model.fields">…``), to load into another database (staging → production).
    The xml ids are relative: the file loads in whatever module carries it."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<odoo>"]
    for new in plan.fields:
        xmlid = f"field_{new.model.replace('.', '_')}__{new.name}"
        lines += [
            f'    <record id="{xmlid}" model="ir.model.fields">',
            f'        <field name="model_id" ref="{_model_ref(new.model)}"/>',
            f"        <field name=\"name\">{escape(new.name)}</field>",
            f"        <field name=\"field_description\">{escape(new.string)}</field>",
            f"        <field name=\"ttype\">{escape(new.ttype)}</field>",
            "        <field name=\"state\">manual</field>",
        ]
        if new.relation:
            lines.append(f"        <field name=\"relation\">{escape(new.relation)}</field>")
        if new.selection:
            options = ", ".join(f"(0, 0, {{'value': {value!r}, 'name': {label!r}, "
                                f"'sequence': {seq}}})"
                                for seq, (value, label) in enumerate(new.selection))
            evaluated = quoteattr(f"[{options}]")
            lines.append(f'        <field name="selection_ids" eval={evaluated}/>')
        lines.append("    </record>")
    lines.append("</odoo>")
    return "\n".join(lines) + "\n"


def _model_ref(model):
    """The xml id of a model's ir.model record, as Odoo names it (``crm.model_crm_lead``)."""
    owners = {"res.partner": "base", "res.users": "base", "crm.lead": "crm",
              "crm.stage": "crm", "hr.employee": "hr", "sale.order": "sale",
              "sale.order.line": "sale", "account.move": "account", "project.task": "project"}
    return f"{owners.get(model, 'base')}.model_{model.replace('.', '_')}"
