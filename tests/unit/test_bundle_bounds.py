"""The bundle reader stays bounded in time and memory on adversarial bundles (issue 14),
and each case ends with one clear reason."""

import time
import tracemalloc
import zipfile

import pytest

from bench.adversarial_inputs import (
    MB,
    zip_with_duplicate_headers,
    zip_with_false_size,
    zip_with_long_line,
    zip_with_many_ids,
    zip_with_wide_header,
)
from services.errors import BundleError
from services.fst_bundle import MAX_COLUMN_NOTICES, FstBundleSource, SeenIds


def read(path, **options):
    source = FstBundleSource(path, **options)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rows = [r for page in source.iter_pages("customers") for r in page]
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        source.close()
    return source, rows, seconds, peak


def test_duplicate_header_names_are_linear_and_reported_once_each_up_to_a_cap(tmp_path):
    columns = 30_000
    path = zip_with_duplicate_headers(tmp_path / "dup.zip", columns)
    source, rows, seconds, _ = read(path, max_columns=columns + 1,
                                    max_line_delimiters=2 * columns)
    assert seconds < 3  # quadratic took minutes
    assert rows[0]["name"] == "x" and rows[0][f"name_{columns}"] == "x"
    duplicates = [i for i in source.issues if "appears twice" in i.reason]
    assert len(duplicates) == MAX_COLUMN_NOTICES
    assert any(f"{columns - 1 - MAX_COLUMN_NOTICES} more duplicate columns" in i.reason
               for i in source.issues)


def test_a_header_wider_than_the_limit_gives_one_issue(tmp_path):
    source, rows, _, _ = read(zip_with_duplicate_headers(tmp_path / "dup.zip", 20_000))
    assert rows == []
    assert [i.reason for i in source.issues] == [
        "the header has 20001 columns, more than the limit of 4096; the file is not read"]
    assert source.notices == []


def test_a_huge_header_is_refused_before_csv_splits_it(tmp_path):
    source, rows, seconds, peak = read(zip_with_wide_header(tmp_path / "wide.zip", 300_000))
    assert rows == [] and len(source.issues) == 1 and source.notices == []
    assert "more than 65536 ',' delimiters" in source.issues[0].reason
    assert seconds < 2 and peak < 32 * MB


def test_a_1gb_line_in_a_1mb_zip_is_refused_by_its_compression_ratio(tmp_path):
    path = zip_with_long_line(tmp_path / "line.zip", 1024 * MB, real_crc=False)
    assert path.stat().st_size < 1.2 * MB
    source, rows, seconds, peak = read(path)
    assert rows == []
    assert len(source.issues) == 1 and "a compression bomb, not read" in source.issues[0].reason
    assert "ratio 10" in source.issues[0].reason
    assert seconds < 1 and peak < 4 * MB


def test_a_1gb_line_stops_at_the_line_limit_without_reading_it_whole(tmp_path):
    path = zip_with_long_line(tmp_path / "line.zip", 1024 * MB, real_crc=False)
    source, rows, seconds, peak = read(path, max_ratio=0, max_line_chars=2 * MB)
    assert rows == []
    reasons = [i.reason for i in source.issues]
    assert reasons == ["line 2 is longer than 2097152 characters (the limit of one line); "
                       "the rest of the file is skipped"]
    assert seconds < 1 and peak < 16 * MB  # the 1 GB line is never in memory


def test_a_zip_member_larger_than_declared_stops_with_a_reason(tmp_path):
    path, actual = zip_with_false_size(tmp_path / "false.zip", 20_000, 64 * 1024)
    assert actual > 4 * 64 * 1024
    source, rows, _, _ = read(path)
    assert len(rows) < 20_000
    reasons = [i.reason for i in source.issues]
    assert len(reasons) == 1 and "file is damaged after line" in reasons[0]
    assert "CRC" in reasons[0] or "more than the 65536 bytes" in reasons[0]


def test_a_zip_member_shorter_than_declared_stops_with_a_reason(tmp_path):
    path, actual = zip_with_false_size(tmp_path / "false.zip", 2_000, 50 * MB)
    source, rows, _, _ = read(path, max_ratio=0)
    assert len(rows) == 2_000  # everything that is there is read
    reasons = [i.reason for i in source.issues]
    assert len(reasons) == 1
    assert f"ends after {actual} of the {50 * MB} bytes its zip entry declares" in reasons[0]


def test_a_zip_member_declared_above_the_member_limit_is_not_read(tmp_path):
    path, _ = zip_with_false_size(tmp_path / "false.zip", 10, 50 * MB)
    source, rows, _, _ = read(path, max_member_bytes=10 * MB, max_ratio=0)
    assert rows == []
    assert "declares 52428800 bytes, above the limit of 10485760 bytes" in \
        source.issues[0].reason


def test_seen_ids_spill_to_disk_and_stay_exact(tmp_path):
    path = zip_with_many_ids(tmp_path / "ids.zip", 10_000)
    source, rows, _, _ = read(path, seen_ids_in_memory=1_000)
    assert len(rows) == 10_000 and source.issues == []
    seen = SeenIds(in_memory=10)
    assert all(seen.add(f"id{i}") for i in range(100))
    assert not any(seen.add(f"id{i}") for i in range(100))
    assert len(seen) == 100 and len(seen._set) == 10
    seen.close()


def test_duplicates_past_the_memory_part_are_still_caught(tmp_path):
    path = tmp_path / "dups.zip"
    body = "customer_id,name\n" + "".join(f"C{i},n\n" for i in range(3000)) + "C5,again\n"
    body += "C2999,again\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("customers.csv", body)
    source, rows, _, _ = read(path, seen_ids_in_memory=100)
    assert len(rows) == 3000
    assert [i.source_id for i in source.issues] == ["C5", "C2999"]


def attachments_bundle(tmp_path, content, size_column):
    path = tmp_path / "att.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.csv", "customer_id,name\nC1,a\n")
        archive.writestr("attachments.csv", "attachment_id,path,size\n"
                         f"A1,wo/a.bin,{size_column}\n")
        archive.writestr("files/wo/a.bin", content)
    return path


def test_attachment_sizes_are_checked_manifest_member_and_bytes(tmp_path):
    source = FstBundleSource(attachments_bundle(tmp_path, b"x" * 5000, 10 ** 9),
                             max_attachment_bytes=4096)
    with pytest.raises(BundleError, match="the manifest declares 1000000000 bytes"):
        source.open_attachment({"path": "wo/a.bin", "size": "1000000000"})
    with pytest.raises(BundleError, match="declares 5000 bytes, above the limit of 4096"):
        source.open_attachment({"path": "wo/a.bin", "size": "100"})
    source.close()
    source = FstBundleSource(attachments_bundle(tmp_path, b"x" * 4000, 4000),
                             max_attachment_bytes=4096)
    with source.open_attachment({"path": "wo/a.bin", "size": "4000"}) as stream:
        assert stream.read() == b"x" * 4000
    source.close()


def test_a_folder_attachment_above_the_limit_is_refused(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "big.bin").write_bytes(b"x" * 5000)
    (tmp_path / "customers.csv").write_text("customer_id,name\nC1,a\n")
    source = FstBundleSource(tmp_path, max_attachment_bytes=4096)
    with pytest.raises(BundleError, match="holds 5000 bytes, above the limit of 4096"):
        source.open_attachment("big.bin")
