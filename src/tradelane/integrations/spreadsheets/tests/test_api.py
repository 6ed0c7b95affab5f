"""The spreadsheets API: upload -> preview -> import, templates, export download."""

from __future__ import annotations

import pytest
from django.test import Client

from tradelane.accounts import roles
from tradelane.api.testing import Api
from tradelane.inventory.models import StockBalance

from .conftest import xlsx_bytes

pytestmark = pytest.mark.django_db


def test_upload_preview_import_and_export(admin, wh_cn, make_sku):
    make_sku("A")
    client = Client()
    client.force_login(admin)
    data = xlsx_bytes([["SKU", "仓库", "库存"], ["A", "SZ", 6]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    res = client.post(
        "/api/v1/spreadsheets/uploads",
        {"entity": "stock", "file": SimpleUploadedFile("s.xlsx", data)},
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["mapping"] == {"sku": "SKU", "warehouse": "仓库", "quantity": "库存"}
    assert body["rows"] == [
        {"row": 2, "values": {"sku": "A", "warehouse": "SZ", "quantity": "6"}, "errors": []}
    ]
    api = Api(admin, client=client)
    t = api.post(
        "/spreadsheets/templates", {"name": "盘点", "entity": "stock", "mapping": body["mapping"]}
    )
    assert t.status_code == 201
    dup = api.post("/spreadsheets/templates", {"name": "盘点", "entity": "stock", "mapping": {}})
    assert dup.status_code == 409
    res = api.post(
        f"/spreadsheets/uploads/{body['upload_id']}/import",
        {"template_id": t.json()["id"], "stock_mode": "stocktake"},
    )
    assert res.status_code == 200, res.content
    assert res.json()["job_id"] is None and res.json()["report"]["updated"] == 1
    assert StockBalance.objects.get().on_hand == 6
    down = client.get("/api/v1/spreadsheets/export/stock?format=csv")
    assert down.status_code == 200
    text = b"".join(down.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["sku,warehouse,quantity,reserved,available", "A,SZ,6,0,6"]
    assert (
        api.get(f"/spreadsheets/export/stock?format=xlsx&template_id={t.json()['id']}").status_code
        == 200
    )
    assert api.delete(f"/spreadsheets/templates/{t.json()['id']}").status_code == 204


def test_upload_refused_without_permission(make_user):
    api = Api(make_user(roles.BOSS))
    res = api.client.post("/api/v1/spreadsheets/uploads", {"entity": "orders", "file": b""})
    assert res.status_code in (403, 422)
    res = api.post("/spreadsheets/templates", {"name": "x", "entity": "orders", "mapping": {}})
    assert res.status_code == 403
