"""Where the attachments of a source are: a manifest table, a column of relative paths
that are files of the source, or folders named by record keys (``Photos/WO-1043/a.jpg``)."""

from .columns import singular, target_columns
from .model import AttachmentLayout
from .sketches import folder_overlap, normalise


def propose_attachments(raw, scans, layouts, assigned):
    """The :class:`AttachmentLayout`: a manifest table, else a column of relative paths,
    else folders named by record keys, else none."""
    try:
        files = [p.replace("\\", "/") for p in (raw.files() or ())]
    except NotImplementedError:  # a REST source has no member files
        files = []
    manifest = assigned.get("attachments")
    if manifest is not None:
        return _manifest(manifest, layouts[id(manifest)], files)
    column = _path_column(scans, layouts, files)
    if column is not None:
        return column
    return _folders(files, assigned, layouts)


def _manifest(scan, layout, files):
    path_col = next((c.name for c in layout.columns if c.field == "path"), None)
    folder = ""
    if path_col and files:
        values = [str(r.get(path_col) or "").strip().replace("\\", "/") for r in scan.rows]
        values = [v for v in values if v][:200]
        folder = _common_folder(values, files)
    return AttachmentLayout("manifest", folder, "work_orders", "id", 0.9 if path_col else 0.6,
                            f"'{scan.label}' lists the attachments"
                            + (f"; its '{path_col}' paths are under '{folder or '.'}'"
                               if path_col else "; no column of paths found") + ".")


def _common_folder(values, files):
    present = set(files)
    best, best_hits = "", 0
    prefixes = {""} | {p.split("/", 1)[0] for p in files if "/" in p}
    for prefix in sorted(prefixes):
        hits = sum((f"{prefix}/{v}" if prefix else v) in present for v in values)
        if hits > best_hits:
            best, best_hits = prefix, hits
    return best


def _path_column(scans, layouts, files):
    if not files:
        return None
    present = set(files)
    for scan in scans:
        layout = layouts[id(scan)]
        if not layout.object:
            continue
        for col in layout.columns:
            stats = scan.stats.get(col.name)
            if stats is None or stats.kind != "path":
                continue
            values = [str(r.get(col.name) or "").strip().replace("\\", "/")
                      for r in scan.rows]
            values = [v for v in values if v][:200]
            folder = _common_folder(values, files)
            hits = sum((f"{folder}/{v}" if folder else v) in present for v in values)
            if values and hits / len(values) >= 0.8:
                col.role, col.field, col.custom_type = "attachment_path", None, None
                col.confidence = 0.9
                col.reason = (f"{hits} of {len(values)} values of '{col.name}' in "
                              f"'{scan.label}' are files of the source.")
                return AttachmentLayout("column", folder, layout.object, "id", 0.9,
                                        col.reason)
    return None


def _folders(files, assigned, layouts):
    """Folders named by record keys: ``Photos/WO-1043/img1.jpg``."""
    groups = {}
    for path in files:
        parts = path.split("/")
        if len(parts) < 2:
            continue
        parent, name = "/".join(parts[:-2]), parts[-2]
        groups.setdefault(parent, set()).add(normalise(name))
    best = None
    for parent, names in groups.items():
        for obj, scan in assigned.items():
            for kind, label, sketch in target_columns(scan, layouts[id(scan)]):
                share, checked = folder_overlap(names, sketch)
                if checked and share >= 0.8 and (best is None or share > best[0]):
                    best = (share, parent, obj, kind, label, scan, len(names))
    if best is None:
        return AttachmentLayout("none", "", "work_orders", "id", 0.8 if not files else 0.4,
                                "no attachment manifest, no folders named by record keys and "
                                "no column of file paths found.")
    share, parent, obj, kind, label, scan, count = best
    return AttachmentLayout(
        "folders", parent, obj, kind, round(0.5 + 0.45 * share, 2),
        f"{share:.0%} of the {count} folders under '{parent or '.'}' are named by values of "
        f"{label} in '{scan.label}': each holds the files of that {singular(obj)}.")
