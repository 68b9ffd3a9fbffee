"""Property tests of the bundle reader: whatever the bytes, it raises nothing but
``BundleError``, and every good row comes out unchanged."""

import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulators.fst_bundle import csv_text, header_name
from services.errors import BundleError
from services.fst_bundle import OBJECTS_BY_NAME, FstBundleSource

COLUMNS = OBJECTS_BY_NAME["technicians"].columns
#: per encoding, characters it can hold without ambiguity. Windows-1252 text is limited
#: to ASCII plus accented lower-case letters (bytes 0xDF-0xFF), which never form valid
#: UTF-8: otherwise "Ã©" in Windows-1252 is exactly "é" in UTF-8, and no reader can tell.
ALPHABETS = {
    "utf-8": st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
    "utf-16": st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
    "cp1252": st.one_of(st.characters(min_codepoint=1, max_codepoint=127),
                        st.characters(min_codepoint=0xDF, max_codepoint=0xFF)),
}
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def csv_files(draw):
    """``(file bytes, good rows, bad row count)`` for a technicians.csv."""
    encoding = draw(st.sampled_from(sorted(ALPHABETS)))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    style = draw(st.sampled_from(["snake", "title", "upper"]))
    values = st.text(alphabet=ALPHABETS[encoding], max_size=12)
    rows, good = [], []
    for number in range(draw(st.integers(0, 12))):
        row = [f"T{number}"] + draw(st.lists(values, min_size=len(COLUMNS) - 1,
                                             max_size=len(COLUMNS) - 1))
        if draw(st.integers(0, 4)) == 0:  # ragged: a value too many or too few
            row = row + ["extra"] if draw(st.booleans()) else row[:-1]
        else:
            good.append(dict(zip(COLUMNS, row, strict=True), id=f"T{number}"))
        rows.append(row)
    content = csv_text([header_name(c, style) for c in COLUMNS], rows, delimiter=delimiter,
                       encoding=encoding)
    return content, good, len(rows) - len(good)


@SETTINGS
@given(csv_files())
def test_every_good_row_comes_out_and_every_bad_row_is_an_issue(tmp_path, case):
    content, good, bad = case
    path = tmp_path / "technicians.csv"
    path.write_bytes(content)
    source = FstBundleSource(tmp_path)
    assert list(source.iter_records("technicians")) == good
    assert len(source.issues) == bad
    assert all(i.file == "technicians.csv" and i.line > 1 for i in source.issues)


@SETTINGS
@given(header=st.sampled_from([b"technician_id,first_name\r\n", b""]),
       noise=st.binary(max_size=300), as_zip=st.booleans())
def test_random_bytes_never_raise_anything_but_bundle_error(tmp_path, header, noise, as_zip):
    if as_zip:
        path = tmp_path / "bundle.zip"
        if header:
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("technicians.csv", header + noise)
        else:
            path.write_bytes(noise)
    else:
        path = tmp_path / "folder"
        path.mkdir(exist_ok=True)
        (path / "technicians.csv").write_bytes(header + noise)
    source = FstBundleSource(path)
    try:
        for obj in source.list_objects():
            list(source.iter_records(obj))
            source.count(obj)
        source.custom_fields()
    except BundleError:
        pass
    for issue in source.issues:
        assert issue.file == "technicians.csv" and issue.reason
