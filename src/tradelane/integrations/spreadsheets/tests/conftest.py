from __future__ import annotations

import io

import pytest


@pytest.fixture
def store(company):
    from tradelane.orders.tests.factories import make_store

    return make_store()


def xlsx_bytes(rows: list[list], sheet: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = "\r\n".join(delimiter.join(str(c) for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)
