"""The proposer: :func:`propose` builds a :class:`Proposal` from the data dictionary, the
built-in templates and the target fields; :func:`sorted_for_review` orders its lines."""

from dataclasses import asdict

from . import templates as tpl
from .adapt import _Adapt
from .model import ObjectMapLine, Proposal
from .scoring import MATCH_THRESHOLD, _key
from .targets import REBUILD
from .template_lines import _TemplateLines
from .unknown_fields import _UnknownFields
from .value_lines import _ValueLines


class _Builder(_TemplateLines, _UnknownFields, _ValueLines, _Adapt):
    """Builds one proposal; each part of the work is a mixin of its own module (template
    binding, unknown fields, value lines, the fit to discovery)."""

    def __init__(self, source_kind, dictionary, targets, installed, existing_stages,
                 custom_fields):
        self.kind = source_kind
        self.dictionary = dictionary or {}
        self.targets = targets or {}
        self.installed = set(installed or ())
        self.stages = [dict(s) for s in existing_stages or ()]
        self.schema = self._schema(custom_fields)
        self.proposal = Proposal(source_kind)
        self.planned = {}  # (model, name) → new field spec

    def _schema(self, custom_fields):
        """Declared custom fields by (object, name): type, label, options."""
        raw = list(custom_fields or self.dictionary.get("custom_field_defs") or ())
        schema = {}
        for item in raw:
            data = item if isinstance(item, dict) else asdict(item)
            schema[(data.get("object"), _key(data.get("name", "")))] = data
        return schema

    def run(self):
        objects = {o["object"]: o for o in self.dictionary.get("objects", [])}
        templates = tpl.templates(self.kind, self.installed)
        by_object = {}
        for template in templates:
            by_object.setdefault(template.source_object, []).append(template)
        for template in templates:
            if template.source_object not in objects:
                continue
            self.proposal.object_maps.append(ObjectMapLine(
                source_object=template.source_object, target_model=template.target_model,
                role=template.role, depends_on=list(template.depends_on),
                order=template.order, confidence=template.confidence,
                reason=template.reason, condition=template.condition, skip=template.skip,
                defaults=dict(template.defaults)))
        for name in sorted(objects):
            if name in by_object:
                self._fields(objects[name], by_object[name])
            else:
                self.proposal.object_maps.append(ObjectMapLine(
                    source_object=name, target_model=REBUILD, role="rebuild_reference",
                    order=99, confidence=0.3,
                    reason="no built-in template for this object: exported to the JSON "
                           "rebuild reference; map it by hand if it should live in Odoo"))
        self._adapt(objects)
        self._notes(objects, by_object)
        return self.proposal

    def _add(self, line):
        self.proposal.field_maps.append(line)

    def _notes(self, objects, by_object):
        notes = self.proposal.notes
        optional = ("sale_crm", "account", "stock", "hr", "hr_skills", "project")
        present = [m for m in optional if m in self.installed]
        notes.append("optional apps installed: " + (", ".join(present) or "none")
                     + "; the templates took the matching paths (see each line's reason)")
        for name in sorted(by_object):
            if name not in objects:
                notes.append(f"template object {name!r} is not in the source: nothing "
                             "mapped for it")
        for item in self.dictionary.get("cardinality", []):
            if item.get("parents_with_several"):
                notes.append(f"{item['label']}: {item['parents_with_several']} of "
                             f"{item['parents']} — these accounts get several child "
                             "partners")
        issues = self.dictionary.get("issues") or []
        if issues:
            notes.append(f"{len(issues)} source rows could not be read (see discovery)")
        notes.extend(tpl.ABSENT_NOTES.get(self.kind, []))
        notes.append(f"fields no template knows are scored; match threshold "
                     f"{MATCH_THRESHOLD}, below it a new x_studio_ field is proposed")


def propose(source_kind, dictionary, targets, installed=(), existing_stages=(),
            custom_fields=None):
    """Propose the object, field and value maps of a profiled source.

    ``custom_fields`` (optional): the source's declared custom fields
    (``Source.custom_fields()`` or dicts with object, name, label, type, options) — the
    dictionary keeps only five samples per field, the schema gives every option.
    """
    return _Builder(source_kind, dictionary, targets, installed, existing_stages,
                    custom_fields).run()


def sorted_for_review(proposal):
    """All lines, lowest confidence first (ties: object, field, kind), for the review."""
    def key(line):
        return (line.confidence, line.source_object,
                getattr(line, "source_field", "") or "", getattr(line, "role", "") or "",
                getattr(line, "target_model", "") or "", getattr(line, "target_field", "")
                or getattr(line, "source_value", "") or "")
    lines = list(proposal.object_maps) + list(proposal.field_maps) + list(proposal.value_maps)
    return sorted(lines, key=key)
