"""Validating a map: the problems that would make a run fail or write wrong data (lines,
transforms, new fields, required fields, value lines, and ``services.rights``)."""

from .. import rights
from .policy import ON_INVALID
from .scoring import NEW_FIELD_MAX, NEW_FIELD_NAME
from .targets import MAGIC_FIELDS, ODOO_DEFAULTS, REBUILD, UPDATE_ROLES
from .values import PRIORITY_LABELS, value_key

#: transform name → Odoo field types its output can be written to (None: any)
TRANSFORM_TYPES = {
    "identity": None,
    "trim": {"char", "text", "html"},
    "email": {"char"},
    "phone": {"char"},
    "datetime_utc": {"datetime"},
    "date": {"date", "datetime"},
    "money": {"float", "monetary"},
    "number": {"float", "monetary", "integer"},
    "integer": {"integer", "float"},
    "boolean": {"boolean"},
    "selection_map": {"selection", "char", "many2one", "boolean"},
    "priority": {"selection"},
    "country_code": {"many2one"},
    "state_code": {"many2one"},
    "markdown_to_html": {"html", "text"},
    "text_to_html": {"html"},
    "json_dump": {"text", "char", "json"},
    "full_name": {"char"},
    # beyond the basic set: named here so that validate() knows their output
    "join": {"char", "text", "html"},
    "pick": {"char"},
    "split_list": {"many2one", "many2many", "char"},
    "binding": {"many2one", "many2one_reference", "integer"},
    "user_by_email": {"many2one"},
    "product": {"many2one"},
    "file": {"binary"},
    "end_from_duration": {"datetime"},
}
#: transforms whose many2one output must point at this model
TRANSFORM_RELATION = {"country_code": "res.country", "state_code": "res.country.state",
                      "user_by_email": "res.users", "product": "product.product"}
#: transforms that legitimately combine several source fields into one target field
AGGREGATE_TRANSFORMS = {"join", "full_name", "json_dump"}


def validate(proposal, targets):
    """Problems that would make the run fail or write wrong data (empty list: none)."""
    problems = []
    planned = {}
    for line in proposal.field_maps:
        if line.new_field and not line.skip:
            problems += _check_new_field(line)
            planned.setdefault((line.target_model, line.new_field["name"]), line.new_field)
    groups = {}
    for line in proposal.field_maps:
        if line.skip:
            continue
        where = f"{line.source_object}.{line.source_field}"
        if line.target_model == REBUILD:
            continue
        if line.target_model not in targets:
            problems.append(f"{where}: target model {line.target_model} is not in the "
                            "database (app not installed?): install the app, or skip the "
                            "line")
            continue
        if not line.target_field:
            problems.append(f"{where}: no target field (map it, plan a new field or skip)")
            continue
        existing = targets[line.target_model].get(line.target_field)
        new = planned.get((line.target_model, line.target_field))
        if existing is None and new is None:
            problems.append(f"{where}: {line.target_model}.{line.target_field} does not "
                            "exist and is not planned as a new field: pick an existing "
                            "field, plan a new x_ field, or skip the line")
            continue
        ttype = existing.ttype if existing else new.get("ttype")
        relation = existing.relation if existing else new.get("relation")
        problems += _check_transform(line, where, ttype, relation)
        if line.on_invalid is not None and line.on_invalid not in ON_INVALID:
            problems.append(f"{where}: on_invalid {line.on_invalid!r} is not one of "
                            f"{', '.join(ON_INVALID)} (or empty for the default)")
        groups.setdefault((line.source_object, line.role, line.target_model,
                           line.target_field), []).append(line)
    for (obj, role, model, target), lines in sorted(groups.items()):
        sources = sorted({line.source_field for line in lines})
        if len(sources) > 1 and not all(line.transform in AGGREGATE_TRANSFORMS
                                        for line in lines):
            problems.append(f"{obj} ({role}): {', '.join(sources)} all map to "
                            f"{model}.{target}; only join/full_name/json_dump may combine "
                            "fields")
    problems += _check_required(proposal, targets)
    problems += _check_values(proposal)
    # what a map may write at all: checked here (validation, confirmation) and again by
    # the engine before every superuser write
    problems += rights.proposal_problems(proposal, targets)
    return problems


