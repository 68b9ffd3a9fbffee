"""The foreign-shape generator (emulators.fst_shapes): deterministic, readable by plain
csv/openpyxl, and its truth consistent with the files it wrote and with fst_data."""

import csv
import io
import json
import zipfile
from collections import Counter

import pytest
from openpyxl import load_workbook

from emulators.fst_data import generate
from emulators.fst_shapes import (
    FIXED_SHAPES,
    NUMBER_COLUMNS,
    draw_shape,
    fixed_shape,
    main,
    make_shape,
    norm,
    shape_files,
)
from services.fst_bundle import OBJECTS_BY_NAME

SEEDS = range(24)


_READ = {}


def read_table(files, table):
    """``(header, rows)`` of a truth table, read back with csv or openpyxl only."""
    key = (id(files), table["path"], table.get("sheet"))
    if key not in _READ:
        _READ[key] = (files, _read_table(files, table))  # files kept: ids stay unique
    return _READ[key][1]


def _read_table(files, table):
    content = files[table["path"]]
    if table["kind"] == "xlsx":
        book = load_workbook(io.BytesIO(content), read_only=True)
        values = [["" if v is None else str(v) for v in row]
                  for row in book[table["sheet"]].iter_rows(values_only=True)]
        book.close()
    else:
        text = content.decode(table["encoding"])
        values = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""),
                                 delimiter=table["delimiter"]))
    return values[0], [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.fixture(scope="module")
def shapes():
    return {seed: shape_files(0.3, seed % 4, draw_shape(seed)) for seed in SEEDS}


def test_same_seeds_same_bytes():
    for seed in (0, 3, 7):
        shape = draw_shape(seed)
        assert shape_files(0.3, 1, shape) == shape_files(0.3, 1, draw_shape(seed))
    assert shape_files(0.3, 1, draw_shape(1))[0] != shape_files(0.3, 1, draw_shape(2))[0]


def test_every_table_reads_back_with_its_truth(shapes):
    for seed, (files, truth) in shapes.items():
        for table in truth["tables"]:
            assert table["path"] in files, (seed, table["path"])
            if table["object"] is None:
                continue
            header, rows = read_table(files, table)
            assert header == [c["name"] for c in table["columns"]], (seed, table["path"])
            assert len(header) == len({norm(h) for h in header}), (seed, header)
            assert len(rows) == table["rows"], (seed, table["path"])
            key = [c["name"] for c in table["columns"] if c["role"] == "key"]
            assert len(key) == 1, (seed, table["path"])
            keys = [row[key[0]] for row in rows]
            assert all(keys) and len(set(keys)) == len(keys), (seed, table["path"])


def test_counts_match_the_data(shapes):
    for seed, (files, truth) in shapes.items():
        counts = generate(0.3, seed % 4).truth()["counts"]
        found = Counter()
        for table in truth["tables"]:
            if table["object"]:
                found[table["object"]] += table["rows"]
        attachments = truth["attachments"]
        if attachments["mode"] == "folders":
            found["attachments"] = sum(len(p) for p in attachments["files"].values())
            assert all(p in files for paths in attachments["files"].values()
                       for p in paths)
        else:
            manifest = next(t for t in truth["tables"] if t["object"] == "attachments")
            _, rows = read_table(files, manifest)
            path = next(c["name"] for c in manifest["columns"] if c["field"] == "path")
            assert all(f"{attachments['folder']}/{r[path]}" in files for r in rows)
        assert dict(found) == {k: v for k, v in counts.items() if v}, seed


def _target_index(files, truth, target, kind, order):
    """``norm(key text)`` → the target's record keys, recomputed from its file."""
    table = next(t for t in truth["tables"] if t["object"] == target)
    _, rows = read_table(files, table)
    by_field = {c["field"]: c["name"] for c in table["columns"]}
    key = next(c["name"] for c in table["columns"] if c["role"] == "key")
    index = {}
    for row in rows:
        if kind == "id":
            text = row[by_field[OBJECTS_BY_NAME[target].id_column]]
        elif kind == "number":
            text = row[by_field[NUMBER_COLUMNS[target]]]
        elif kind in ("name", "email"):
            text = row[by_field[kind]]
        else:
            first, last = (" ".join(row[by_field[c]].split())
                           for c in ("first_name", "last_name"))
            text = f"{last}, {first}" if order == "last_first" else f"{first} {last}"
        if norm(text):
            index.setdefault(norm(text), set()).add(row[key])
    return index


def test_link_truth_follows_from_the_files(shapes):
    """Each written link value names, in the target's own file, exactly the record the
    truth expects; two or more when it says ambiguous; none when it says not found."""
    kinds, ambiguous = Counter(), 0
    for seed, (files, truth) in shapes.items():
        for table in truth["tables"]:
            links = [c for c in table["columns"] if c["role"] == "link"]
            if not links:
                continue
            _, rows = read_table(files, table)
            key = next(c["name"] for c in table["columns"] if c["role"] == "key")
            for link in links:
                kinds[link["link_key"]] += 1
                index = _target_index(files, truth, link["link_object"], link["link_key"],
                                      link.get("name_order"))
                for row in rows:
                    value, expected = row[link["name"]], link["expected"][row[key]]
                    found = index.get(norm(value), set())
                    where = (seed, table["path"], link["name"], value)
                    if expected is None:
                        assert not value.strip(), where
                    elif expected == "ambiguous":
                        assert len(found) > 1 and value in link["ambiguous"], where
                        ambiguous += 1
                    elif expected == "not_found":
                        assert not found and value in link["not_found"], where
                    else:
                        assert found == {expected}, where
    assert set(kinds) == {"id", "number", "name", "full_name", "email"}
    assert ambiguous > 0


def test_shapes_vary_as_the_issue_asks():
    drawn = [draw_shape(seed) for seed in range(60)]
    seen = {name: {getattr(s, name) for s in drawn}
            for name in ("format", "encoding", "delimiter", "date_order", "clock", "decimal",
                         "attachments", "label_style", "file_style", "native_dates")}
    assert {"csv", "xlsx"} <= seen["format"]
    assert {"utf-8", "utf-8-sig", "cp1252", "utf-16"} <= seen["encoding"]
    assert {",", ";", "\t"} <= seen["delimiter"]
    assert seen["date_order"] == {"dmy", "mdy", "ymd"} and seen["clock"] == {"12", "24"}
    assert seen["decimal"] == {".", ","} and seen["attachments"] == {"manifest", "folders"}
    assert len(seen["label_style"]) >= 5 and seen["native_dates"] == {True, False}
    assert any(s.keys["customers"] == "number" for s in drawn)
    assert any(s.keys["work_orders"] == "number" for s in drawn)
    assert any(s.workbook for s in drawn) and any(s.format == "xlsx" and not s.workbook
                                                  for s in drawn)
    assert {"README.txt", "logo.png"} <= {e for s in drawn for e in s.extras}
    assert any(s.dropped.get("customers") for s in drawn)


def test_values_follow_the_conventions(shapes):
    for seed, (files, truth) in shapes.items():
        conv_shape = truth["shape"]
        orders = next(t for t in truth["tables"] if t["object"] == "work_orders")
        _, rows = read_table(files, orders)
        updated = next(c["name"] for c in orders["columns"] if c["role"] == "updated")
        sample = rows[0][updated]
        if conv_shape["format"] == "xlsx" and conv_shape["native_dates"]:
            assert sample[:4].isdigit() and sample[4] == "-", (seed, sample)
        elif conv_shape["date_order"] == "ymd":
            assert sample[4] == "-", (seed, sample)
        else:
            assert sample[2] == "/" and sample[5] == "/", (seed, sample)
        assert sample.endswith(("AM", "PM")) == (orders["conventions"]["clock"] == "12")


def test_fixed_shapes_are_what_they_say(tmp_path):
    for name in FIXED_SHAPES:
        truth = make_shape(tmp_path / name, 0.3, 0, fixed=name)
        assert truth["name"] == name
        assert not (tmp_path / name / f"{name}.truth.json").exists()
        assert json.loads((tmp_path / f"{name}.truth.json").read_text())["name"] == name
    office, legacy, folders = (fixed_shape(n) for n in FIXED_SHAPES)
    assert office.format == "xlsx" and office.workbook and office.clock == "12"
    assert office.links["work_orders.customer_id"] == "number"
    assert legacy.encoding == "cp1252" and legacy.delimiter == ";" and legacy.decimal == ","
    assert legacy.links["work_orders.customer_id"] == "full_name"
    assert legacy.links["appointments.technician_id"] == "email"
    assert folders.encoding == "utf-16" and folders.attachments == "folders"
    assert folders.keys == {"customers": "number", "work_orders": "number"}


def test_cli_writes_a_zip_and_its_truth_beside_it(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "export"), "--zip", "--scale", "0.3",
                 "--seed", "2", "--shape-seed", "5"]) == 0
    assert "truth in" in capsys.readouterr().out
    truth = json.loads((tmp_path / "export.truth.json").read_text())
    files, _ = shape_files(0.3, 2, draw_shape(5))
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        assert sorted(archive.namelist()) == sorted(files)
        assert all(archive.read(p) == files[p] for p in files)
    assert [t["path"] for t in truth["tables"]] == \
        [t["path"] for t in shape_files(0.3, 2, draw_shape(5))[1]["tables"]]
