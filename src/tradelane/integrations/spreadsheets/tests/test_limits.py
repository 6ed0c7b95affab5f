"""Spreadsheet bombs: every upload path reads under the import limits, counts big files in the
job (not the request), refuses a file past a limit with 413 naming it, and writes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tradelane.core import jobs
from tradelane.core.models import AuditLog, Job
from tradelane.core.tests import workbooks
from tradelane.integrations.spreadsheets import services
from tradelane.integrations.spreadsheets.models import Upload
from tradelane.inventory.models import StockBalance, StockMovement

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db


def stock_csv(n: int, *, long_at: int | None = None, length: int = 0) -> bytes:
    rows = [["SKU", "仓库", "数量"]]
    for i in range(n):
        rows.append(["A", "SZ", "x" * length if long_at == i + 2 else "1"])
    return csv_bytes(rows)


def api_upload(client: Client, data: bytes, name: str = "s.csv", entity: str = "stock"):
    return client.post(
        "/api/v1/spreadsheets/uploads",
        {"entity": entity, "file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def client(admin):
    c = Client()
    c.force_login(admin)
    return c


def nothing_written():
    return (
        Upload.objects.count(),
        StockMovement.objects.count(),
        StockBalance.objects.count(),
        AuditLog.objects.count(),
    )


# --- the upload request ----------------------------------------------------------------------


def test_a_zip_bomb_upload_is_413_and_keeps_nothing(client, wh_cn, make_sku):
    before = nothing_written()
    res = api_upload(client, workbooks.bomb(), name="bomb.xlsx")
    assert res.status_code == 413, res.content
    body = res.json()
    assert body["code"] == "file_compression_too_high"
    assert body["details"]["limit"] == 100
    assert body["details"]["setting"] == "TRADELANE_IMPORT_MAX_ZIP_RATIO"
    assert nothing_written() == before


def test_a_workbook_expanding_past_the_limit_is_413(client, settings):
    settings.IMPORT_MAX_EXPANDED_MB = 1
    before = nothing_written()
    res = api_upload(client, workbooks.incompressible(2 << 20), name="big.xlsx")
    assert res.status_code == 413, res.content
    assert res.json()["code"] == "file_expands_too_much"
    assert res.json()["details"]["limit_mb"] == 1.0
    assert nothing_written() == before


def test_too_many_rows_is_413_with_the_limit(client, settings, wh_cn, make_sku):
    settings.IMPORT_MAX_ROWS = 50
    before = nothing_written()
    res = api_upload(client, stock_csv(51))
    assert res.status_code == 413, res.content
    assert res.json() == {
        "code": "file_too_many_rows",
        "message": "The file has more than 50 rows; split it into smaller files "
        "(nothing was imported)",
        "details": {"limit": 50, "setting": "TRADELANE_IMPORT_MAX_ROWS"},
    }
    assert nothing_written() == before
    assert api_upload(client, stock_csv(50)).status_code == 201  # at the limit is fine


def test_a_cell_past_the_limit_is_413_naming_row_and_column(client, settings):
    settings.IMPORT_MAX_CELL_CHARS = 100
    before = nothing_written()
    res = api_upload(client, stock_csv(3, long_at=3, length=101))
    assert res.status_code == 413, res.content
    assert res.json()["code"] == "file_cell_too_long"
    assert res.json()["details"] == {
        "limit": 100,
        "row": 3,
        "column": "C",
        "setting": "TRADELANE_IMPORT_MAX_CELL_CHARS",
    }
    assert nothing_written() == before
    # the same in an Excel file
    data = workbooks.workbook([["SKU", "仓库", "数量"], ["A", "SZ", "x" * 101]])
    res = api_upload(client, data, name="s.xlsx")
    assert res.status_code == 413 and res.json()["details"]["row"] == 2


def test_a_workbook_with_xml_entities_is_refused(client):
    res = api_upload(client, workbooks.entity_expansion(), name="e.xlsx")
    assert res.status_code == 422 and res.json()["code"] == "invalid_xlsx"
    assert not Upload.objects.exists()


def test_the_upload_request_reads_no_further_than_it_needs(client, admin, wh_cn, make_sku):
    # 1,000 rows, the last one past the cell limit: the request reads the first 301 rows
    # only, so it answers with the preview; the file is counted by the import job.
    make_sku("A")
    data = stock_csv(1000, long_at=1001, length=40_000)
    res = api_upload(client, data)
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["row_count"] is None
    assert [r["row"] for r in body["rows"]] == list(range(2, 22))  # the first 20 rows
    upload = Upload.objects.get(pk=body["upload_id"])
    assert upload.row_count is None
    res = client.post(
        f"/api/v1/spreadsheets/uploads/{upload.pk}/import",
        {"stock_mode": "receipt", "mode": "partial"},
        content_type="application/json",
    )
    assert res.status_code == 200, res.content
    job_id = res.json()["job_id"]
    assert job_id is not None and res.json()["report"] is None
    jobs.run(job_id)
    job = Job.objects.get(pk=job_id)
    assert job.status == "failed"
    assert job.result["code"] == "file_cell_too_long"
    assert job.result["details"]["row"] == 1001
    # partial mode writes chunk by chunk, but the count came first: nothing was written
    assert StockMovement.objects.count() == 0 and StockBalance.objects.count() == 0


def test_the_job_counts_a_big_file_with_progress_then_imports_it(admin, wh_cn, make_sku):
    make_sku("A")
    upload = services.upload_file(admin, entity="stock", filename="s.csv", data=stock_csv(2500))
    assert upload.row_count is None
    job, report = services.start_import(admin, upload, stock_mode="receipt", mode="partial")
    assert report is None and job.total == 0
    seen = []
    result = services.run_import(
        admin, upload, stock_mode="receipt", mode="partial", progress=lambda *p: seen.append(p)
    )
    assert seen[:2] == [(1000, 0), (2000, 0)]  # counting: the total is not known yet
    assert seen[-1] == (2500, 2500)
    assert result["updated"] == 2500
    assert Upload.objects.get(pk=upload.pk).row_count == 2500
    assert StockBalance.objects.get().on_hand == 2500


def test_the_job_refuses_too_many_rows_and_writes_nothing(admin, wh_cn, make_sku, settings):
    make_sku("A")
    settings.IMPORT_MAX_ROWS = 400
    upload = services.upload_file(admin, entity="stock", filename="s.csv", data=stock_csv(401))
    for mode in ("partial", "all_or_nothing"):
        job, _ = services.start_import(admin, upload, stock_mode="receipt", mode=mode)
        jobs.run(job.pk)
        job = Job.objects.get(pk=job.pk)
        assert (job.status, job.result["code"]) == ("failed", "file_too_many_rows")
        assert job.result["details"]["limit"] == 400
    assert StockMovement.objects.count() == 0


def test_the_preview_is_bounded(client, admin, wh_cn, make_sku):
    make_sku("A")
    rows = [["SKU", "仓库", "数量"]] + [["A", "SZ", "y" * 5000] for _ in range(40)]
    res = api_upload(client, csv_bytes(rows))
    assert res.status_code == 201, res.content
    body = res.json()
    assert len(body["rows"]) == services.PREVIEW_ROWS
    shown = body["rows"][0]["values"]["quantity"]
    assert len(shown) == services.PREVIEW_CHARS and shown.endswith("…")
    assert len(res.content) < 50_000


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-hans", "文件超过 50 行，请拆分成较小的文件。未导入任何数据。"),
        ("en", "The file has more than 50 rows; split it into smaller files."),
    ],
)
def test_the_page_says_which_limit_in_both_languages(client, settings, lang, text):
    settings.IMPORT_MAX_ROWS = 50
    client.cookies["django_language"] = lang
    res = client.post(
        "/io/upload/",
        {"entity": "stock", "file": SimpleUploadedFile("s.csv", stock_csv(60))},
        HTTP_HX_REQUEST="true",
    )
    assert res.status_code == 413
    page = res.content.decode()
    assert 'data-error-code="file_too_many_rows"' in page
    assert text in page
    assert not Upload.objects.exists()


def test_the_page_shows_a_refused_job_in_both_languages(client, admin, wh_cn, make_sku):
    make_sku("A")
    upload = services.upload_file(
        admin, entity="stock", filename="s.csv", data=stock_csv(400, long_at=401, length=40_000)
    )
    job, _ = services.start_import(admin, upload, stock_mode="receipt")
    jobs.run(job.pk)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/io/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-error-code="file_cell_too_long"' in page
    assert "第 401 行 C 列的单元格超过 32768 个字符。未导入任何数据。" in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/io/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Row 401, column C holds more than 32768 characters." in page


def test_the_preview_of_an_uncounted_file_says_so(client, wh_cn, make_sku):
    make_sku("A")
    client.cookies["django_language"] = "zh-hans"
    res = client.post(
        "/io/upload/",
        {"entity": "stock", "file": SimpleUploadedFile("s.csv", stock_csv(500))},
        HTTP_HX_REQUEST="true",
    )
    assert res.status_code == 200
    assert "超过 300 行（导入时计数）" in res.content.decode()
