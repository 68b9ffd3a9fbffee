"""Which server folders an FST export bundle may be read from (the import folders).

A bundle path names a file on the Odoo server, and the layout step shows sample rows of
whatever it reads: a path outside the configured import folders (after ``realpath``,
symlinks resolved, so a link inside a folder that points out of it is outside) is
refused for every user. The folders come from the system parameter
``field_service_migration.import_folders`` (absolute paths, comma separated).
"""

import os

from .errors import SourceConfigError

PARAM_IMPORT_FOLDERS = "field_service_migration.import_folders"


def parse_import_folders(value, default):
    """The absolute folders of the parameter's ``value`` (``default`` when empty);
    relative entries are dropped (they would depend on the server's working folder)."""
    folders = [p.strip() for p in (value or "").split(",") if p.strip()]
    folders = [os.path.realpath(p) for p in folders if os.path.isabs(p)]
    return folders or [os.path.realpath(default)]


def check_bundle_path(path, folders):
    """``path`` resolved (symlinks followed) if it lies inside one of ``folders``;
    raises :class:`SourceConfigError` naming the parameter otherwise."""
    if not path or not str(path).strip():
        raise SourceConfigError("Enter the path of the FST export bundle (folder or zip).")
    real = os.path.realpath(os.path.expanduser(str(path).strip()))
    for folder in folders:
        root = os.path.realpath(folder)
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return real
    raise SourceConfigError(
        f"The bundle path {path} is outside the import folders ({', '.join(folders)}). "
        f"Put the export in one of them, or ask an administrator to add its folder to the "
        f"system parameter {PARAM_IMPORT_FOLDERS} (absolute folders, comma separated).")
