"""Which source records make a representative sample.

A sample starts from the records that become opportunities (work orders, jobs) and pulls
in what they depend on (their customer, site, technician …, and those records' own
parents) and what depends on them or on their parents (line items, appointments, notes,
attachments, the customer's contacts), so that every sampled record can be written
without a missing parent. The links come from the map's ``binding`` field lines.
"""

from collections import defaultdict

from .engine import dependency_order


def links_of(proposal):
    """``{child object: [(source field, parent object)]}`` from the binding lines (skipped
    ones too: a line item's work order is a link even when its id is not written)."""
    links = defaultdict(set)
    for line in proposal.field_maps:
        parent = (line.transform_args or {}).get("object")
        if line.transform != "binding" or not parent:
            continue
        if parent != line.source_object:
            links[line.source_object].add((line.source_field.split(".")[0], parent))
    return {obj: sorted(pairs) for obj, pairs in links.items()}


def anchor_object(proposal):
    """The object whose records become opportunities (the sample is spread over them)."""
    for line in proposal.object_maps:
        if line.role == "lead" and not line.skip:
            return line.source_object
    return dependency_order(proposal)[-1]


def select_sample(proposal, fetch, size=300):
    """``{object: set of source ids}`` for about ``size`` anchor-centred records.

    ``fetch(obj)`` iterates the source records of ``obj`` (called at most twice per
    object). A quarter of ``size`` anchors are taken, spread over the first ``4 × size``
    anchor records (every n-th), then their parents and children.
    """
    order = dependency_order(proposal)
    links = links_of(proposal)
    anchor = anchor_object(proposal)
    selected = defaultdict(set)
    want = max(1, size // 4)
    candidates = []
    for record in fetch(anchor):
        candidates.append(record)
        if len(candidates) >= want * 4:
            break
    step = max(1, len(candidates) // want)
    chosen = candidates[::step][:want]

    def add(obj, record):
        """Select ``record`` and its parents; True when something new was selected."""
        before = sum(len(ids) for ids in selected.values())
        selected[obj].add(str(record.get("id")))
        for field, parent in links.get(obj, []):
            value = record.get(field)
            if value not in (None, ""):
                selected[parent].add(str(value))
        return sum(len(ids) for ids in selected.values()) > before

    for record in chosen:
        add(anchor, record)
    # until nothing changes: selected records bring their parents (a site its customer),
    # and records linked to anything selected come in (the customer's contacts, the
    # job's appointments); each pass reads every object once
    for _pass in range(4):
        changed = False
        for obj in order:
            for record in fetch(obj):
                rid = str(record.get("id"))
                # more anchors only come as parents (an invoice's work order), not as
                # children of a selected customer: the sample keeps its size
                links_of_obj = links.get(obj, [])
                linked = obj != anchor and any(
                    str(record.get(field)) in selected.get(parent, ())
                    for field, parent in links_of_obj) and not any(
                    # a record of an anchor that is not in the sample stays out (an invoice
                    # of the customer's other work order would pull that one in)
                    parent == anchor and record.get(field) not in (None, "")
                    and str(record.get(field)) not in selected[anchor]
                    for field, parent in links_of_obj)
                if (rid in selected.get(obj, ()) or linked) and add(obj, record):
                    changed = True
        if not changed:
            break
    return {obj: ids for obj, ids in selected.items() if ids}
