"""The proposer's template binding: a profiled object's fields bound to the lines of its
built-in templates (ids, watermarks and containers skipped, the rest handed on)."""

from . import templates as tpl
from .model import FieldMapLine
from .scoring import _key
from .targets import REBUILD
from .values import canonical_values, observed_values


class _TemplateLines:
    """``_Builder``'s part that binds the source fields to the template lines."""

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
        target = line.target
        if (new is None and line.instead and not line.skip and model in self.targets
                and line.target not in self.targets[model]):
            if isinstance(line.instead, str):
                target = line.instead
                reason += (f"; {model}.{line.target} is not a field of this database (Odoo "
                           f"19.0 has none): written to {target} instead")
            else:
                new = dict(line.instead)
                reason += (f"; {model}.{line.target} is not a field of this database (Odoo "
                           f"19.0 has none): kept in a new field {new['name']}")
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
        target = new["name"] if new else target
        self._add(FieldMapLine(obj, fprof["name"], model, target, line.transform, args,
                               confidence, reason,
                               new_field=None if not new or new.get("_exists") else new,
                               skip=line.skip,
                               samples=list(fprof["samples"]), role=template.role))
