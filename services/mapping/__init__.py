"""The mapping proposer: from a data dictionary to an object, field and value map.

Pure Python (never imports odoo). :func:`propose` takes the discovery result of
``services.profiling.profile_source``, the Odoo target fields (built by the Odoo side from
``fields_get()``) and the installed optional apps, and returns a :class:`Proposal`:

* object lines (source object → Odoo model, role, dependency order, condition);
* field lines, each with a transform *name* (implemented in ``services.transforms``), a
  confidence and a reason; custom fields of the source become new ``x_studio_`` fields;
* value lines: statuses → crm.stage, priorities → '0'..'3', enumerations → selection
  options kept identical to the source's.

Known objects and fields come from the built-in templates (``services.mapping_templates``);
a field no template knows is scored against the target model's fields by
:func:`score_field`. **Scoring rule**::

    confidence = 0.55 × name + 0.30 × type + 0.15 × values

``name`` is 1.0 for the same normalised name (snake/camel/space/case-insensitive, ``x_``,
``x_studio_``, ``cf_`` prefixes dropped), 0.95 for synonyms (zip/postal_code, mobile/cell,
title/function …) or the target's label, else string similarity; ``type`` is the
compatibility of the inferred type with the Odoo type (0 = impossible, which caps the
confidence at 0.3); ``values`` is 1.0 when the values prove the field (e-mails → an e-mail
field, phones → phone/mobile, dates → date/datetime), 0.3 when they contradict it, 0.6
otherwise. Without name evidence (name < 0.5) and without value proof the confidence is
capped below the threshold: type alone never maps a field. At or above
:data:`MATCH_THRESHOLD` (0.55) the field is mapped; below it, a new ``x_studio_`` field of
the inferred type is proposed (on crm.lead / res.partner targets), else the field is
skipped. Everything is deterministic: no randomness, dictionaries walked in sorted order.
"""

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields

from .. import mapping_templates as tpl
from .. import rights
from .model import (
    FieldMapLine,
    ObjectMapLine,
    Proposal,
    ValueMapLine,
    _Jsonable,
)
from .policy import (
    AMOUNT_MODELS,
    KEY_FIELDS,
    ON_INVALID,
    TEXT_TTYPES,
    _AMOUNT_RE,
    _NUMBER_TTYPES,
    default_on_invalid,
    on_invalid_of,
)
from .scoring import (
    EMPTY_COMPAT,
    MATCH_THRESHOLD,
    NEW_FIELD_MAX,
    NEW_FIELD_MODELS,
    NEW_FIELD_NAME,
    NEW_FIELD_PREFIX,
    NEW_FIELD_TYPES,
    SYNONYM_GROUPS,
    TYPE_COMPAT,
    UNSCORED_PREFIXES,
    UNSCORED_TTYPES,
    WEIGHTS,
    _SYNONYM,
    _ascii,
    _key,
    _name_score,
    _scorable,
    _type_score,
    _value_score,
    new_field_name,
    normalise_name,
    score_field,
)
from .targets import (
    MAGIC_FIELDS,
    ODOO_DEFAULTS,
    REBUILD,
    REQUIRED_LINKS,
    TargetField,
    UPDATE_ROLES,
    targets_from_fields_get,
)
from .validation import (
    AGGREGATE_TRANSFORMS,
    TRANSFORM_RELATION,
    TRANSFORM_TYPES,
    _check_new_field,
    _check_required,
    _check_transform,
    _check_values,
    validate,
)
from .values import (
    LOST_WORDS,
    MASK,
    PRIORITY_LABELS,
    PRIORITY_WORDS,
    WON_WORDS,
    _nicest,
    canonical_values,
    clean_value,
    observed_values,
    priority_level,
    status_kind,
    value_key,
)


# -- values a transform cannot normalise ("Degrade, don't drop") --------------------------


# -- scoring ------------------------------------------------------------------------------


# -- the proposer -------------------------------------------------------------------------


