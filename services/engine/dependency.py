"""The order source objects run in: ``depends_on`` first, then the object lines' order."""


def dependency_order(proposal):
    """Source objects in the order they must run: ``depends_on`` first, then the object
    lines' ``order`` (DESIGN.md's numbering), then the name. A cycle → ``ValueError``."""
    rank, deps = {}, {}
    for line in proposal.object_maps:
        if line.skip:
            continue
        obj = line.source_object
        rank[obj] = min(rank.get(obj, line.order), line.order)
        deps.setdefault(obj, set()).update(d for d in line.depends_on if d != obj)
    for obj in deps:
        deps[obj] &= set(rank)  # a dependency on an object the source lacks is moot
    done, order = set(), []
    while len(done) < len(rank):
        ready = [o for o in rank if o not in done and deps[o] <= done]
        if not ready:
            stuck = sorted(o for o in rank if o not in done)
            raise ValueError("the object map has a dependency cycle between "
                             + ", ".join(f"{o} (needs {', '.join(sorted(deps[o] - done))})"
                                         for o in stuck)
                             + ": remove one of these depends_on")
        best = min(ready, key=lambda o: (rank[o], o))
        order.append(best)
        done.add(best)
    return order
