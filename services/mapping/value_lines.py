"""The proposer's value maps: statuses → crm.stage, priorities → '0'..'3', enumerations →
selection options kept identical to the source's."""

from .model import ValueMapLine
from .values import (
    PRIORITY_LABELS,
    canonical_values,
    clean_value,
    observed_values,
    priority_level,
    status_kind,
    value_key,
)


class _ValueLines:
    """``_Builder``'s part that writes the value lines and the transform arguments they feed."""

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


def _stage_name(option):
    text = clean_value(option)
    return text[:1].upper() + text[1:] if text == text.lower() else text
