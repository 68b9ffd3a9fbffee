"""Discovery's source layout for every source kind: a bundle's files and sheets, a REST
API's endpoints, Dispatch's documented objects.

:func:`propose_source_layout` ``(settings, source=None)`` (``settings`` as
``source_factory.build_source`` takes them) gives the proposed
:class:`~.model.SourceLayout`:

* ``fst_bundle``: the bundle's tables (``readers.open_tables``) through
  :func:`~.propose.propose_layout` (the built-in layout is the known profile
  ``fst_bundle``, confidence 1);
* ``fst_rest``: the API's endpoints (:class:`~.rest_tables.RestTables`). When every
  endpoint that sends records sends the adapter's own field names (FST_BUNDLE.md's
  columns, ``cf_`` custom fields), the layout is the known profile ``fst_rest`` with
  confidence 1: the adapter reads the objects itself, as before layouts existed, and the
  project confirms it at once. Otherwise the endpoints go through the proposer: a
  ``custom`` layout to review and confirm (``CustomerNo``, ``WorkOrderNumber`` …), read
  through :class:`~.source.LayoutSource`; the built-in columns under other spellings
  (``CustomerId``) give the profile :data:`REST_SPELLED`, also read through the layout;
* ``dispatch``: ``SourceLayout(profile="dispatch")`` (its objects are documented).

``source``: an already built source of ``settings`` (an ``FstRestSource``) to read the
endpoints with; it is left open. Without it the source is built from ``settings`` (its
``layout`` ignored: discovery reads the API itself) and closed.
"""

from ..errors import SourceConfigError
from ..fst_bundle import OBJECTS_BY_NAME
from .model import CANONICAL, SourceLayout, known_fst_profile
from .propose import SAMPLE_SHOWN, propose_layout
from .rest_tables import RestTables

#: the profile of the REST adapter's own field names (read by the adapter itself)
REST_PROFILE = "fst_rest"
#: the built-in columns spelled otherwise over REST (read through the layout)
REST_SPELLED = "fst_rest_spelled"


def propose_source_layout(settings, source=None):
    """The proposed :class:`SourceLayout` of the source ``settings`` describe."""
    kind = settings.get("kind")
    if kind == "dispatch":
        return SourceLayout(profile="dispatch")
    if kind == "fst_bundle":
        return _bundle_layout(settings)
    if kind == "fst_rest":
        if source is not None:
            return propose_rest_layout(RestTables(source))
        from ..source_factory import build_source

        raw = RestTables(build_source({**settings, "layout": None}))
        try:
            return propose_rest_layout(raw)
        finally:
            raw.close()
    raise SourceConfigError(f"Unknown source kind {kind!r}.")


def _bundle_layout(settings):
    from .readers import open_tables

    if not settings.get("bundle_path"):
        raise SourceConfigError("Enter the path of the FST export bundle (folder or zip).")
    raw = open_tables(settings["bundle_path"])
    try:
        return propose_layout(raw)
    finally:
        raw.close()


def propose_rest_layout(raw):
    """The layout of a REST source's tables (:class:`RestTables`): the known profile
    ``fst_rest`` when its JSON is the adapter's, else the proposer's."""
    known = known_rest_profile(raw.tables(), getattr(raw, "samples", {}))
    if known is not None:
        return known
    layout = propose_layout(raw)
    if layout.profile == "fst_bundle":
        layout.profile = REST_SPELLED
        layout.attachments.reason = ("the FST layout under other spellings of its field "
                                     "names; attachments through the attachments endpoint")
    return layout


def rest_fits(info):
    """Whether the endpoint's fields are the adapter's own for its object (exact names,
    the object's required fields among them); True for an endpoint sending nothing and
    for one that is no FST object (the adapter reads it as it is)."""
    spec = OBJECTS_BY_NAME.get(info.path)
    if spec is None or info.status != "read":
        return True  # an object of the adapter's own, or one sending nothing to check
    have = set(info.header)
    allowed = set(spec.columns)
    return set(spec.required) <= have and all(
        h in allowed or h.startswith("cf_") for h in have)


def known_rest_profile(infos, samples=None):
    """The built-in layout over REST (profile ``fst_rest``, every choice at confidence
    1, one table per FST object, ``path`` = the object), or None when an endpoint sends
    other fields. Endpoints that are not readable or send nothing keep their status;
    objects without an endpoint are listed as such; the adapter reads them all itself."""
    infos = list(infos)
    if not all(rest_fits(info) for info in infos):
        return None
    by_object = {info.path: info for info in infos}
    layout = known_fst_profile(tables={name: name for name in CANONICAL})
    layout.profile = REST_PROFILE
    layout.attachments.reason = "the FST REST adapter's attachments endpoint"
    for table in layout.tables:
        info = by_object.get(table.object)
        table.reason = "the FST REST adapter's endpoint for the object"
        if info is None:
            table.status = "no endpoint configured"
            continue
        table.status, table.rows = info.status, info.rows
        table.sample = [{k: v[:80] for k, v in row.items()}
                        for row in (samples or {}).get(table.object, [])[:SAMPLE_SHOWN]]
    return layout
