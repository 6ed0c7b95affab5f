"""Spreadsheet imports: reading, mapping, preview, all-or-nothing, partial; three entities."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradelane.catalog.models import Product, Sku
from tradelane.core.errors import PermissionDenied
from tradelane.core.models import AuditLog
from tradelane.integrations.spreadsheets import exports, reading, services
from tradelane.integrations.spreadsheets.fields import suggest_mapping
from tradelane.inventory import services as inventory
from tradelane.inventory.models import StockBalance, StockMovement
from tradelane.orders.models import Order, OrderLine

from .conftest import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

ZH_ORDER_HEADERS = [
    "店铺",
    "订单号",
    "收件人",
    "地址",
    "城市",
    "邮编",
    "国家",
    "SKU",
    "数量",
    "单价",
    "下单时间",
]


def _zh_order_rows():
    return [
        ZH_ORDER_HEADERS,
        [
            "US1",
            "Z-1",
            "张三",
            "1 Main St",
            "Austin",
            "73301",
            "US",
            "A",
            "2",
            "9.90",
            "2026-11-20T10:00:00+08:00",
        ],
        ["US1", "Z-1", "", "", "", "", "", "B", "1", "5.00", ""],
        [
            "US1",
            "Z-2",
            "李四",
            "2 Elm St",
            "Boston",
            "02101",
            "US",
            "A",
            "1",
            "9.90",
            "2026-11-20T11:00:00+08:00",
        ],
    ]


def _import(user, entity, data, name="f.csv", **options):
    upload = services.upload_file(user, entity=entity, filename=name, data=data)
    return services.run_import(user, upload, **options)


# --- reading --------------------------------------------------------------------------------


def test_gb18030_csv_with_chinese_headers_imports_orders(admin, store):
    data = csv_bytes(_zh_order_rows(), encoding="gb18030")
    assert reading.file_kind("o.csv", data) == "csv"
    report = _import(admin, "orders", data)
    assert (report["created"], report["rejected"], report["written"]) == (2, 0, True)
    order = Order.objects.get(external_id="Z-1")
    assert order.ship_name == "张三"
    assert order.ship_country == "US"
    assert list(OrderLine.objects.filter(order=order).values_list("store_sku", "quantity")) == [
        ("A", 2),
        ("B", 1),
    ]
    assert order.items_total == Decimal("24.8000")


def test_utf8_bom_and_semicolon_csv():
    data = "\ufeffSKU;仓库;库存\r\nA;SZ;5\r\n".encode()
    headers, body = reading.read(data, "csv")
    assert headers == ["SKU", "仓库", "库存"]
    assert list(body) == [(2, {"SKU": "A", "仓库": "SZ", "库存": "5"})]


def test_excel_reads_the_chosen_sheet_and_keeps_decimals():
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["ignored"])
    ws = wb.create_sheet("库存")
    ws.append(["SKU", "重量", "blank"])
    ws.append(["A", 0.35, None])
    ws.append([None, None, None])
    ws.append(["B", 12, True])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    assert reading.file_kind("x.xlsx", data) == "xlsx"
    assert reading.sheet_names(data) == ["Sheet", "库存"]
    headers, body = reading.read(data, "xlsx", "库存")
    assert headers == ["SKU", "重量", "blank"]
    assert list(body) == [
        (2, {"SKU": "A", "重量": "0.35", "blank": ""}),
        (4, {"SKU": "B", "重量": "12", "blank": "true"}),
    ]


def test_mapping_suggestion_from_chinese_and_english_headers():
    assert suggest_mapping("orders", ZH_ORDER_HEADERS) == {
        "store": "店铺",
        "external_id": "订单号",
        "ship_name": "收件人",
        "ship_address1": "地址",
        "ship_city": "城市",
        "ship_postcode": "邮编",
        "ship_country": "国家",
        "store_sku": "SKU",
        "quantity": "数量",
        "unit_price": "单价",
        "placed_at": "下单时间",
    }
    assert suggest_mapping("stock", ["SKU", "仓库", "库存"]) == {
        "sku": "SKU",
        "warehouse": "仓库",
        "quantity": "库存",
    }
    assert suggest_mapping("products", ["Product code", "sku", "重量(kg)", "HS编码", "带电"]) == {
        "product_code": "Product code",
        "code": "sku",
        "weight_kg": "重量(kg)",
        "hs_code": "HS编码",
        "has_battery": "带电",
    }


# --- preview, all or nothing, partial -------------------------------------------------------


def test_preview_shows_mapped_rows_and_problems_and_writes_nothing(admin, store):
    rows = _zh_order_rows()
    rows[3][6] = "XX"  # unknown country
    upload = services.upload_file(admin, entity="orders", filename="o.csv", data=csv_bytes(rows))
    result = services.preview(admin, upload)
    assert [r["row"] for r in result["rows"]] == [2, 3, 4]
    assert result["rows"][0]["values"]["ship_name"] == "张三"
    assert result["rows"][0]["errors"] == []
    assert [e["code"] for e in result["rows"][2]["errors"]] == ["invalid_country"]
    assert result["rows"][2]["errors"][0]["column"] == "国家"
    assert Order.objects.count() == 0


def test_all_or_nothing_one_bad_row_writes_nothing(admin, store):
    rows = _zh_order_rows()
    rows[3][8] = "zwei"  # quantity
    before = AuditLog.objects.count()
    report = _import(admin, "orders", csv_bytes(rows))
    assert report == {
        "entity": "orders",
        "mode": "all_or_nothing",
        "written": False,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "valid": 1,
        "total": 2,
        "rows": [
            {
                "row": 4,
                "key": "US1/Z-2",
                "result": "rejected",
                "errors": [
                    {
                        "field": "quantity",
                        "code": "invalid_quantity",
                        "row": 4,
                        "column": "数量",
                        "message": "lines[0].quantity must be a whole number from 1: 'zwei'",
                    }
                ],
            }
        ],
        "rows_omitted": 0,
    }
    assert Order.objects.count() == 0
    assert AuditLog.objects.count() == before + 1  # the upload only


def test_partial_writes_the_valid_rows_and_reports_the_rest(admin, store):
    rows = _zh_order_rows()
    rows[3][8] = "zwei"
    report = _import(admin, "orders", csv_bytes(rows), mode="partial")
    assert (report["created"], report["rejected"], report["written"]) == (1, 1, True)
    assert [(r["row"], r["result"]) for r in report["rows"]] == [(2, "created"), (4, "rejected")]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["Z-1"]
    again = _import(admin, "orders", csv_bytes(_zh_order_rows()), mode="partial")
    assert (again["unchanged"], again["created"]) == (1, 1)


def test_unmapped_required_field_is_refused(admin, store):
    upload = services.upload_file(
        admin, entity="orders", filename="o.csv", data=csv_bytes([["订单号"], ["1"]])
    )
    with pytest.raises(services.ValidationFailed) as exc:
        services.run_import(admin, upload)
    assert exc.value.code == "unmapped_required"
    assert exc.value.details == {"fields": ["store", "store_sku", "quantity"]}


# --- products -------------------------------------------------------------------------------

PRODUCT_HEADERS = [
    "产品编码",
    "产品名称",
    "SKU",
    "SKU名称",
    "重量(kg)",
    "长(cm)",
    "宽(cm)",
    "高(cm)",
    "成本",
    "成本币种",
    "申报中文名",
    "申报英文名",
    "HS编码",
    "申报价值",
    "申报币种",
    "原产国",
    "带电",
    "液体",
    "磁性",
]


def test_products_upsert_from_excel(admin, make_sku):
    make_sku("OLD-1", weight_g=100)
    data = xlsx_bytes(
        [
            PRODUCT_HEADERS,
            [
                "P-LAMP",
                "台灯",
                "LAMP-W",
                "台灯 白",
                1.25,
                30,
                20,
                15.5,
                "88.00",
                "cny",
                "台灯",
                "Desk lamp",
                "9405.20",
                "15",
                "USD",
                "CN",
                "是",
                "否",
                0,
            ],
            ["P-MUG", "", "OLD-1", "", 0.5, "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        ]
    )
    report = _import(admin, "products", data, name="p.xlsx")
    assert [(r["row"], r["key"], r["result"]) for r in report["rows"]] == [
        (2, "LAMP-W", "created"),
        (3, "OLD-1", "updated"),
    ]
    lamp = Sku.objects.get(code="LAMP-W")
    assert lamp.product.code == "P-LAMP" and lamp.product.name == "台灯"
    assert (lamp.weight_g, lamp.length_mm, lamp.width_mm, lamp.height_mm) == (1250, 300, 200, 155)
    assert (lamp.cost_amount, lamp.cost_currency) == (Decimal("88.0000"), "CNY")
    assert (lamp.hs_code, lamp.declared_value, lamp.origin_country) == (
        "940520",
        Decimal("15.0000"),
        "CN",
    )
    assert (lamp.has_battery, lamp.has_liquid, lamp.has_magnet) == (True, False, False)
    old = Sku.objects.get(code="OLD-1")
    assert old.weight_g == 500 and old.declared_name_zh == "马克杯"  # empty cells keep values
    again = _import(admin, "products", data, name="p.xlsx")
    assert (again["unchanged"], again["created"], again["updated"]) == (2, 0, 0)


def test_products_bad_row_all_or_nothing(admin):
    data = csv_bytes(
        [
            ["产品编码", "产品名称", "SKU", "SKU名称", "HS编码"],
            ["P1", "一", "S1", "one", "123"],
            ["P1", "一", "S2", "two", "691200"],
        ]
    )
    report = _import(admin, "products", data)
    assert report["written"] is False
    assert report["rows"] == [
        {
            "row": 2,
            "key": "S1",
            "result": "rejected",
            "errors": [
                {
                    "field": "hs_code",
                    "code": "invalid_hs_code",
                    "column": "HS编码",
                    "message": "An HS code is 6 to 10 digits, not '123'",
                }
            ],
        }
    ]
    assert not Product.objects.filter(code="P1").exists()


# --- stock ----------------------------------------------------------------------------------


def test_stocktake_writes_the_difference_to_the_ledger(admin, wh_cn, make_sku):
    a = make_sku("A")
    make_sku("B")
    inventory.receive(admin, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=10)
    data = csv_bytes([["SKU", "仓库", "库存"], ["A", "SZ", "7"], ["B", "SZ", "4"]])
    report = _import(admin, "stock", data, stock_mode="stocktake")
    assert [(r["key"], r["result"]) for r in report["rows"]] == [
        ("A@SZ", "updated"),
        ("B@SZ", "updated"),
    ]
    moves = StockMovement.objects.filter(kind="adjustment").order_by("sku__code")
    assert [(m.sku.code, m.on_hand_delta, m.source_type) for m in moves] == [
        ("A", -3, "stocktake"),
        ("B", 4, "stocktake"),
    ]
    assert dict(StockBalance.objects.values_list("sku__code", "on_hand")) == {"A": 7, "B": 4}
    again = _import(admin, "stock", data, stock_mode="stocktake")
    assert again["unchanged"] == 2 and StockMovement.objects.filter(kind="adjustment").count() == 2


def test_receipts_add(admin, wh_cn, make_sku):
    make_sku("A")
    data = csv_bytes([["SKU", "仓库", "数量"], ["A", "SZ", "5"], ["A", "SZ", "3"]])
    report = _import(admin, "stock", data, stock_mode="receipt")
    assert report["updated"] == 2
    assert StockBalance.objects.get().on_hand == 8
    assert list(StockMovement.objects.values_list("kind", "on_hand_delta")) == [
        ("receipt", 5),
        ("receipt", 3),
    ]


def test_stocktake_below_reserved_is_refused_and_nothing_written(admin, wh_cn, make_sku):
    a, b = make_sku("A"), make_sku("B")
    inventory.receive(admin, sku_id=a.pk, warehouse_id=wh_cn.pk, quantity=10)
    inventory.reserve(admin, inventory.Reservation(wh_cn.pk, {a.pk: 6}, "order", "1"))
    moves = StockMovement.objects.count()
    data = csv_bytes([["SKU", "仓库", "库存"], ["B", "SZ", "9"], ["A", "SZ", "5"]])
    report = _import(admin, "stock", data, stock_mode="stocktake")
    assert report["written"] is False
    assert report["rows"] == [
        {
            "row": 3,
            "key": "A@SZ",
            "result": "rejected",
            "errors": [
                {
                    "field": "quantity",
                    "code": "below_reserved",
                    "column": "库存",
                    "message": "Counted 5 but 6 are reserved for orders: available stock "
                    "would be negative",
                }
            ],
        }
    ]
    assert StockMovement.objects.count() == moves
    assert not StockBalance.objects.filter(sku=b).exists()


# --- permissions ----------------------------------------------------------------------------


def test_permissions_refused_and_nothing_changed(make_user, wh_cn, make_sku, admin):
    from tradelane.accounts import roles

    make_sku("A")
    sales = make_user(roles.SALES)  # may change products, not stock or orders
    data = csv_bytes([["SKU", "仓库", "库存"], ["A", "SZ", "5"]])
    with pytest.raises(PermissionDenied):
        services.upload_file(sales, entity="stock", filename="s.csv", data=data)
    upload = services.upload_file(admin, entity="stock", filename="s.csv", data=data)
    purchasing = make_user(roles.PURCHASING)  # receives stock, no stocktake
    with pytest.raises(PermissionDenied):
        services.run_import(purchasing, upload, stock_mode="stocktake")
    assert StockMovement.objects.count() == 0
    sales_products = csv_bytes(
        [["产品编码", "产品名称", "SKU", "SKU名称"], ["P9", "九", "N9", "n"]]
    )
    report = _import(sales, "products", sales_products, mode="partial")
    assert report["rows"][0]["errors"][0]["code"] == "permission_denied"
    assert not Sku.objects.filter(code="N9").exists()


# --- exports round trip ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_is_unchanged(admin, store, wh_cn, make_sku, fmt):
    make_sku("A")
    make_sku("B", has_battery=True)
    inventory.receive(admin, sku_id=Sku.objects.get(code="A").pk, warehouse_id=wh_cn.pk, quantity=4)
    _import(admin, "orders", csv_bytes(_zh_order_rows()))
    for entity, opts in (("orders", {}), ("products", {}), ("stock", {"stock_mode": "stocktake"})):
        rows = exports.rows_for(admin, entity)
        if fmt == "csv":
            data = b"".join(exports.csv_chunks(entity, rows))
        else:
            data = exports.xlsx_file(entity, rows).read()
        before = AuditLog.objects.exclude(action__startswith="spreadsheets.").count()
        report = _import(admin, entity, data, name=f"x.{fmt}", **opts)
        assert report["rejected"] == 0, report
        assert report["created"] == report["updated"] == 0, (entity, report)
        assert report["unchanged"] >= 1
        assert AuditLog.objects.exclude(action__startswith="spreadsheets.").count() == before


def test_export_with_template_headers(admin, wh_cn, make_sku):
    make_sku("A")
    template = services.save_template(
        admin, name="仓库盘点", entity="stock", mapping={"sku": "货号", "quantity": "实盘"}
    )
    data = b"".join(exports.csv_chunks("stock", iter([]), template.mapping))
    assert data.decode("utf-8-sig").splitlines()[0] == "货号,warehouse,实盘,reserved,available"


def test_big_files_run_as_a_job_with_progress(admin, wh_cn, make_sku, monkeypatch):
    from tradelane.core import jobs
    from tradelane.core.models import Job

    make_sku("A")
    monkeypatch.setattr(services, "JOB_THRESHOLD", 1)
    data = csv_bytes([["SKU", "仓库", "库存"], ["A", "SZ", "2"], ["A", "SZ", "3"]])
    upload = services.upload_file(admin, entity="stock", filename="s.csv", data=data)
    job, report = services.start_import(admin, upload, stock_mode="receipt", mode="partial")
    assert report is None and job.kind == services.JOB_KIND
    jobs.run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert job.result["updated"] == 2
    assert StockBalance.objects.get().on_hand == 5
    assert services.prune_uploads() == 0  # young uploads are kept
