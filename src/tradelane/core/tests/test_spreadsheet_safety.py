"""The shared spreadsheet safety: import limits (zip bombs, rows, cells) and formula
neutralization of exported cells."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradelane.core import spreadsheet_safety as safety
from tradelane.core.errors import ValidationFailed

from . import workbooks

SMALL = safety.FileLimits(max_rows=3, max_cell_chars=10, max_expanded_bytes=2 << 20)


# --- limits of imported files ---------------------------------------------------------------


def test_limits_come_from_the_settings(settings):
    assert safety.file_limits() == safety.FileLimits(
        max_rows=200_000, max_cell_chars=32_768, max_expanded_bytes=256 << 20, max_zip_ratio=100
    )
    settings.IMPORT_MAX_ROWS = 7
    settings.IMPORT_MAX_EXPANDED_MB = 3
    limits = safety.file_limits()
    assert (limits.max_rows, limits.max_expanded_bytes) == (7, 3 << 20)


def test_a_zip_bomb_is_refused_before_it_is_opened():
    data = workbooks.bomb()
    assert len(data) < 20_000
    with pytest.raises(safety.FileLimitExceeded) as exc:
        safety.open_workbook(data, code="invalid_xlsx")
    assert exc.value.status == 413
    assert exc.value.code == "file_compression_too_high"
    assert exc.value.details["part"] == workbooks.SHEET
    assert exc.value.details["ratio"] > 100
    assert exc.value.details["limit"] == 100
    assert exc.value.details["setting"] == "TRADELANE_IMPORT_MAX_ZIP_RATIO"


def test_a_workbook_expanding_past_the_limit_is_refused():
    data = workbooks.incompressible(3 << 20)
    with pytest.raises(safety.FileLimitExceeded) as exc:
        safety.check_workbook_archive(data, SMALL)
    assert exc.value.code == "file_expands_too_much"
    assert exc.value.details["limit_mb"] == 2.0
    assert exc.value.details["expanded_mb"] > 2.0
    safety.check_workbook_archive(data)  # the default limit lets it through


def test_an_archive_lying_about_its_sizes_inflates_no_further_than_it_says():
    data = workbooks.lying_about_size(workbooks.bomb(), declared=2000)
    safety.check_workbook_archive(data)  # its directory says 2 KB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = archive.open(workbooks.SHEET)
        inflated = 0
        with pytest.raises(zipfile.BadZipFile, match="CRC"):  # stopped at the declared size
            while chunk := part.read(500):
                inflated += len(chunk)
        assert inflated <= 2000
    with pytest.raises(ValidationFailed) as exc:
        read_all(data)
    assert exc.value.code == "invalid_xlsx"


def read_all(data: bytes) -> list:
    wb = safety.open_workbook(data, code="invalid_xlsx")
    return list(safety.sheet_rows(wb.worksheets[0], code="invalid_xlsx"))


def test_xml_entities_in_a_workbook_are_refused():
    assert read_all(workbooks.with_sheet_xml(workbooks.workbook([]), workbooks.sheet_xml([["ok"]])))
    with pytest.raises(ValidationFailed) as exc:
        read_all(workbooks.entity_expansion())
    assert exc.value.code == "invalid_xlsx"


def test_not_a_zip_is_left_to_the_reader():
    safety.check_workbook_archive(b"name,quantity\n")
    with pytest.raises(ValidationFailed) as exc:
        safety.open_workbook(b"name,quantity\n", code="not_xlsx", message="Not an Excel file")
    assert exc.value.code == "not_xlsx" and exc.value.message.startswith("Not an Excel file")


def test_row_guard_counts_rows_past_the_header_and_measures_cells():
    guard = safety.RowGuard(SMALL)  # one header row and 3 rows
    for _ in range(4):
        guard.row()
    with pytest.raises(safety.FileLimitExceeded) as exc:
        guard.row()
    assert exc.value.code == "file_too_many_rows"
    assert exc.value.details == {"limit": 3, "setting": "TRADELANE_IMPORT_MAX_ROWS"}
    guard.cells(["x" * 10, 12345678901234, None], 2)
    with pytest.raises(safety.FileLimitExceeded) as exc:
        guard.cells(["ok", "x" * 11], 5, names=["a", "b"])
    assert exc.value.code == "file_cell_too_long"
    assert exc.value.details == {
        "limit": 10,
        "row": 5,
        "column": "b",
        "setting": "TRADELANE_IMPORT_MAX_CELL_CHARS",
    }
    with pytest.raises(safety.FileLimitExceeded) as exc:
        guard.cells(["ok", "ok", "x" * 11], 6)
    assert exc.value.details["column"] == "C"
    with pytest.raises(safety.FileLimitExceeded) as exc:
        guard.strings({"buyer": {"name": "x" * 11}}, 9)
    assert exc.value.details["column"] == "buyer.name"


# --- formula neutralization -----------------------------------------------------------------

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(A1)",
    "+1+2",
    "-5",
    "\t=1",
    "\r=1",
    "\0",
    "=",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_gets_a_quote(text):
    assert safety.neutralize(text) == "'" + text
    assert safety.restore("'" + text) == text


@pytest.mark.parametrize("value", ["Jane Doe", "", "张三", "a=b", " =1", "'quoted", 5, -5, None])
def test_other_values_and_numbers_are_left_alone(value):
    assert safety.neutralize(value) == value


def test_a_quote_before_formula_text_is_kept_exactly_through_the_round_trip():
    assert safety.neutralize("'=1") == "''=1"
    assert safety.restore("''=1") == "'=1"
    assert safety.restore("'quoted") == "'quoted"


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r\0ab 1")), max_size=6) | st.text())
def test_restore_undoes_neutralize(text):
    out = safety.neutralize(text)
    assert not safety.looks_like_formula(out) or out.startswith("'")
    assert safety.restore(out) == text


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_rows_never_hold_formulas(write_only):
    from openpyxl import Workbook, load_workbook

    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x")
    ws.append(safety.xlsx_row(ws, [*DANGEROUS[:4], "plain", 5]))
    out = io.BytesIO()
    wb.save(out)
    xml = zipfile.ZipFile(io.BytesIO(out.getvalue())).read(
        "xl/worksheets/sheet1.xml" if write_only else "xl/worksheets/sheet2.xml"
    )
    assert b"<f>" not in xml and b"<f " not in xml
    back = load_workbook(io.BytesIO(out.getvalue()))["x"]
    cells = list(back.iter_rows())[0]
    assert [c.value for c in cells] == [*DANGEROUS[:4], "plain", 5]
    assert [c.data_type for c in cells] == ["s"] * 5 + ["n"]
    assert [bool(c.quotePrefix) for c in cells] == [True] * 4 + [False, False]


def test_control_characters_in_text_do_not_break_an_xlsx_export():
    """openpyxl raised IllegalCharacterError on a buyer name with a control character."""
    from openpyxl import Workbook, load_workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(safety.xlsx_row(ws, ["Jane\x0bDoe\x01", "=1+1\x02"]))
    out = io.BytesIO()
    wb.save(out)
    cells = list(load_workbook(io.BytesIO(out.getvalue()))["x"].iter_rows())[0]
    assert [c.value for c in cells] == ["JaneDoe", "=1+1"]
    assert [c.data_type for c in cells] == ["s", "s"]
