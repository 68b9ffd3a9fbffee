"""The import folders: a bundle path outside them, or a symlink escaping them, is refused."""

import os

import pytest

from services.errors import SourceConfigError
from services.path_policy import PARAM_IMPORT_FOLDERS, check_bundle_path, parse_import_folders


def test_inside_is_accepted_and_resolved(tmp_path):
    (tmp_path / "in" / "bundle").mkdir(parents=True)
    path = tmp_path / "in" / "bundle"
    assert check_bundle_path(str(path), [str(tmp_path / "in")]) == os.path.realpath(path)


def test_outside_and_prefix_sibling_are_refused(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "inside_not").mkdir()
    for path in ("/etc", "/etc/passwd", str(tmp_path / "inside_not"),
                 str(tmp_path / "in" / ".." / "inside_not")):
        with pytest.raises(SourceConfigError, match=PARAM_IMPORT_FOLDERS):
            check_bundle_path(path, [str(tmp_path / "in")])


def test_symlink_escaping_the_folder_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link").symlink_to("/etc")
    with pytest.raises(SourceConfigError, match="outside the import folders"):
        check_bundle_path(str(tmp_path / "in" / "link"), [str(tmp_path / "in")])


def test_empty_path_and_folders():
    with pytest.raises(SourceConfigError, match="Enter the path"):
        check_bundle_path(" ", ["/srv"])
    assert parse_import_folders("", "/data/fsm_imports") == ["/data/fsm_imports"]
    assert parse_import_folders(" /a , relative, /b/ ", "/d") == ["/a", "/b"]
