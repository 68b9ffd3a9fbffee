"""Compiling a confirmed proposal into one plan of steps per (source object, role)."""

from .. import mapping as mp
from .. import transforms as tr
from .payload import _getter, _source_id
from .roles import CONDITIONS
from .shapes import Ref, _Fail
from .steps import _runner
from .values import _empty, _norm

REBUILD = mp.REBUILD
#: many2one relation → Ref kind of a default given by name
RELATION_KINDS = {
    "crm.tag": "tag", "ir.model": "model", "mail.activity.type": "activity_type",
    "mail.message.subtype": "subtype", "hr.skill": "skill", "hr.skill.type": "skill_type",
    "hr.skill.level": "skill_level", "stock.location": "location", "crm.stage": "stage",
    "res.users": "user", "res.country": "country", "product.product": "product",
    "res.company": "company", "uom.uom": "uom",
}
#: _inherits: fields of the parent model are written through the child record
INHERITS = {"res.users": "res.partner"}
#: transforms implemented here because services.transforms has no such name (or needs the
#: record, not a value): see the module doc and :meth:`RecordMapper._compile_line`
MAPPER_TRANSFORMS = ("binding", "user_by_email", "product", "file", "pick", "split_list",
                     "end_from_duration")
#: field-line arguments that are the mapper's business, not the transform's
MAPPER_ARGS = {
    "*": {"value_map", "lost", "exact"},
    "full_name": {"fields"}, "join": {"fields", "separator"},
    "json_dump": {"group_by", "key"}, "state_code": {"country_field", "countries"},
    "country_code": {"from_state", "countries"}, "email": {"match"},
    "boolean": {"true_values", "false_values", "default"},
    "selection_map": {"case_insensitive", "mapping"}, "priority": {"case_insensitive"},
    "date": {"tz"}, "datetime_utc": set(),
}


class _Plan:
    """The compiled plan of one (source object, role)."""

    __slots__ = ("condition", "defaults", "flines", "group", "id_field", "line", "model",
                 "policy", "refs", "required", "sources", "steps", "target", "targets",
                 "update")

    def __init__(self, line, targets):
        self.line = line
        self.model = line.target_model
        self.targets = targets
        self.steps = []        # (target, label, func, kind) kind: 'value' | 'agg'
        self.defaults = {}     # plain defaults
        self.refs = {}         # Ref defaults
        self.sources = {}      # target → source field (for errors)
        self.flines = {}       # target → the field line that writes it
        self.policy = {}       # target → on_invalid policy: 'keep' | 'empty' | 'fail'
        self.condition = "always"
        self.group = None      # json aggregate: (group getter, group field, [(key, getter)])
        self.target = None     # update roles: (getter, source field, Ref factory)
        self.update = line.role in mp.UPDATE_ROLES
        self.required = ()
        self.id_field = None


