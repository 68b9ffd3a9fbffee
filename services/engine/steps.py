"""Steps of the field lines the mapper builds itself (pick, split, stage, state…), the runner."""

from datetime import datetime, timedelta

from .. import transforms as tr
from .payload import _getter
from .shapes import Ref, _Fail, _Out
from .values import _empty, _norm, _sel_key

#: transforms are deterministic: short text values (statuses, codes, names) are memoised
#: per map line, at most MEMO_SIZE of them
MEMO_MAX_LEN = 48
MEMO_SIZE = 4096


class StepsMixin:
    """Builds the step function of one special field line (part of ``RecordMapper``)."""

    def _pick(self, args, get, where):
        where_ = {k: _norm(v) if isinstance(v, str) else v
                  for k, v in (args.get("where") or {}).items()}
        prefer = args.get("prefer") or {}
        key = args.get("value")
        then = args.get("then")
        after = self._bind(then, {}, where) if then else None

        def matches(item, cond):
            for k, v in cond.items():
                got = item.get(k)
                if isinstance(got, str):
                    got = _norm(got)
                if got != v:
                    return False
            return True

        def func(record, get=get):
            items = get(record)
            if _empty(items):
                return None
            if not isinstance(items, list):
                raise _Fail(f"expected a list of records to pick from, got a "
                            f"{type(items).__name__}")
            items = [i for i in items if isinstance(i, dict)]
            chosen = None
            if where_:
                chosen = next((i for i in items if matches(i, where_)), None)
            else:
                chosen = next((i for i in items if matches(i, prefer)), None) if prefer \
                    else None
                chosen = chosen or (items[0] if items else None)
            if chosen is None:
                return None
            value = chosen.get(key) if key else chosen
            if after is not None:
                return after(value)
            return value
        return func

    def _split(self, args, get):
        sep = args.get("separator") or args.get("sep") or ";"
        trim = tr.bind("trim")

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return []
            parts = value if isinstance(value, list) else str(value).split(sep)
            seen, out = set(), []
            for part in parts:
                text = trim(part) if part is not None else None
                if text and _norm(text) not in seen:
                    seen.add(_norm(text))
                    out.append(text)
            return out
        return func

    def _end_from_duration(self, args, get, where):
        start_get = _getter(args.get("start", "start"))
        unit = {"s": 1, "min": 60, "m": 60, "h": 3600}.get(args.get("unit", "s"))
        if unit is None:
            self._problem(f"{where}: end_from_duration unit must be s, min or h")
            unit = 1
        default = args.get("default")
        start_t = self._bind("datetime_utc", {"tz": self.default_tz}, where)
        number = tr.bind("number")

        def func(record, get=get):
            start = start_t(start_get(record))
            if start is None:
                return None
            warning = None
            try:
                duration = number(get(record))
            except tr.TransformError as exc:
                if default is None:
                    raise
                # the line says what an unknown duration is: its default, with a warning
                duration = None
                warning = (exc.value, f"{exc.reason} The line's default duration "
                                      f"({default} {args.get('unit', 's')}) was used instead")
            if duration is None:
                if default is None:
                    raise _Fail("no duration and no default duration in the map line")
                duration = default
            if duration < 0:
                raise _Fail(f"negative duration {duration}: correct the source",
                            value=duration)
            moment = datetime.strptime(start, "%Y-%m-%d %H:%M:%S") + timedelta(
                seconds=duration * unit)
            end = moment.strftime("%Y-%m-%d %H:%M:%S")
            return _Out(end, warning=warning) if warning else end
        return func

    def _stage(self, fline, get):
        table = {}
        for vline in self._values.get((fline.source_object, fline.source_field, "stage"), ()):
            table[_sel_key(vline.source_value)] = (vline.target_value, vline.lost)
        lost_words = {_sel_key(v) for v in fline.transform_args.get("lost") or ()}
        for raw, stage in (fline.transform_args.get("mapping") or {}).items():
            table.setdefault(_sel_key(raw), (stage, _sel_key(raw) in lost_words))
        shown = ", ".join(sorted({repr(v.source_value) for v in self._values.get(
            (fline.source_object, fline.source_field, "stage"), ())})) or "none"

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return None
            key = _sel_key(value) if isinstance(value, str) else _sel_key(str(value))
            found = table.get(key)
            if found is None:
                raise _Fail(f"status {value!r} is not in the stage value map (mapped values: "
                            f"{shown}): add it to the value map", value=value)
            stage, lost = found
            ref = Ref("stage", stage, model="crm.stage")
            return _Out(ref, lost=True) if lost else ref
        return func

    def _selection(self, fline, get, target, where):
        kind = "priority" if fline.transform == "priority" else "selection"
        mapping = dict(fline.transform_args.get("mapping") or {})
        for vline in self._values.get((fline.source_object, fline.source_field, kind), ()):
            mapping[vline.source_value] = vline.target_value
        if kind == "priority":
            bound = self._bind("priority", {"mapping": mapping,
                                            "default": fline.transform_args.get("default")},
                               where)
        else:
            if not mapping:
                self._problem(f"{where}: selection_map without any value line")
                mapping = {"\x00": "\x00"}
            try:
                bound = tr.bind("selection_map", mapping=mapping,
                                default=fline.transform_args.get("default"))
            except tr.TransformArgError:  # two spellings → two keys: keep the value lines
                table = {}
                for source, value in mapping.items():
                    table.setdefault(_sel_key(source), value)
                bound = tr.bind("selection_map", mapping=table)
        return _runner(bound.run, get)

    def _boolean(self, args, get):
        trues = {_norm(v) for v in args.get("true_values") or ()}
        falses = {_norm(v) for v in args.get("false_values") or ()}
        has_default = "default" in args
        default = args.get("default")
        plain = tr.bind("boolean")

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return default if has_default else None
            key = _norm(value)
            if key in trues:
                return True
            if key in falses:
                return False
            try:
                return plain(value)
            except tr.TransformError:
                if has_default and not trues and not falses:
                    return default
                allowed = sorted(trues | falses)
                raise _Fail(f"{value!r} is none of the values this map line knows ("
                            + ", ".join(allowed) + "): add it to true_values or "
                            "false_values", value=value) from None
        return func

    def _state(self, args, get, ttype, where):
        country_get = _getter(args["country_field"]) if args.get("country_field") else None
        countries = tuple(args.get("countries") or ())
        country_t = tr.bind("country_code")
        cache = {}

        def state_of(value, country):
            bound = cache.get(country)
            if bound is None:
                bound = cache[country] = tr.bind("state_code", country=country)
            return bound(value)

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return None
            country = None
            if country_get is not None:
                raw = country_get(record)
                if not _empty(raw):
                    try:
                        country = country_t(raw)
                    except tr.TransformError:
                        country = None  # the country line reports it
            if country is None and countries:
                for code in countries:
                    try:
                        pair = state_of(value, code)
                        break
                    except tr.TransformError:
                        continue
                else:
                    raise _Fail(f"{value!r} is not a state or province of "
                                + "/".join(countries) + ": correct the source (two-letter "
                                "code or full name)", value=value)
            else:
                pair = state_of(value, country)
            if pair is None or pair == (None, None):
                return None
            return Ref("state", tuple(pair), model="res.country.state") \
                if ttype in ("many2one", None) else pair[1]
        return func

    def _country(self, args, get, ttype, where):
        from_state = bool(args.get("from_state"))
        countries = tuple(args.get("countries") or ("US", "CA"))
        country_t = tr.bind("country_code")
        states = {c: tr.bind("state_code", country=c) for c in countries} if from_state \
            else {}

        def func(record, get=get):
            value = get(record)
            if _empty(value):
                return None
            if from_state:
                code = None
                for bound in states.values():
                    try:
                        code = bound(value)[0]
                        break
                    except tr.TransformError:
                        continue
                if code is None:
                    raise _Fail(f"no country can be inferred from the state {value!r} (not a "
                                "state of " + "/".join(countries) + "): correct the source",
                                value=value)
            else:
                code = country_t(value)
            return Ref("country", code, model="res.country") if ttype in ("many2one", None) \
                else code
        return func


def _runner(run, get):
    """A step calling a bound transform; notes come back in an :class:`_Out`. Empty values
    (None, "") skip the call: no transform the mapper binds this way handles them."""
    memo = {}

    def func(record):
        value = get(record)
        if value is None or value == "":
            return None
        if type(value) is str and len(value) <= MEMO_MAX_LEN:
            found = memo.get(value, memo)
            if found is not memo:
                return found
            result = run(value)
            out = _Out(result.value, result.notes) if result.notes else result.value
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[value] = out
            return out
        result = run(value)
        if result.notes:
            return _Out(result.value, result.notes)
        return result.value
    return func