def _check_new_field(line):
    spec = line.new_field
    name = spec.get("name") or ""
    where = f"{line.source_object}.{line.source_field}"
    problems = []
    if not NEW_FIELD_NAME.match(name) or len(name) > NEW_FIELD_MAX:
        problems.append(f"{where}: new field name {name!r} is invalid (must start with x_, "
                        f"use only a-z, 0-9 and _, at most {NEW_FIELD_MAX} characters)")
    if line.target_field != name:
        problems.append(f"{where}: target field {line.target_field!r} differs from the new "
                        f"field's name {name!r}")
    if spec.get("ttype") == "selection":
        values = [v for v, _ in spec.get("selection") or []]
        if not values:
            problems.append(f"{where}: new selection field {name} has no options")
        seen = {}
        for value in values:
            key = value_key(value)
            if key in seen:
                problems.append(f"{where}: selection option {value!r} of {name} duplicates "
                                f"{seen[key]!r}")
            seen.setdefault(key, value)
    if spec.get("ttype") == "many2one" and not spec.get("relation"):
        problems.append(f"{where}: new many2one field {name} has no relation")
    return problems


def _check_transform(line, where, ttype, relation):
    transform = line.transform
    if transform not in TRANSFORM_TYPES:
        return [f"{where}: unknown transform {transform!r}"]
    allowed = TRANSFORM_TYPES[transform]
    if transform == "binding" and line.transform_args.get("field") and not str(
            line.transform_args["field"]).endswith("_id"):
        allowed = {"char", "text"}
    if allowed is not None and ttype not in allowed:
        return [f"{where}: transform {transform} gives {'/'.join(sorted(allowed))}, but "
                f"{line.target_model}.{line.target_field} is {ttype}"]
    expected = TRANSFORM_RELATION.get(transform)
    if expected and relation and relation != expected:
        return [f"{where}: transform {transform} gives a {expected} record, but "
                f"{line.target_model}.{line.target_field} points to {relation}"]
    return []


def _check_required(proposal, targets):
    problems = []
    for obj_line in proposal.object_maps:
        model = obj_line.target_model
        if (obj_line.skip or model not in targets or obj_line.role in UPDATE_ROLES
                or obj_line.role in rights.MATCH_ROLES):  # (matched users: nothing written)
            continue
        covered = set(obj_line.defaults) | set(ODOO_DEFAULTS.get(model, {}))
        covered |= {line.target_field for line in proposal.field_maps
                    if not line.skip and line.source_object == obj_line.source_object
                    and line.role == obj_line.role and line.target_model == model}
        for name, target in sorted(targets[model].items()):
            if target.required and name not in covered and name not in MAGIC_FIELDS:
                problems.append(f"{obj_line.source_object} ({obj_line.role}) → {model}: "
                                f"required field {name} is neither mapped nor defaulted: "
                                f"map a source field to {name}, give the object line a "
                                f"default for it, or skip the object line")
    return problems


def _check_values(proposal):
    problems = []
    for line in proposal.value_maps:
        if line.kind == "priority" and line.target_value not in PRIORITY_LABELS:
            problems.append(f"{line.source_object}.{line.source_field}: priority "
                            f"{line.source_value!r} → {line.target_value!r} is not '0'..'3'")
        if line.kind == "stage" and not line.target_value:
            problems.append(f"{line.source_object}.{line.source_field}: status "
                            f"{line.source_value!r} has no stage")
        if line.kind == "stage" and line.lost and line.is_won:
            # a won stage means probability 100, a lost lead 0: 19.0's crm refuses the
            # pair (18.0 archives the lead there, a won-and-lost lead in the reports)
            problems.append(f"{line.source_object}.{line.source_field}: status "
                            f"{line.source_value!r} is lost but goes to the won stage "
                            f"{line.target_value!r}: choose a stage that is not won")
    return problems
