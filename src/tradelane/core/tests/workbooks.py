"""Hostile workbooks for tests: zip bombs, archives that lie about their sizes, XML entities."""

from __future__ import annotations

import io
import secrets
import struct
import zipfile

SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_xml(rows: list[list[str]]) -> bytes:
    """A sheet's XML with text cells (no length limit, unlike openpyxl's writer)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    ]
    for r, row in enumerate(rows, 1):
        cells = "".join(
            f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(row)
        )
        out.append(f'<row r="{r}">{cells}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def bomb(expanded: int = 3 * 1024 * 1024) -> bytes:
    """A small workbook whose sheet expands about a thousand times (one huge cell of one
    letter; the probe's was 195 KB expanding to 199 MB)."""
    return with_sheet_xml(workbook([["name"]]), sheet_xml([["name"], ["a" * expanded]]))


def incompressible(size: int) -> bytes:
    """A workbook of about ``size`` bytes of random text: large when expanded, but no bomb."""
    cell = 30_000
    rows = [["name"]] + [[secrets.token_hex(cell // 2)] for _ in range(size // cell + 1)]
    return with_sheet_xml(workbook([["name"]]), sheet_xml(rows))


def with_sheet_xml(data: bytes, xml: bytes) -> bytes:
    """The workbook with its first sheet's XML replaced."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, xml if info.filename == SHEET else src.read(info))
    return out.getvalue()


def lying_about_size(data: bytes, declared: int = 2000) -> bytes:
    """The workbook with its sheet's declared uncompressed size (local header and central
    directory) set to ``declared`` bytes, much less than the sheet really inflates to."""
    raw = bytearray(data)
    name = SHEET.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", raw, local + 26)[0]
        if raw[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", raw, local + 22, declared)
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", raw, central + 24, declared)
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


ENTITY_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&c;</t></is></c></row>
</sheetData></worksheet>"""


def entity_expansion() -> bytes:
    """A workbook whose sheet XML declares entities that expand one another."""
    return with_sheet_xml(workbook([["name"], ["x"]]), ENTITY_XML)