class _Builder:
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

    # -- what discovery saw ---------------------------------------------------------------

    def _adapt(self, objects):
        """Fit the template to what discovery saw (issue 18).

        An object not readable, or with 0 records, is proposed as skip with the reason;
        a required target whose template source was never seen is filled by a fallback
        source field (``tpl.FALLBACKS``) or a default, else its object line is proposed
        as skip with the reason; a link to a skipped object is planned without it.
        """
        skipped = {}
        for name, profile in objects.items():
            if profile.get("readable") is False:
                skipped[name] = (f"not readable: HTTP {profile.get('status')}"
                                 + (f" {profile['vendor_message']}"
                                    if profile.get("vendor_message") else "")
                                 + " — nothing can be read from it; open the endpoint "
                                   "for this account and discover again to migrate it")
            elif not profile.get("count") and not profile.get("profiled"):
                skipped[name] = ("nothing to migrate: 0 records at discovery; discover "
                                 "again when the source has some and it is mapped then")
        for line in self.proposal.object_maps:
            if line.source_object in skipped and not line.skip:
                line.skip = True
                line.reason = f"{skipped[line.source_object]} ({line.reason})"
        for line in self.proposal.field_maps:
            if line.source_object in skipped and not line.skip:
                line.skip, line.reason = True, f"{skipped[line.source_object]}"
        fallbacks = tpl.FALLBACKS.get(self.kind, {})
        for obj_line in self.proposal.object_maps:
            model = obj_line.target_model
            if (obj_line.skip or model not in self.targets or model == REBUILD
                    or obj_line.role in UPDATE_ROLES or obj_line.role in rights.MATCH_ROLES):
                continue  # (a matched user is bound, never written: nothing is required)
            profile = objects.get(obj_line.source_object, {})
            seen = {f["name"]: f for f in profile.get("fields", [])
                    if f.get("inferred_type") != "empty"}
            self._unlink_skipped(obj_line, skipped)
            for target in self._uncovered(obj_line):
                if not self._fill(obj_line, target, seen,
                                  fallbacks.get((obj_line.source_object, model, target), ())):
                    obj_line.skip = True
                    obj_line.reason = (
                        f"required field {model}.{target} has no source: the template's "
                        "source field was never seen at discovery and no other field or "
                        "default fills it; map a source field to it or give it a default, "
                        f"then unskip this line ({obj_line.reason})")
                    break

    def _lines_of(self, obj_line):
        return [line for line in self.proposal.field_maps
                if line.source_object == obj_line.source_object
                and line.role == obj_line.role and line.target_model == obj_line.target_model]

    def _uncovered(self, obj_line):
        """Required fields of the object line's model nothing maps or defaults."""
        model = obj_line.target_model
        covered = set(obj_line.defaults) | set(ODOO_DEFAULTS.get(model, {}))
        covered |= {line.target_field for line in self._lines_of(obj_line) if not line.skip}
        return [name for name, target in sorted(self.targets[model].items())
                if target.required and name not in covered and name not in MAGIC_FIELDS]

    def _fill(self, obj_line, target, seen, candidates):
        """Fill required ``target`` from the first candidate discovery saw; True if done."""
        model = obj_line.target_model
        for source, transform, args in candidates:
            if source == "=":
                obj_line.defaults[target] = transform
                obj_line.reason += (f"; {model}.{target}: no source field seen at discovery,"
                                    f" default {transform!r}")
                return True
            if source not in seen:
                continue
            reason = (f"{model}.{target} filled from {source}: the template's source for it "
                      "was never seen at discovery")
            # a record whose fallback field is empty too gets the constant after it
            constant = next((value for src, value, _args in
                             candidates[candidates.index((source, transform, args)) + 1:]
                             if src == "="), None)
            if constant is not None:
                obj_line.defaults.setdefault(target, constant)
                reason += f" (empty: {constant!r})"
            existing = next((line for line in self.proposal.field_maps
                             if line.source_object == obj_line.source_object
                             and line.role == obj_line.role and line.source_field == source
                             and line.skip), None)
            if existing is not None:
                existing.target_model, existing.target_field = model, target
                existing.transform, existing.transform_args = transform, dict(args)
                existing.skip, existing.reason, existing.confidence = False, reason, 0.7
            else:
                self._add(FieldMapLine(obj_line.source_object, source, model, target,
                                       transform, dict(args), 0.7, reason,
                                       samples=list(seen[source].get("samples", [])),
                                       role=obj_line.role))
            return True
        return False

    def _unlink_skipped(self, obj_line, skipped):
        """A link to a skipped object is planned without that link."""
        for line in self._lines_of(obj_line):
            linked = (line.transform_args or {}).get("object") if line.transform == \
                "binding" else None
            if line.skip or linked not in skipped or linked == obj_line.source_object:
                continue
            line.skip = True
            line.reason = (f"links to {linked}, which is skipped ({skipped[linked]}): "
                           "planned without that link")
            if line.target_field in REQUIRED_LINKS:
                obj_line.skip = True
                obj_line.reason = (f"blocked: its records hang on {linked} "
                                   f"({line.target_field}), which is skipped "
                                   f"({skipped[linked]}) ({obj_line.reason})")

    # -- fields ---------------------------------------------------------------------------

    def _fields(self, profile, object_templates):
        obj = profile["object"]
        main = next((t for t in object_templates if t.main), object_templates[0])
        known = {}
        for template in object_templates:
            for line in template.fields:
                known.setdefault(_key(line.source), []).append((template, line))
        profiles = {f["name"]: f for f in profile.get("fields", [])}
        if main.target_model == REBUILD:
            for name in sorted(profiles):
                self._add(FieldMapLine(obj, name, REBUILD, None, "identity", {}, 0.9,
                                       "exported as is to the JSON rebuild reference ("
                                       + main.reason.split(":")[0] + ")",
                                       samples=list(profiles[name]["samples"]),
                                       role=main.role))
            return
        id_column = self._id_column(obj, profiles)
        taken = set()
        deferred = []
        for name in sorted(profiles):
            fprof = profiles[name]
            if _key(name) in known:
                for template, line in known[_key(name)]:
                    self._from_template(obj, template, line, fprof)
                    if not line.skip and line.target and template is main:
                        taken.add((line.model or template.target_model, line.target))
            elif name == "id" or name == "updated_at" or self._is_container(name, profiles):
                why = ("the reader's record id" + (f" (same as {id_column})"
                                                   if id_column else "") + ": " + tpl.ID_REASON
                       if name == "id" else
                       "change timestamp: used as the delta-pickup watermark, not written"
                       if name == "updated_at" else
                       "container of the dotted fields below it")
                self._add(FieldMapLine(obj, name, main.target_model, None, "identity", {},
                                       1.0 if name != "updated_at" else 0.95, why,
                                       skip=True, samples=fprof["samples"], role=main.role))
            else:
                deferred.append(fprof)
        for fprof in deferred:
            if self._is_custom(obj, fprof):
                self._custom(obj, main, fprof)
            else:
                self._unknown(obj, main, fprof, taken)

    @staticmethod
    def _id_column(obj, profiles):
        singular = obj[:-1] if obj.endswith("s") else obj
        for candidate in (f"{singular}_id", "line_id", "part_id", "note_id"):
            if candidate in profiles:
                return candidate
        return None

    @staticmethod
    def _is_container(name, profiles):
        return any(other.startswith(name + ".") for other in profiles)

    def _is_custom(self, obj, fprof):
        name = fprof["name"]
        leaf = name.rsplit(".", 1)[-1]
        declared = (obj, _key(leaf[3:] if leaf.startswith("cf_") else leaf)) in self.schema
        return bool(fprof.get("custom")) or declared or name.startswith("custom_fields.")

    def _from_template(self, obj, template, line, fprof):
        model = line.model or template.target_model
        args = dict(line.args)
        new = dict(line.new) if line.new else None
        reason = line.reason
        confidence = line.confidence
        if fprof.get("inferred_type") == "empty" and not line.skip:
            confidence = min(confidence, 0.7)
            reason += " (always empty in the profiled records)"
        if line.value_kind:
            args.update(self._value_maps(obj, fprof, line))
        if new is not None:
            if new["ttype"] == "selection":
                seen = observed_values(fprof)
                options, _ = canonical_values(seen, line.vocabulary)
                new["selection"] = [(o, o) for o in options]
                if not line.vocabulary and fprof.get("distinct", 0) > len(seen):
                    confidence = min(confidence, 0.7)
                    reason += (f"; options from {len(seen)} samples of "
                               f"{fprof['distinct']} distinct spellings — check none is "
                               "missing")
            new = self._plan(model, new, obj)
            if new.get("_exists"):
                reason += f"; {new['name']} already exists in the database: reused"
        target = new["name"] if new else line.target
        self._add(FieldMapLine(obj, fprof["name"], model, target, line.transform, args,
                               confidence, reason,
                               new_field=None if not new or new.get("_exists") else new,
                               skip=line.skip,
                               samples=list(fprof["samples"]), role=template.role))

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

    def _add(self, line):
        self.proposal.field_maps.append(line)

    # -- values ---------------------------------------------------------------------------

    def _value_maps(self, obj, fprof, line):
        options, variants = canonical_values(observed_values(fprof), line.vocabulary)
        if line.value_kind == "stage":
            return self._stage_lines(obj, fprof["name"], options, variants)
        if line.value_kind == "priority":
            return self._priority_lines(obj, fprof["name"], options, variants)
        return self._selection_lines(obj, fprof["name"], options, variants, line.vocabulary)

    def _variant_lines(self, kind, obj, source_field, options, variants, target_of,
                       flags=None):
        flags = flags or {}
        mapping = {}
        for option in options:
            mapping[option] = target_of[option]
        for raw, option in sorted(variants.items()):
            if raw != option:
                mapping[raw] = target_of[option]
                is_won, lost = flags.get(option, (False, False))
                self.proposal.value_maps.append(ValueMapLine(
                    kind, obj, source_field, raw, target_of[option], is_won=is_won,
                    confidence=0.9, lost=lost,
                    reason=f"{raw!r} is {option!r} in another case or spacing"))
        return {"mapping": mapping, "case_insensitive": True}

    def _selection_lines(self, obj, source_field, options, variants, known):
        known_keys = {value_key(k) for k in known}
        for option in options:
            seen = option in variants.values()
            self.proposal.value_maps.append(ValueMapLine(
                "selection", obj, source_field, option, option, create=True,
                confidence=1.0 if value_key(option) in known_keys or seen else 0.8,
                reason="option kept identical to the source's value"
                + ("" if seen else " (known value, not in the profiled samples)")))
        return self._variant_lines("selection", obj, source_field, options, variants,
                                   {o: o for o in options})

    def _stage_lines(self, obj, source_field, options, variants):
        by_name = {value_key(s["name"]): s for s in self.stages}
        won_stage = next((s for s in self.stages if s.get("is_won")), None)
        first_open = next((s for s in self.stages if not s.get("is_won")), None)
        target_of, flags = {}, {}
        for option in options:
            kind = status_kind(option)
            existing = by_name.get(value_key(option))
            if existing is not None and kind != "lost":
                line = ValueMapLine("stage", obj, source_field, option, existing["name"],
                                    is_won=bool(existing.get("is_won")), confidence=1.0,
                                    reason="existing stage of the same name")
                if kind == "won" and not existing.get("is_won"):
                    line.confidence = 0.7
                    line.reason += " — it is not a won stage though the status means done"
            elif kind == "won":
                if won_stage is not None:
                    line = ValueMapLine(
                        "stage", obj, source_field, option, won_stage["name"], is_won=True,
                        confidence=0.85, reason=f"done status → the existing won stage "
                        f"{won_stage['name']!r} (is_won=True: probability 100, date_closed "
                        f"set); rename the target to create a {option!r} won stage instead")
                else:
                    line = ValueMapLine("stage", obj, source_field, option,
                                        _stage_name(option), is_won=True, create=True,
                                        confidence=0.95,
                                        reason="done status → a new stage with is_won=True")
            elif kind == "lost":
                stage = first_open["name"] if first_open else "New"
                line = ValueMapLine(
                    "stage", obj, source_field, option, stage, create=first_open is None,
                    lost=True, confidence=0.9,
                    reason=f"lost: Odoo has no lost stage — the lead is archived "
                    f"(active=False, probability 0) and stays in {stage!r}; the source "
                    "status is written in the lost reason note")
            else:
                line = ValueMapLine("stage", obj, source_field, option, _stage_name(option),
                                    create=True, confidence=0.9,
                                    reason="no stage of that name: a new stage, in the "
                                           "source's order")
            self.proposal.value_maps.append(line)
            target_of[option] = line.target_value
            flags[option] = (line.is_won, line.lost)
        args = self._variant_lines("stage", obj, source_field, options, variants, target_of,
                                   flags)
        args["value_map"] = "stage"
        args["lost"] = sorted(o for o in options if status_kind(o) == "lost")
        return args

    def _priority_lines(self, obj, source_field, options, variants):
        target_of = {}
        for option in options:
            level = priority_level(option)
            line = ValueMapLine(
                "priority", obj, source_field, option, level or "1",
                confidence=0.95 if level else 0.5,
                reason=f"{option!r} → {PRIORITY_LABELS[level or '1']} ('{level or '1'}')"
                + ("" if level else ": unknown word, Medium proposed"))
            self.proposal.value_maps.append(line)
            target_of[option] = line.target_value
        return self._variant_lines("priority", obj, source_field, options, variants,
                                   target_of)

    # -- notes ----------------------------------------------------------------------------

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


def _stage_name(option):
    text = clean_value(option)
    return text[:1].upper() + text[1:] if text == text.lower() else text


def _transform_for(inferred, target):
    """The transform feeding ``target`` from a value of the inferred type."""
    if target.ttype == "html":
        return "text_to_html"
    if target.ttype in ("char", "text"):
        return {"email": "email", "phone": "phone"}.get(inferred, "trim")
    return {"integer": "integer", "float": "number", "monetary": "money",
            "boolean": "boolean", "date": "date", "datetime": "datetime_utc",
            "selection": "selection_map", "json": "json_dump"}.get(target.ttype, "identity")


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
