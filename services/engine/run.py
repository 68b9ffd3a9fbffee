"""Running a plan on source records: values, refs, warnings, per-skill, JSON aggregates."""

from .. import mapping as mp
from .. import transforms as tr
from .payload import _has_path, _safe_get, _scalar, payload_hash
from .plan import _Plan
from .shapes import (
    _ADVICE,
    EMPTIED,
    KEPT,
    FieldError,
    FieldWarning,
    MappedRecord,
    Ref,
    _Fail,
    _Out,
)
from .validation import validate_values
from .values import _SECRET_RE, _empty, _norm, show_value


class RunMixin:
    """Maps one record with a compiled plan (part of ``RecordMapper``)."""

    def _run(self, plan, record, source_id, digest):
        obj = plan.line.source_object
        values = dict(plan.defaults)
        refs = dict(plan.refs)
        errors, notes = [], []
        lost = False
        warnings = []
        for step in plan.steps:
            target, src, func = step[0], step[1], step[2]
            try:
                value = func(record)
            except (tr.TransformError, _Fail) as exc:
                map_problem = isinstance(exc, tr.TransformArgError) or getattr(
                    exc, "map_problem", False)
                raw = exc.value if exc.value is not None else _safe_get(record, src)
                policy = "fail" if map_problem else plan.policy.get(target, "fail")
                if policy == "fail":
                    errors.append(FieldError(obj, source_id, src, target,
                                             show_value(_safe_get(record, src), src),
                                             exc.reason))
                    continue
                value, warning = self._degrade(plan, target, src, raw, exc.reason, policy)
                warnings.append(FieldWarning(obj, source_id, src, target, *warning))
                if value is None:
                    if target not in refs:
                        values[target] = False
                else:
                    values[target] = value
                continue
            if type(value) is _Out:
                notes.extend(f"{target}: {n}" for n in value.notes)
                lost = lost or value.lost
                if value.warning is not None:
                    raw, reason = value.warning
                    warnings.append(FieldWarning(obj, source_id, src, target,
                                                 show_value(raw, src),
                                                 reason + _ADVICE[EMPTIED], EMPTIED))
                if value.value is None and value.notes and target not in refs and \
                        plan.policy.get(target, "fail") != "fail":
                    raw = _safe_get(record, src)
                    if not _empty(raw) and isinstance(raw, (str, int, float)):
                        # a value the transform read as "nothing" (a zero date) is written
                        # empty: a warning as well as a note
                        warnings.append(FieldWarning(
                            obj, source_id, src, target, show_value(raw, src),
                            " ".join(value.notes) + _ADVICE[EMPTIED], EMPTIED))
                value = value.value
            if isinstance(value, Ref):
                refs[target] = value
                values.pop(target, None)
            elif value is None:
                # an empty source value: the object line's default where it has one
                if target not in refs and target not in plan.defaults:
                    values[target] = False
            else:
                values[target] = value
        mapped = MappedRecord(plan.line.role, obj, source_id, plan.model, values, refs, errors,
                              digest, lost=lost, notes=notes, warnings=warnings)
        if plan.target is not None:
            get, src, make = plan.target
            parent = get(record)
            if _empty(parent):
                mapped.errors.append(FieldError(
                    obj, source_id, src, None, show_value(parent),
                    f"no {src}: the record that should receive these values is unknown"))
            else:
                mapped.target = make(parent)
                mapped.group_key = str(parent).strip()
        if not mapped.errors:
            mapped.errors = validate_values(
                {**values, **refs}, plan.targets, required=plan.required,
                source_object=obj, source_id=source_id,
                check_required=not plan.update and not self._user_not_created(plan,
                                                                             source_id),
                sources=plan.sources)
        else:
            # fields that mapped still get checked (type/selection), not required ones
            mapped.errors += validate_values(
                {k: v for k, v in {**values, **refs}.items()
                 if k not in {e.target_field for e in errors}},
                plan.targets, source_object=obj, source_id=source_id, check_required=False,
                sources=plan.sources)
        return mapped

    def _degrade(self, plan, target, src, raw, reason, policy):
        """``(value to write or None, (shown value, reason, action))`` for a value the
        line's transform rejected, under ``policy`` 'keep' or 'empty'. Keep writes
        :func:`services.transforms.as_typed` where the target takes text (char, text,
        html); elsewhere, or for a value that is no text, the field is left empty. A kept
        text longer than a char field's ``size`` is left empty too (Odoo would cut it
        silently and the read-back would differ): never truncated."""
        field_ = plan.targets.get(target)
        ttype = field_.ttype if field_ is not None else None
        shown = show_value(raw, src)
        if policy == "keep":
            if ttype not in mp.TEXT_TTYPES:
                reason += f" (a {ttype or 'non-text'} field cannot hold the text as typed)"
            else:
                kept = tr.as_typed(raw, ttype)
                if kept is not None and field_.size and len(kept) > field_.size:
                    reason += (f" (as typed it has {len(kept)} characters, more than the "
                               f"{field_.size} {plan.model}.{target} holds)")
                elif kept is not None:
                    if src and _SECRET_RE.search(src):
                        return kept, (shown, reason + _ADVICE[KEPT], KEPT)
                    return kept, (show_value(kept, src), reason + _ADVICE[KEPT], KEPT)
        return None, (shown, reason + _ADVICE[EMPTIED], EMPTIED)

    def _per_skill(self, plan, record, source_id, digest):
        split_steps = [s for s in plan.steps if len(s) > 3 and s[3] == "split"]
        others = _Plan.__new__(_Plan)
        for slot in _Plan.__slots__:
            setattr(others, slot, getattr(plan, slot))
        others.steps = [s for s in plan.steps if not (len(s) > 3 and s[3] == "split")]
        out = []
        for target, _src, func in (s[:3] for s in split_steps):
            for name in func(record):
                mapped = self._run(others, record, f"{source_id}:{_norm(name)}", digest)
                mapped.refs[target] = Ref("skill", name, model="hr.skill")
                mapped.values.pop(target, None)
                mapped.errors = [e for e in mapped.errors if e.target_field != target]
                out.append(mapped)
        return out

    def _collect(self, plan, record, source_id, groups):
        target_name, group_get, by, keys = plan.group
        parent = group_get(record)
        key = str(parent).strip() if not _empty(parent) else ""
        data = groups.setdefault((plan.line.role, key), {"plan": plan, "items": [], "ids": [],
                                                         "errors": []})
        if not key:
            data["errors"].append(FieldError(
                plan.line.source_object, source_id, by, target_name, show_value(parent),
                f"no {by}: the record cannot be added to its parent's {target_name}"))
            return
        data["items"].append({out_key: _scalar(get(record)) for out_key, get in keys})
        data["ids"].append(source_id)

    def _aggregate(self, obj, role, key, data):
        plan = data["plan"]
        target_name = plan.group[0]
        items = data["items"]
        errors = list(data["errors"])
        values = {}
        try:
            values[target_name] = tr.apply("json_dump", items) if items else False
        except tr.TransformError as exc:
            errors.append(FieldError(obj, key, plan.sources.get(target_name), target_name,
                                     show_value(items), exc.reason))
        mapped = MappedRecord(role, obj, key, plan.model, values, {}, errors,
                              payload_hash({"items": items, "ids": data["ids"]}),
                              group_key=key or None, items=items, item_ids=list(data["ids"]))
        if plan.target is not None and key:
            mapped.target = plan.target[2](key)
        if not errors:
            mapped.errors = validate_values(values, plan.targets, source_object=obj,
                                            source_id=key, check_required=False,
                                            sources=plan.sources)
        return mapped

    def _rebuild(self, obj, record):
        fields_ = self._rebuild_fields.get(obj) or sorted(record)
        entry = {}
        for name in fields_:
            value = _safe_get(record, name)
            entry[name] = mp.MASK if _SECRET_RE.search(name) and value not in (None, "") \
                else value
        self.rebuild_reference.setdefault(obj, []).append(entry)

    def _check_absent(self, obj, records, out):
        """A field line whose source field is in no record of a batch: noted (a source
        that omits empty keys is legitimate; ``source_fields`` makes it an error)."""
        if not records or self.source_fields.get(obj) is not None:
            return
        for plan in self._plans.get(obj, ()):
            for src in set(plan.sources.values()):
                for path in src.split("+"):
                    if not any(_has_path(r, path) for r in records):
                        note = (f"{obj}.{path}: in no record of a batch of {len(records)} "
                                "(a source that omits empty fields, or a map line to a field "
                                "that does not exist)")
                        if note not in self.notes:
                            self.notes.append(note)

