"""The proposer's fields no template knows: custom fields become new x_ fields, other
fields are scored against the target model (mapped, planned as new fields, or skipped)."""

from .model import FieldMapLine
from .scoring import (
    MATCH_THRESHOLD,
    NEW_FIELD_MAX,
    NEW_FIELD_MODELS,
    NEW_FIELD_PREFIX,
    NEW_FIELD_TYPES,
    _key,
    _scorable,
    new_field_name,
    normalise_name,
    score_field,
)
from .values import canonical_values, observed_values, value_key


class _UnknownFields:
    """``_Builder``'s part for custom and unknown fields, and the planning of new x_ fields."""

    def _custom(self, obj, main, fprof):
        name = fprof["name"]
        leaf = name.rsplit(".", 1)[-1]
        declared = self.schema.get((obj, _key(leaf[3:] if leaf.startswith("cf_") else leaf)))
        model = main.target_model if main.target_model in NEW_FIELD_MODELS else None
        if model is None:
            self._add(FieldMapLine(obj, name, main.target_model, None, "identity", {}, 0.4,
                                   f"custom field of {obj}, whose target {main.target_model} "
                                   "takes no new fields: exported to the rebuild reference",
                                   skip=True, samples=list(fprof["samples"]),
                                   role=main.role))
            return
        inferred = fprof.get("inferred_type") or "char"
        if declared:
            ttype = declared.get("type") or "char"
            transform = {"char": "trim", "text": "trim", "integer": "integer",
                         "float": "number", "boolean": "boolean", "date": "date",
                         "datetime": "datetime_utc",
                         "selection": "selection_map"}.get(ttype, "trim")
            string = declared.get("label") or leaf.replace("_", " ").title()
            origin = f"declared by the source as {ttype}"
            confidence = 0.95
        else:
            ttype, transform = NEW_FIELD_TYPES.get(inferred, ("char", "trim"))
            string = leaf.removeprefix("cf_").replace("_", " ").strip().title()
            origin = f"inferred {inferred} from the values"
            confidence = 0.85
        spec = {"name": new_field_name(name), "ttype": ttype, "string": string}
        args = {}
        if ttype == "selection":
            known = (declared or {}).get("options") or ()
            seen = observed_values(fprof)
            options, variants = canonical_values(seen, known)
            spec["selection"] = [(o, o) for o in options]
            args = self._selection_lines(obj, name, options, variants, known)
            if not known and fprof.get("distinct", 0) > len(seen):
                confidence = 0.7
                origin += (f"; options from {len(seen)} samples of "
                           f"{fprof['distinct']} distinct spellings — check none is missing")
        spec = self._plan(model, spec, obj)
        how = "the existing field" if spec.get("_exists") else f"new {ttype} field"
        self._add(FieldMapLine(obj, name, model, spec["name"], transform, args, confidence,
                               f"custom field ({origin}) → {how} on {model}",
                               new_field=None if spec.get("_exists") else spec,
                               samples=list(fprof["samples"]),
                               role=main.role))

    def _unknown(self, obj, main, fprof, taken):
        name = fprof["name"]
        model = main.target_model
        candidates = []
        for target in self.targets.get(model, {}).values():
            if not _scorable(target) or (model, target.name) in taken:
                continue
            confidence, why = score_field(name, fprof, target)
            candidates.append((-confidence, target.name, why))
        candidates.sort()
        if candidates and -candidates[0][0] >= MATCH_THRESHOLD:
            confidence, target_name, why = -candidates[0][0], candidates[0][1], candidates[0][2]
            target = self.targets[model][target_name]
            taken.add((model, target_name))
            transform = _transform_for(fprof.get("inferred_type"), target)
            self._add(FieldMapLine(obj, name, model, target_name, transform, {}, confidence,
                                   f"no template line; scored: {why}",
                                   samples=list(fprof["samples"]), role=main.role))
            return
        best = (f"best candidate {candidates[0][1]} at {-candidates[0][0]:.2f}"
                if candidates else "no candidate")
        if model in NEW_FIELD_MODELS:
            inferred = fprof.get("inferred_type") or "char"
            ttype, transform = NEW_FIELD_TYPES.get(inferred, ("char", "trim"))
            spec = {"name": new_field_name(name), "ttype": ttype,
                    "string": normalise_name(name).replace("_", " ").title() or name}
            args = {}
            if ttype == "selection":
                options, variants = canonical_values(fprof["samples"])
                spec["selection"] = [(o, o) for o in options]
                args = self._selection_lines(obj, name, options, variants, ())
            spec = self._plan(model, spec, obj)
            self._add(FieldMapLine(obj, name, model, spec["name"], transform, args, 0.5,
                                   f"no existing field scores ≥ {MATCH_THRESHOLD} ({best}): "
                                   f"new {ttype} field from the inferred type {inferred}"
                                   + (" (exists already: reused)" if spec.get("_exists")
                                      else ""),
                                   new_field=None if spec.get("_exists") else spec,
                                   samples=list(fprof["samples"]),
                                   role=main.role))
        else:
            self._add(FieldMapLine(obj, name, model, None, "identity", {}, 0.3,
                                   f"no existing field scores ≥ {MATCH_THRESHOLD} ({best}) and "
                                   f"{model} takes no new fields: not migrated",
                                   skip=True, samples=list(fprof["samples"]),
                                   role=main.role))

    def _plan(self, model, spec, obj):
        """Register a new field. A field of that name already in the database with the same
        type (and relation) is reused as it is (``_exists``: nothing to create; a selection
        is not reused, its options may differ); the same name with another type gets the
        object's prefix, then a number; selection options of one planned field merge."""
        key = (model, spec["name"])
        existing = self.planned.get(key)
        current = self.targets.get(model, {}).get(spec["name"])
        if existing is None and current is not None:
            if (current.ttype == spec["ttype"] != "selection"
                    and (current.relation or None) == (spec.get("relation") or None)):
                return dict(spec, _exists=True)
            existing = {"ttype": current.ttype, "_exists": True}
        if existing is None:
            self.planned[key] = spec
            return spec
        if existing["ttype"] == spec["ttype"] and not existing.get("_exists"):
            if spec.get("selection"):
                keys = {value_key(v) for v, _ in existing.get("selection", [])}
                existing.setdefault("selection", []).extend(
                    o for o in spec["selection"] if value_key(o[0]) not in keys)
            return existing
        prefixed = NEW_FIELD_PREFIX + _key(obj)[:12] + "_"
        rest = spec["name"][len(NEW_FIELD_PREFIX):]
        if spec["name"].startswith(prefixed):  # prefixed already: number it
            stem, _sep, number = spec["name"].rpartition("_")
            name = f"{stem}_{int(number) + 1}" if number.isdigit() else f"{spec['name']}_2"
        else:
            name = prefixed + rest
        if len(name) > NEW_FIELD_MAX:
            name = name[:NEW_FIELD_MAX - 4].rstrip("_") + "_" + str(len(self.planned) % 1000)
        # a distinct label too: Odoo warns about two fields of a model with one label
        suffix = name[len(NEW_FIELD_PREFIX):].replace("_", " ")
        return self._plan(model, dict(spec, name=name,
                                      string=f"{spec.get('string') or rest} ({suffix})"), obj)


def _transform_for(inferred, target):
    """The transform feeding ``target`` from a value of the inferred type."""
    if target.ttype == "html":
        return "text_to_html"
    if target.ttype in ("char", "text"):
        return {"email": "email", "phone": "phone"}.get(inferred, "trim")
    return {"integer": "integer", "float": "number", "monetary": "money",
            "boolean": "boolean", "date": "date", "datetime": "datetime_utc",
            "selection": "selection_map", "json": "json_dump"}.get(target.ttype, "identity")
