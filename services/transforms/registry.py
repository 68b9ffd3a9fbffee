"""The transform registry: ``TRANSFORMS``, registration, binding, running and chaining.

Every family module registers its transforms here with ``@_register`` when it is
imported; ``services/transforms/__init__.py`` imports them all.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .base import TransformArgError, TransformError, TransformResult, _is_empty, _q

OUTPUT_TYPES = ("char", "text", "html", "integer", "float", "boolean", "date", "datetime",
                "selection", "json")


class _Ctx:
    """Per-call collector of notes and images."""

    __slots__ = ("images", "notes")

    def __init__(self):
        self.notes = []
        self.images = []


@dataclass(frozen=True)
class Transform:
    """A registered transform.

    ``func(value, ctx, **args)``; ``prepare(**args) -> args`` checks and pre-computes the
    arguments once (raises :class:`TransformArgError`). ``inputs``/``outputs`` are 2 for
    transforms that take or give a pair (``full_name``, ``split_name``…).
    """

    name: str
    func: Callable
    description: str
    arg_names: tuple = ()
    output_type: str = "char"
    defaults: dict = field(default_factory=dict)
    required: tuple = ()
    prepare: Callable | None = None
    handles_empty: bool = False
    inputs: int = 1
    outputs: int = 1


TRANSFORMS: dict[str, Transform] = {}


def _register(name, output_type, description, *, args=(), defaults=None, required=(),
              prepare=None, handles_empty=False, inputs=1, outputs=1):
    assert output_type in OUTPUT_TYPES, output_type

    def deco(func):
        TRANSFORMS[name] = Transform(
            name=name, func=func, description=description, arg_names=tuple(args),
            output_type=output_type, defaults=dict(defaults or {}), required=tuple(required),
            prepare=prepare, handles_empty=handles_empty, inputs=inputs, outputs=outputs)
        return func
    return deco


class BoundTransform:
    """A transform with its arguments checked and prepared (see :func:`bind`)."""

    __slots__ = ("args", "transform")

    def __init__(self, transform, args):
        self.transform = transform
        self.args = args

    def __call__(self, value):
        return self.run(value).value

    def run(self, value):
        t = self.transform
        ctx = _Ctx()
        if not t.handles_empty and _is_empty(value):
            out = (None, None) if t.outputs == 2 else None
        else:
            try:
                out = t.func(value, ctx, **self.args)
            except TransformError as exc:
                if exc.transform is None:
                    exc.transform = t.name
                if exc.value is None:
                    exc.value = value
                raise
            except Exception as exc:  # safety net: never lose a record to a bug here
                raise TransformError(
                    f"Internal error in transform '{t.name}' ({type(exc).__name__}: {exc}) "
                    f"on the value {_q(value)}. The record is reported, not written; "
                    "please report this to the module's maintainers.",
                    value=value, transform=t.name, internal=True) from exc
        return TransformResult(out, tuple(ctx.notes), tuple(ctx.images))


class BoundChain:
    """Several bound transforms applied in order (see :func:`chain`)."""

    __slots__ = ("steps",)

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, value):
        return self.run(value).value

    def run(self, value):
        notes, images = [], []
        for step in self.steps:
            result = step.run(value)
            value = result.value
            notes += result.notes
            images += result.images
        return TransformResult(value, tuple(notes), tuple(images))


_BIND_CACHE = {}


def _freeze(obj):
    if isinstance(obj, dict):
        return ("__dict__", tuple(sorted(((repr(k), k, _freeze(v)) for k, v in obj.items()),
                                         key=lambda kv: kv[0])))
    if isinstance(obj, (list, tuple)):
        return ("__seq__", tuple(_freeze(v) for v in obj))
    if isinstance(obj, (set, frozenset)):
        return ("__set__", tuple(sorted(repr(v) for v in obj)))
    hash(obj)
    return (type(obj).__name__, obj)


def bind(name, /, **args):
    """Check ``args`` for the transform ``name`` and return a :class:`BoundTransform`.

    Raises :class:`TransformArgError` for an unknown transform, an unknown or missing
    argument or an invalid argument value.
    """
    try:
        key = (name, _freeze(args))
    except TypeError:
        key = None
    if key is not None:
        bound = _BIND_CACHE.get(key)
        if bound is not None:
            return bound
    t = TRANSFORMS.get(name)
    if t is None:
        raise TransformArgError(
            f"Unknown transform '{name}'. Use one of: {', '.join(sorted(TRANSFORMS))}.",
            transform=name)
    unknown = sorted(set(args) - set(t.arg_names))
    if unknown:
        allowed = ", ".join(t.arg_names) or "none"
        raise TransformArgError(
            f"Transform '{name}' has no argument {', '.join(unknown)} (its arguments: "
            f"{allowed}). Fix the map line.", transform=name)
    missing = [a for a in t.required if args.get(a) is None]
    if missing:
        raise TransformArgError(
            f"Transform '{name}' needs the argument {', '.join(missing)}. Fix the map line.",
            transform=name)
    full = {**t.defaults, **args}
    if t.prepare is not None:
        try:
            full = t.prepare(**full)
        except TransformError as exc:
            exc.transform = name
            raise
        except Exception as exc:
            raise TransformArgError(
                f"Invalid arguments for transform '{name}' ({type(exc).__name__}: {exc}). "
                "Fix the map line.", transform=name) from exc
    bound = BoundTransform(t, full)
    if key is not None:
        if len(_BIND_CACHE) > 2048:
            _BIND_CACHE.clear()
        _BIND_CACHE[key] = bound
    return bound


def apply(name, value, /, **args):
    """Run the transform ``name`` on ``value``; return the new value.

    Raises :class:`TransformError` (value rejected) or :class:`TransformArgError` (bad
    arguments). Use :func:`run` to also get the notes saying a value was altered.
    """
    return bind(name, **args).run(value).value


def run(name, value, /, **args):
    """Like :func:`apply`, returning a :class:`TransformResult` (value, notes, images)."""
    return bind(name, **args).run(value)


def chain(steps):
    """Bind ``steps`` — names, or ``(name, {args})`` pairs — into one :class:`BoundChain`."""
    bound = []
    for step in steps:
        if isinstance(step, str):
            bound.append(bind(step))
        else:
            name, args = step
            bound.append(bind(name, **(args or {})))
    return BoundChain(bound)


def describe():
    """The transforms for the UI: ``name, description, args, output_type`` and details."""
    return [
        {
            "name": t.name,
            "description": t.description,
            "args": list(t.arg_names),
            "arg_defaults": {k: v for k, v in t.defaults.items() if k in t.arg_names},
            "required_args": list(t.required),
            "output_type": t.output_type,
            "inputs": t.inputs,
            "outputs": t.outputs,
            "handles_empty": t.handles_empty,
        }
        for t in sorted(TRANSFORMS.values(), key=lambda t: t.name)
    ]