class CompileMixin:
    """Compiles the object and field lines into :class:`_Plan` (part of ``RecordMapper``)."""

    def _main_role(self, obj):
        counts = {}
        for f in self.proposal.field_maps:
            if f.source_object == obj and not f.skip and f.target_field:
                counts[f.role] = counts.get(f.role, 0) + 1
        roles = [o for o in self._lines[obj] if not o.skip and o.target_model != REBUILD]
        if not roles:
            return None
        return max(roles, key=lambda o: (counts.get(o.role, 0), -o.order)).role

    def _role_for_model(self, obj, model):
        for oline in self._lines.get(obj, ()):
            if oline.target_model == model and not oline.skip:
                return oline.role
        return self._main.get(obj)

    def _problem(self, text):
        if text not in self.problems:
            self.problems.append(text)

    def _compile(self, oline):
        obj = oline.source_object
        targets = dict(self.targets.get(oline.target_model, {}))
        lines = [f for f in self.proposal.field_maps
                 if f.source_object == obj and f.role == oline.role]
        for fline in lines:
            # a line to the parent of an _inherits model (res.users → res.partner) is
            # written through the child record
            if fline.target_model == INHERITS.get(oline.target_model) and fline.target_field \
                    and not fline.skip and fline.target_field not in targets:
                parent = self.targets.get(fline.target_model, {}).get(fline.target_field)
                if parent is not None:
                    targets[fline.target_field] = parent
        plan = _Plan(oline, targets)
        plan.id_field = mp._Builder._id_column(obj, {
            f.source_field: None for f in self.proposal.field_maps if f.source_object == obj})
        if oline.condition:
            named = CONDITIONS.get(oline.condition)
            if named is None:
                named = "always"
                self.notes.append(f"{obj} ({oline.role}): condition {oline.condition!r} is not "
                                  "known to the mapper: the role always applies")
            plan.condition = named
        for name, value in (oline.defaults or {}).items():
            self._compile_default(plan, name, value)
        aggregates = {}
        for fline in lines:
            if fline.target_model == REBUILD:
                continue
            if fline.skip or not fline.target_field:
                if plan.update and fline.transform == "binding" and not fline.target_field:
                    ref_args = fline.transform_args or {}
                    plan.target = (_getter(fline.source_field), fline.source_field,
                                   self._binding_factory(ref_args, None))
                continue
            if fline.transform in mp.AGGREGATE_TRANSFORMS and (
                    fline.transform_args.get("fields") or fline.transform_args.get("group_by")):
                aggregates.setdefault((fline.target_model, fline.target_field), []).append(fline)
                continue
            self._compile_line(plan, fline)
        for (_model, target), group in aggregates.items():
            self._compile_aggregate(plan, target, group)
        if oline.target_model == "res.partner" and oline.defaults.get("type", "contact") == \
                "contact" and "name" in plan.sources:
            plan.required = ("name",)  # SQL check_name: a contact needs a name
        if plan.update and plan.target is None:
            self._problem(f"{obj} ({oline.role}): update role without the binding line that "
                          "says which record receives the values")
        for target_name, fline in plan.flines.items():
            plan.policy[target_name] = mp.on_invalid_of(
                fline, plan.targets.get(target_name),
                required=True if target_name in plan.required else None)
        return plan

    def _compile_default(self, plan, name, value):
        model = plan.model
        target = plan.targets.get(name)
        if name in mp.ODOO_DEFAULTS.get(model, {}) and target is not None and \
                target.ttype == "many2one":
            self.notes.append(f"{plan.line.source_object} ({plan.line.role}): default "
                              f"{name}={value!r} left to Odoo ({mp.ODOO_DEFAULTS[model][name]})")
            return
        if target is None or target.ttype not in ("many2one", "many2many", "one2many"):
            plan.defaults[name] = value
            return
        kind = RELATION_KINDS.get(target.relation, "record")
        many = target.ttype != "many2one"
        key = value
        if many and isinstance(value, (list, tuple)):  # one name → the name itself
            key = value[0] if len(value) == 1 else tuple(value)
        if kind == "skill_level":
            skill_type = plan.line.defaults.get("skill_type_id")
            key = (skill_type, value)
        if kind == "model":
            plan.refs[name] = Ref("model", value, model="ir.model", many=many)
        else:
            plan.refs[name] = Ref(kind, key, model=target.relation, many=many)

    def _binding_factory(self, args, target):
        """A function source value → Ref for a ``binding`` line."""
        obj = args.get("object")
        role = args.get("role")
        model = args.get("model")
        fld = args.get("field")
        via, to = args.get("via"), args.get("to")
        key_is_name = bool(args.get("key"))
        if model and not role:
            role = self._role_for_model(obj, model)
        role = role or self._main.get(obj)
        bound_model = model or next((o.target_model for o in self._lines.get(obj, ())
                                     if o.role == role), None)
        source_side = bool(fld) and (bound_model in (None, REBUILD) or fld not in
                                     self.targets.get(bound_model, {}))
        user = obj in self._user_objects and model in (None, "res.users") and not source_side

        if source_side:
            def make(value):
                return Ref("source_field", str(value).strip(), source_object=obj, field=fld)
        elif user:
            def make(value):
                return Ref("user", str(value).strip(), source_object=obj, field=fld,
                           model="res.users")
        elif key_is_name:
            def make(value):
                return Ref("binding", "company:" + _norm(value), source_object=obj,
                           role=role, model=bound_model)
        else:
            def make(value):
                return Ref("binding", str(value).strip(), source_object=obj, role=role,
                           model=bound_model, field=fld, via=via, to=to)
        return make

    def _bind(self, name, args, where):
        try:
            return tr.bind(name, **args)
        except tr.TransformArgError as exc:
            self._problem(f"{where}: {exc.reason}")
            reason = exc.reason

            def broken(_value):
                raise _Fail(f"{reason} (map problem: every record fails on this line)",
                            map_problem=True)
            return broken

    def _compile_line(self, plan, fline):
        """One field line → a step ``(target, source field, func)``; func(record) gives
        the value, a Ref, or raises TransformError/_Fail."""
        obj, src, name = fline.source_object, fline.source_field, fline.transform
        target_name = fline.target_field
        target = plan.targets.get(target_name)
        ttype = target.ttype if target else None
        args = dict(fline.transform_args or {})
        get = _getter(src)
        where = f"{obj}.{src} → {fline.target_model}.{target_name}"
        known = self.source_fields.get(obj)
        if known is not None and src not in known and src.split(".")[0] not in known:
            reason = (f"source field {src!r} does not exist in {obj} (the source has "
                      f"{len(known)} fields): fix the map line")
            self._problem(f"{where}: {reason}")

            def missing(_record, reason=reason):
                raise _Fail(reason, map_problem=True)
            plan.steps.append((target_name, src, missing))
            plan.sources[target_name] = src
            plan.flines[target_name] = fline
            return
        func = None
        if name == "binding":
            make = self._binding_factory(args, target)
            required = target is not None and target.required
            is_user = make("0").kind == "user"

            def func(record, get=get, make=make):
                value = get(record)
                if _empty(value):
                    return Ref("user", None, model="res.users") if is_user and required \
                        else None
                return make(value)
        elif name == "user_by_email":
            email = tr.bind("email")

            def func(record, get=get, email=email):
                value = email(get(record))
                return Ref("user_email", value, model="res.users") if value else None
        elif name == "product":
            by = args.get("by", "name")
            trim = tr.bind("trim")

            def func(record, get=get, trim=trim, by=by):
                value = trim(get(record))
                return Ref("product", value, model="product.product", field=by) \
                    if value else None
        elif name == "file":
            def func(record, get=get, obj=obj, src=src):
                value = get(record)
                return Ref("file", str(value).strip(), source_object=obj, field=src,
                           record_id=_source_id(record, None)) \
                    if not _empty(value) else None
        elif name == "pick":
            func = self._pick(args, get, where)
        elif name == "split_list":
            plan.steps.append((target_name, src, self._split(args, get), "split"))
            plan.sources[target_name] = src
            plan.flines[target_name] = fline
            return
        elif name == "end_from_duration":
            func = self._end_from_duration(args, get, where)
        elif name == "selection_map" and args.get("value_map") == "stage":
            func = self._stage(fline, get)
        elif name in ("selection_map", "priority"):
            func = self._selection(fline, get, target, where)
        elif name == "boolean" and ({"true_values", "false_values", "default"} & set(args)):
            func = self._boolean(args, get)
        elif name == "state_code":
            func = self._state(args, get, ttype, where)
        elif name == "country_code":
            func = self._country(args, get, ttype, where)
        else:
            func = self._plain(name, args, get, ttype, where, fline)
        plan.steps.append((target_name, src, func))
        plan.sources[target_name] = src
        plan.flines[target_name] = fline

    def _plain(self, name, args, get, ttype, where, fline):
        extra = MAPPER_ARGS.get(name, set()) | MAPPER_ARGS["*"]
        targs = {k: v for k, v in args.items() if k not in extra}
        if name == "datetime_utc" and "tz" not in targs:
            targs["tz"] = self.default_tz
        if name == "date" and "tz" in args:
            tz = args["tz"]
            if isinstance(tz, str) and ("." in tz or tz == "user"):
                # a field of the record ('address.timezone') or the user's zone: records
                # that lack it use the default zone
                tz_get = _getter(tz) if tz != "user" else None
                default = self._bind("date", {"tz": self.default_tz}, where)
                cache = {}

                def date_func(record, get=get, tz_get=tz_get):
                    zone = tz_get(record) if tz_get else None
                    if not zone:
                        return default(get(record))
                    bound = cache.get(zone)
                    if bound is None:
                        try:
                            bound = cache[zone] = tr.bind("date", tz=zone)
                        except tr.TransformArgError:
                            bound = cache[zone] = default
                    return bound(get(record))
                return date_func
            targs["tz"] = tz
        if name == "trim" and ttype in ("text", "html") and "multiline" not in targs:
            targs["multiline"] = True
        if name == "join" and "separator" in args:
            targs["sep"] = args["separator"]
        bound = self._bind(name, targs, where)
        if name == "identity" and ttype in ("char", "text"):
            def func(record, get=get):
                value = get(record)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    return str(value)
                return value
            return func
        run = getattr(bound, "run", None)
        if run is None:  # a broken line
            return lambda record, get=get, bound=bound: bound(get(record))
        return _runner(run, get)

    def _compile_aggregate(self, plan, target_name, group):
        first = group[0]
        name = first.transform
        args = first.transform_args or {}
        plan.sources[target_name] = "+".join(f.source_field for f in group)
        plan.flines[target_name] = first
        label = plan.sources[target_name]
        where = f"{first.source_object}.{label} → {first.target_model}.{target_name}"
        if name == "json_dump":
            by = args.get("group_by")
            keys = [((f.transform_args or {}).get("key") or f.source_field,
                     _getter(f.source_field)) for f in group]
            if plan.group is not None:
                self._problem(f"{where}: two JSON aggregates in one role")
            plan.group = (target_name, _getter(by), by, keys)
            return
        fields_ = list(args.get("fields") or [f.source_field for f in group])
        getters = [_getter(f) for f in fields_]
        if name == "full_name":
            bound = self._bind("full_name", {k: v for k, v in args.items()
                                             if k in ("order",)}, where)

            def func(record):
                return bound(tuple(g(record) for g in getters[:2]))
        else:  # join
            bound = self._bind("join", {"sep": args.get("separator", args.get("sep", ", "))},
                               where)

            def func(record):
                return bound([g(record) for g in getters])
        plan.steps.append((target_name, label, func))
