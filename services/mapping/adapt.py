"""The proposer's fit to what discovery saw: unreadable or empty objects skipped, required
fields filled by fallback source fields or defaults, links to skipped objects dropped."""

from .. import rights
from . import templates as tpl
from .model import FieldMapLine
from .targets import MAGIC_FIELDS, ODOO_DEFAULTS, REBUILD, REQUIRED_LINKS, UPDATE_ROLES


class _Adapt:
    """``_Builder``'s part that fits the template lines to the discovery (issue 18)."""

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
