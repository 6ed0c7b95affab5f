import copy
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from tradelane.core import jobs
from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, FxRate, StateEvent
from tradelane.orders import importing
from tradelane.orders.importing import (
    CSV_COLUMNS,
    import_file,
    import_orders,
    writing,
)
from tradelane.orders.importing.normalizing import order_fingerprint
from tradelane.orders.importing.readers import read_json_array
from tradelane.orders.models import Order, OrderLine, StoreSkuMapping

from .factories import make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(company):
    FxRate.objects.create(
        base="USD", quote="CNY", rate=Decimal("7.1"), date="2026-11-20", source="test"
    )
    return make_store()


@pytest.fixture
def skus(make_sku):
    return {code: make_sku(code) for code in ("A", "B", "C")}


@pytest.fixture
def mapped(store, skus):
    """S-A and S-B map 1:1; S-BUNDLE is one A and two B; C matches our SKU code directly."""
    StoreSkuMapping.objects.bulk_create(
        [
            StoreSkuMapping(store=store, store_sku="S-A", sku=skus["A"], quantity=1),
            StoreSkuMapping(store=store, store_sku="S-B", sku=skus["B"], quantity=1),
            StoreSkuMapping(store=store, store_sku="S-BUNDLE", sku=skus["A"], quantity=1),
            StoreSkuMapping(store=store, store_sku="S-BUNDLE", sku=skus["B"], quantity=2),
        ]
    )
    return store


def order(ext, **over):
    data = {
        "store": "US1",
        "external_id": ext,
        "number": f"#{ext}",
        "placed_at": "2026-11-20T10:15:00Z",
        "currency": "USD",
        "payment_status": "paid",
        "buyer": {"name": "Jane Doe", "email": f"jane{ext}@example.com", "phone": ""},
        "shipping_address": {
            "name": "Jane Doe",
            "company": "",
            "address1": "1600 Amphitheatre Pkwy",
            "address2": "",
            "city": "Mountain View",
            "state": "CA",
            "postcode": "94043",
            "country": "US",
            "phone": "+1 650-253-0000",
        },
        "totals": {"shipping": "5.00", "tax": "0", "discount": "0"},
        "lines": [
            {"store_sku": "S-A", "title": "Mug", "quantity": 1, "unit_price": "10.00"},
            {"store_sku": "S-B", "title": "Cup", "quantity": 2, "unit_price": "5.50"},
        ],
        "note": "",
    }
    for key, value in over.items():
        if "." in key:
            group, name = key.split(".")
            data[group][name] = value
        else:
            data[key] = value
    return data


def table_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def codes(entry):
    return [(e["field"], e["code"]) for e in entry["errors"]]


# --- created, unchanged, updated ------------------------------------------------------------


def test_created_orders_lines_events_review_and_one_audit_row(cs, mapped):
    report = import_orders(cs, [order("1"), order("2")])
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 0, 0, 0)
    assert [r["result"] for r in report.rows] == ["created", "created"]
    assert report.review == {"approved": 2, "pending_contact": 0, "invalid": 0, "skipped": 0}
    o = Order.objects.get(external_id="1")
    assert o.status == "approved" and o.source == "import"
    assert (o.items_total, o.shipping_total, o.grand_total) == (
        Decimal("21.00"),
        Decimal("5.00"),
        Decimal("26.00"),
    )
    assert o.placed_at == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert o.fingerprint == order_fingerprint(
        buyer_email="jane1@example.com",
        buyer_name="Jane Doe",
        ship_name="jane doe",
        ship_address1="1600  Amphitheatre Pkwy",
        ship_city="Mountain View",
        ship_postcode="940 43",
        ship_country="us",
        items=[("S-B", 2), ("S-A", 1)],
    )
    lines = list(o.lines.values_list("line_no", "store_sku", "sku__code", "quantity"))
    assert lines == [(1, "S-A", "A", 1), (2, "S-B", "B", 2)]
    events = StateEvent.objects.filter(object_id=o.pk).order_by("id")
    assert [(e.from_state, e.to_state, e.reason, e.actor_id) for e in events][0] == (
        "",
        "pending_review",
        "imported",
        cs.pk,
    )
    assert events[1].to_state == "approved"
    run = AuditLog.objects.get(action="orders.import")
    assert run.changes["created"] == 2 and run.actor == cs


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_same_file_twice_changes_nothing(cs, mapped, fmt):
    data = encode([order("1"), order("2", payment_status="pending"), order("3")], fmt)
    first = import_file(cs, io.BytesIO(data), fmt)
    assert (first.created, first.rejected) == (3, 0)
    before = table_counts()
    statuses = dict(Order.objects.values_list("external_id", "status"))
    second = import_file(cs, io.BytesIO(data), fmt)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 3, 0)
    assert second.review == {}
    assert table_counts() == before
    assert dict(Order.objects.values_list("external_id", "status")) == statuses


def test_representation_changes_are_not_changes(cs, mapped):
    import_orders(cs, [order("1")])
    same = order("1", placed_at="2026-11-20T18:15:00+08:00")
    same["shipping_address"]["country"] = "usa"
    same["totals"]["shipping"] = "5"
    same["lines"][0]["unit_price"] = "10.0000"
    same["lines"][1]["quantity"] = "2"
    assert import_orders(cs, [same]).unchanged == 1


def test_changed_order_is_updated_lines_replaced_reviewed_and_audited(cs, mapped):
    import_orders(cs, [order("1")])
    o = Order.objects.get(external_id="1")
    assert o.status == "approved"
    changed = order("1", payment_status="authorized", note="call first")
    changed["lines"] = [{"store_sku": "C", "title": "Plate", "quantity": 3, "unit_price": "2"}]
    report = import_orders(cs, [changed])
    assert (report.updated, report.rows[0]["result"], report.rows[0]["order_id"]) == (
        1,
        "updated",
        o.pk,
    )
    o.refresh_from_db()
    assert (o.status, o.payment_status, o.note, o.items_total) == (
        "pending_contact",
        "authorized",
        "call first",
        Decimal("6.0000"),
    )
    assert list(o.lines.values_list("store_sku", "sku__code", "quantity")) == [("C", "C", 3)]
    moves = list(
        StateEvent.objects.filter(object_id=o.pk).order_by("id").values_list("to_state", "reason")
    )
    assert moves[-2:] == [
        ("pending_review", "re-imported with changes"),
        ("pending_contact", "review: payment_not_captured"),
    ]
    change = AuditLog.objects.get(action="orders.order.import_update", object_id=str(o.pk))
    assert change.changes["payment_status"] == ["paid", "authorized"]
    assert change.changes["lines"] == [["S-A x1", "S-B x2"], ["C x3"]]
    assert AuditLog.objects.filter(action="orders.import").count() == 2


def test_changed_order_further_along_is_locked(cs, mapped):
    import_orders(cs, [order("1"), order("2")])
    Order.objects.filter(external_id="1").update(status="pending_shipment")
    Order.objects.filter(external_id="2").update(status="shipped")
    before = table_counts()
    report = import_orders(cs, [order("1", note="new"), order("2", note="new")])
    assert (report.unchanged, report.updated) == (2, 0)
    assert [codes(r) for r in report.rows] == [[("", "locked_status")]] * 2
    assert "pending shipment" in report.rows[0]["errors"][0]["message"]
    assert table_counts() == before
    assert set(Order.objects.values_list("note", flat=True)) == {""}


def test_same_order_twice_in_one_file(cs, mapped):
    report = import_orders(cs, [order("1"), order("1", note="second version")], chunk=100)
    assert [r["result"] for r in report.rows] == ["created", "updated"]
    assert Order.objects.get(external_id="1").note == "second version"


def test_unreviewed_order_is_reviewed_on_the_next_run(cs, mapped):
    report = import_orders(cs, [order("1")], review=False)
    assert report.review == {} and Order.objects.get().status == "pending_review"
    again = import_orders(cs, [order("1")])
    assert again.unchanged == 1 and again.review["approved"] == 1
    assert Order.objects.get().status == "approved"


# --- rejections -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "over, expected",
    [
        ({"store": "NOPE"}, ("store", "unknown_store")),
        ({"store": ""}, ("store", "required")),
        ({"external_id": " "}, ("external_id", "required")),
        ({"external_id": "x" * 129}, ("external_id", "too_long")),
        ({"currency": "XYZ"}, ("currency", "invalid_currency")),
        ({"shipping_address.country": "XX"}, ("shipping_address.country", "invalid_country")),
        ({"shipping_address.country": ""}, ("shipping_address.country", "required")),
        ({"shipping_address.name": ""}, ("shipping_address.name", "required")),
        ({"shipping_address.address1": " "}, ("shipping_address.address1", "required")),
        ({"totals.shipping": 5.0}, ("totals.shipping", "invalid_amount")),
        ({"totals.shipping": "five"}, ("totals.shipping", "invalid_amount")),
        ({"totals.tax": "0.00001"}, ("totals.tax", "invalid_amount")),
        ({"totals.discount": "-1"}, ("totals.discount", "negative_amount")),
        ({"totals.discount": "100"}, ("totals.grand", "negative_amount")),
        ({"lines": []}, ("lines", "no_lines")),
        ({"lines": None}, ("lines", "no_lines")),
        ({"payment_status": "maybe"}, ("payment_status", "invalid_payment_status")),
        ({"placed_at": "yesterday"}, ("placed_at", "invalid_datetime")),
        ({"buyer": "Jane"}, ("buyer", "invalid_type")),
    ],
)
def test_rejected_with_field_and_code(cs, mapped, over, expected):
    report = import_orders(cs, [order("1", **over)])
    assert report.rejected == 1 and report.created == 0
    assert expected in codes(report.rows[0])
    assert report.rows[0]["result"] == "rejected"
    assert all(e["message"] for e in report.rows[0]["errors"])
    assert not Order.objects.exists()


@pytest.mark.parametrize("qty", [0, -1, "1.5", "two", True, 1.0, 2_000_000])
def test_quantity_must_be_a_positive_integer(cs, mapped, qty):
    bad = order("1")
    bad["lines"][1]["quantity"] = qty
    report = import_orders(cs, [bad])
    assert codes(report.rows[0]) == [("lines[1].quantity", "invalid_quantity")]


def test_float_unit_price_is_refused(cs, mapped):
    bad = order("1")
    bad["lines"][0]["unit_price"] = 10.1
    assert codes(import_orders(cs, [bad]).rows[0]) == [("lines[0].unit_price", "invalid_amount")]


def test_bad_row_in_the_middle_is_rejected_and_the_others_land(cs, mapped):
    rows = [order(str(i)) for i in range(1, 6)]
    rows[2]["shipping_address"]["country"] = "Atlantis"
    rows[2]["lines"][0]["quantity"] = 0
    report = import_orders(cs, rows, chunk=2)
    assert (report.created, report.rejected) == (4, 1)
    assert [(r["row"], r["external_id"], r["result"]) for r in report.rows] == [
        (1, "1", "created"),
        (2, "2", "created"),
        (3, "3", "rejected"),
        (4, "4", "created"),
        (5, "5", "created"),
    ]
    assert codes(report.rows[2]) == [
        ("shipping_address.country", "invalid_country"),
        ("lines[0].quantity", "invalid_quantity"),
    ]
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["1", "2", "4", "5"]
    assert OrderLine.objects.count() == 8
    assert StateEvent.objects.filter(to_state="pending_review").count() == 4


def test_import_needs_the_permission_and_writes_nothing(logistics, mapped):
    before = table_counts()
    with pytest.raises(PermissionDenied):
        import_orders(logistics, [order("1")])
    assert table_counts() == before


# --- SKU mapping ----------------------------------------------------------------------------


def test_bundle_expands_direct_code_matches_unmapped_stays_empty(cs, mapped):
    o = order("1")
    o["lines"] = [
        {"store_sku": "S-BUNDLE", "title": "Set", "quantity": 3, "unit_price": "10.00"},
        {"store_sku": "C", "title": "Plate", "quantity": 1, "unit_price": "4.00"},
        {"store_sku": "UNKNOWN", "title": "?", "quantity": 2, "unit_price": "1.00"},
    ]
    import_orders(cs, [o])
    order_row = Order.objects.get()
    lines = list(
        order_row.lines.values_list(
            "line_no", "store_sku", "store_quantity", "sku__code", "quantity", "unit_price"
        )
    )
    assert lines == [
        (1, "S-BUNDLE", 3, "A", 3, Decimal("3.3334")),
        (2, "S-BUNDLE", 3, "B", 6, Decimal("3.3333")),
        (3, "C", 1, "C", 1, Decimal("4.0000")),
        (4, "UNKNOWN", 2, None, 2, Decimal("1.0000")),
    ]
    bundle_value = sum(q * p for _, s, _, _, q, p in lines if s == "S-BUNDLE")
    assert bundle_value == Decimal("30.0000")  # the store line's value, exactly
    assert order_row.status == "invalid"  # the review's lines rule: unmapped_sku
    assert {v["rule"]: v["code"] for v in order_row.review}["lines"] == "unmapped_sku"


def test_expand_lines_keeps_value_with_uneven_split():
    comps = {"X": ((1, 1), (2, 1), (3, 1))}
    lines = writing.expand_lines([("X", "", 1, Decimal("10.00"))], comps.get)
    assert [line[6] for line in lines] == [Decimal("3.3334"), Decimal("3.3333"), Decimal("3.3333")]
    assert sum(line[5] * line[6] for line in lines) == Decimal("10.00")


# --- duplicates -----------------------------------------------------------------------------


def test_duplicate_is_flagged_even_when_the_earlier_order_comes_in_a_later_chunk(cs, mapped):
    later = order("2", placed_at="2026-11-20T12:00:00Z")
    earlier = order("1", placed_at="2026-11-20T10:00:00Z")
    for o in (later, earlier):
        o["buyer"]["email"] = "same@example.com"
    import_orders(cs, [later, earlier], chunk=1)
    status = dict(Order.objects.values_list("external_id", "status"))
    assert status == {"1": "approved", "2": "pending_contact"}
    flagged = Order.objects.get(external_id="2")
    dup = {v["rule"]: v for v in flagged.review}["duplicate"]
    assert (dup["code"], dup["detail"]) == (
        "possible_duplicate",
        str(Order.objects.get(external_id="1").pk),
    )


# --- formats --------------------------------------------------------------------------------


def to_csv_rows(o):
    a, t, b = o["shipping_address"], o.get("totals", {}), o.get("buyer", {})
    head = {
        "store": o["store"],
        "external_id": o["external_id"],
        "number": o.get("number", ""),
        "placed_at": o.get("placed_at", ""),
        "currency": o.get("currency", ""),
        "payment_status": o.get("payment_status", ""),
        **{f"buyer_{k}": b.get(k, "") for k in ("name", "email", "phone")},
        **{f"ship_{k}": v for k, v in a.items()},
        **{f"{k}_total": t.get(k, "") for k in ("items", "shipping", "tax", "discount", "grand")},
        "note": o.get("note", ""),
    }
    return [{**head, **line} for line in o["lines"]]


def encode(orders, fmt):
    if fmt == "json":
        return json.dumps(orders).encode()
    if fmt == "jsonl":
        return "\n".join(json.dumps(o) for o in orders).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for o in orders:
        writer.writerows(to_csv_rows(o))
    return out.getvalue().encode("utf-8-sig")


def test_csv_groups_consecutive_rows_and_numbers_rows_by_line(cs, mapped):
    data = encode([order("1"), order("2", **{"shipping_address.country": "ZZ"}), order("3")], "csv")
    report = import_file(cs, io.BytesIO(data), "csv")
    assert [(r["row"], r["external_id"], r["result"]) for r in report.rows] == [
        (2, "1", "created"),
        (4, "2", "rejected"),
        (6, "3", "created"),
    ]
    assert Order.objects.get(external_id="1").lines.count() == 2


def test_csv_row_contradicting_its_order_is_refused(cs, mapped):
    rows = to_csv_rows(order("1"))
    rows[1]["ship_city"] = "Elsewhere"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    report = import_file(cs, io.StringIO(out.getvalue()), "csv")
    assert codes(report.rows[0]) == [("ship_city", "conflicting_value")]


def test_csv_from_chinese_excel_gb18030_semicolons_and_upper_case_header(cs, mapped):
    o = order("1", note="请先联系")
    o["shipping_address"]["name"] = "王小明"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c.upper() for c in CSV_COLUMNS], delimiter=";")
    writer.writeheader()
    for row in to_csv_rows(o):
        writer.writerow({k.upper(): v for k, v in row.items()})
    report = import_file(cs, io.BytesIO(out.getvalue().encode("gb18030")), "csv")
    assert report.created == 1, report.rows
    assert Order.objects.values_list("ship_name", "note").get() == ("王小明", "请先联系")


def test_file_in_another_encoding_after_the_sample_is_refused_clearly(cs, mapped):
    head = json.dumps(order("1")) + "\n"
    pad = "\n" * (70 * 1024)  # push the bad byte past the 64 KiB sample
    data = head.encode() + pad.encode() + b'{"store": "\xff"}\n'
    with pytest.raises(ValidationFailed) as exc:
        import_file(cs, io.BytesIO(data), "jsonl")
    assert exc.value.code == "invalid_encoding"
    assert Order.objects.count() == 0  # the first chunk had not been written yet


def test_nul_characters_and_huge_notes_are_refused(cs, mapped):
    nul = order("1", note="fine")
    nul["shipping_address"]["city"] = "Mountain\x00View"
    nul["lines"][0]["title"] = "a\x00b"
    long_note = order("2", note="x" * 10_001)
    report = import_orders(cs, [nul, long_note])
    assert codes(report.rows[0]) == [
        ("shipping_address.city", "invalid_text"),
        ("lines[0].title", "invalid_text"),
    ]
    assert codes(report.rows[1]) == [("note", "too_long")]


def test_csv_field_over_the_size_limit_ends_the_file_with_a_rejected_row(cs, mapped):
    rows = to_csv_rows(order("1")) + to_csv_rows(order("2"))
    rows[-1]["title"] = "x" * (csv.field_size_limit() + 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    report = import_file(cs, io.StringIO(out.getvalue()), "csv")
    assert [(r["row"], r["result"], codes(r)) for r in report.rows] == [
        (2, "created", []),
        (4, "rejected", [("", "invalid_csv")]),  # order 2 (lines 4-5) is refused whole
    ]
    assert list(Order.objects.values_list("external_id", flat=True)) == ["1"]


def test_csv_without_required_columns_is_refused(cs, mapped):
    with pytest.raises(ValidationFailed) as exc:
        import_file(cs, io.StringIO("store,external_id\nUS1,1\n"), "csv")
    assert exc.value.code == "invalid_csv"
    assert exc.value.details["missing"] == ["store_sku", "quantity"]


def test_jsonl_bad_line_is_rejected_the_others_land(cs, mapped):
    text = "\n".join([json.dumps(order("1")), "{not json", "", "[1, 2]", json.dumps(order("2"))])
    report = import_file(cs, io.StringIO(text), "jsonl")
    assert [(r["row"], r["result"], codes(r)) for r in report.rows] == [
        (1, "created", []),
        (2, "rejected", [("", "invalid_json")]),
        (4, "rejected", [("", "invalid_type")]),
        (5, "created", []),
    ]


def test_json_numbers_are_read_as_decimals_not_floats(cs, mapped):
    o = order("1")
    o["lines"][0]["unit_price"] = "__PRICE__"
    text = json.dumps([o]).replace('"__PRICE__"', "0.1")
    import_file(cs, io.StringIO(text), "json")
    assert OrderLine.objects.get(store_sku="S-A").unit_price == Decimal("0.1")


def test_json_array_is_read_in_small_blocks():
    orders = [order(str(i)) for i in range(5)]
    text = json.dumps(orders, indent=1)
    got = list(read_json_array(io.StringIO(text), block=7))
    assert [n for n, _ in got] == [1, 2, 3, 4, 5]
    assert [o["external_id"] for _, o in got] == ["0", "1", "2", "3", "4"]
    assert list(read_json_array(io.StringIO(" [ ] "))) == []


def test_broken_json_array_keeps_what_came_before(cs, mapped):
    text = "[" + json.dumps(order("1")) + ", {broken"
    report = import_file(cs, io.StringIO(text), "json")
    assert [(r["row"], r["result"]) for r in report.rows] == [(1, "created"), (2, "rejected")]
    assert codes(report.rows[1]) == [("", "invalid_json")]


def test_unknown_format_is_refused(cs):
    with pytest.raises(ValidationFailed) as exc:
        import_file(cs, io.StringIO(""), "xml")
    assert exc.value.code == "invalid_format"


# --- scale ----------------------------------------------------------------------------------


def test_report_keeps_all_rejected_rows_but_caps_the_others(cs, mapped):
    rows = [order(str(i)) for i in range(6)] + [order("bad", store="NOPE")]
    report = import_orders(cs, rows, max_rows=2)
    assert (report.created, report.rejected, report.rows_omitted) == (6, 1, 4)
    assert [r["result"] for r in report.rows] == ["created", "created", "rejected"]
    assert report.as_dict()["total"] == 7


def test_query_count_does_not_grow_with_orders(cs, mapped, django_assert_max_num_queries):
    def many(prefix, n):
        out = []
        for i in range(n):
            o = order(f"{prefix}{i}")
            if i % 3 == 0:
                o["lines"].append(
                    {"store_sku": "S-BUNDLE", "title": "Set", "quantity": 1, "unit_price": "9"}
                )
            out.append(o)
        return out

    with django_assert_max_num_queries(29):  # executemany counts as one; block list: count + read
        report = import_orders(cs, many("a", 200))
    assert report.created == 200 and report.review["approved"] == 200
    with django_assert_max_num_queries(40):  # IN lists are cut at 900
        report = import_orders(cs, many("b", 1000))
    assert report.created == 1000
    with django_assert_max_num_queries(10):
        assert import_orders(cs, many("b", 1000)).unchanged == 1000


def test_planner_statistics_are_renewed_as_a_big_import_grows(cs, mapped, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(writing, "ANALYZE_AFTER", 3)  # the writer keeps the statistics
    with CaptureQueriesContext(connection) as queries:
        import_orders(cs, [order(str(i)) for i in range(8)], chunk=2)
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyzed) >= 1
        assert analyzed[0] == 'ANALYZE "orders_order", "orders_orderline"'
    else:
        assert analyzed == []  # SQLite plans these lookups by their unique index anyway


def test_progress_is_reported_per_chunk(cs, mapped):
    seen = []
    import_orders(cs, [order(str(i)) for i in range(5)], chunk=2, progress=seen.append)
    assert seen == [2, 4, 5]


def test_job_kind_imports_and_reports_progress(cs, mapped):
    assert jobs._kinds[importing.JOB_KIND] is importing.import_job
    text = "\n".join(json.dumps(order(str(i))) for i in range(3))
    calls = []
    result = importing.import_job(
        cs, {"format": "jsonl", "content": text}, lambda d, t: calls.append((d, t))
    )
    assert result["created"] == 3 and len(result["rows"]) == 3
    size = len(text.encode())
    assert calls[0] == (0, size) and calls[-1] == (size, size)


def test_job_reads_a_file_from_the_imports_folder(cs, mapped, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    folder = importing.imports_dir()
    folder.mkdir()
    (folder / "upload-1.csv").write_bytes(encode([order("1"), order("2")], "csv"))
    calls = []
    result = importing.import_job(
        cs, {"format": "csv", "path": "upload-1.csv"}, lambda d, t: calls.append((d, t))
    )
    assert result["created"] == 2
    assert calls[-1][0] == calls[-1][1] > 0


def test_a_run_stopped_half_way_keeps_its_chunks_and_says_so(cs, mapped):
    def rows():
        yield order("1")
        raise RuntimeError("the reader broke")

    with pytest.raises(RuntimeError):
        import_orders(cs, rows(), chunk=1)
    assert Order.objects.get().external_id == "1"
    run = AuditLog.objects.get(action="orders.import")
    assert (run.changes["created"], run.changes["finished"]) == (1, False)


def test_job_refuses_a_path_outside_the_imports_folder(cs):
    with pytest.raises(ValidationFailed):
        importing.import_job(cs, {"format": "csv", "path": "../secret_key"}, lambda d, t: None)


def test_naive_time_is_read_in_the_server_time_zone(cs, mapped):
    import_orders(cs, [order("1", placed_at="2026-11-20 10:00")])
    placed = Order.objects.get().placed_at
    local = timezone.make_aware(datetime(2026, 11, 20, 10, 0), timezone.get_default_timezone())
    assert placed == local
    assert abs(placed - local) < timedelta(seconds=1)


def test_placed_at_is_stored_as_the_orm_stores_it(cs, mapped):
    """The writer puts the order time in the column itself: the same value, and on SQLite the
    same text, as saving it through the ORM (with and without microseconds, from an offset)."""
    import_orders(
        cs,
        [
            order("1", placed_at="2026-11-20T18:15:00+08:00"),
            order("2", placed_at="2026-11-20T10:15:00.250000-05:00"),
        ],
    )
    expected = {
        "1": datetime(2026, 11, 20, 10, 15, tzinfo=UTC),
        "2": datetime(2026, 11, 20, 15, 15, 0, 250000, tzinfo=UTC),
    }
    stored = dict(Order.objects.values_list("external_id", "placed_at"))
    assert stored == expected
    if connection.vendor == "sqlite":  # a text column there: the very text the ORM writes
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT external_id, CAST(placed_at AS TEXT) FROM orders_order ORDER BY external_id"
            )
            raw = cursor.fetchall()
        field = Order._meta.get_field("placed_at")
        assert raw == [
            (ext, field.get_db_prep_save(expected[ext], connection)) for ext in ("1", "2")
        ]
        assert raw[1][1] == "2026-11-20 15:15:00.250000"


def test_input_dicts_are_not_modified(cs, mapped):
    rows = [order("1")]
    snapshot = copy.deepcopy(rows)
    import_orders(cs, rows)
    assert rows == snapshot


# --- limits of imported files ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_a_file_past_the_row_limit_is_refused_whole_before_anything_is_written(
    cs, mapped, settings, fmt
):
    # Three orders of two lines: CSV counts 6 rows, JSON and JSON Lines count 3 orders. The
    # chunks of one order each would have landed one by one; the limit is checked first.
    settings.IMPORT_MAX_ROWS = 5 if fmt == "csv" else 2
    data = encode([order("1"), order("2"), order("3")], fmt)
    before = AuditLog.objects.count()
    with pytest.raises(importing.safety.FileLimitExceeded) as exc:
        import_file(cs, io.BytesIO(data), fmt, chunk=1)
    assert exc.value.status == 413 and exc.value.code == "file_too_many_rows"
    assert exc.value.details == {
        "limit": settings.IMPORT_MAX_ROWS,
        "setting": "TRADELANE_IMPORT_MAX_ROWS",
    }
    unit = "rows" if fmt == "csv" else "orders"
    assert f"more than {settings.IMPORT_MAX_ROWS} {unit}" in exc.value.message
    assert Order.objects.count() == 0 and AuditLog.objects.count() == before
    settings.IMPORT_MAX_ROWS = 6 if fmt == "csv" else 3
    assert import_file(cs, io.BytesIO(data), fmt).created == 3  # at the limit is fine


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_a_cell_past_the_limit_is_refused_whole(cs, mapped, settings, fmt):
    settings.IMPORT_MAX_CELL_CHARS = 1000
    data = encode([order("1"), order("2", note="x" * 1001)], fmt)
    with pytest.raises(importing.safety.FileLimitExceeded) as exc:
        import_file(cs, io.BytesIO(data), fmt, chunk=1)
    assert exc.value.code == "file_cell_too_long"
    where = {"csv": (4, "note"), "json": (2, "note"), "jsonl": (2, "note")}[fmt]
    assert (exc.value.details["row"], exc.value.details["column"]) == where
    assert Order.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_long_order_of_short_strings_passes_the_cell_limit(cs, mapped, settings, fmt):
    # The order's JSON text is longer than the cell limit (so its strings are walked one by
    # one) but none of its strings is: it is imported like any other.
    settings.IMPORT_MAX_CELL_CHARS = 300
    big = order("2", note="n" * 300)
    big["lines"] = [dict(big["lines"][0], title="t" * 300) for _ in range(3)]
    assert len(json.dumps(big)) > 900
    report = import_file(cs, io.BytesIO(encode([order("1"), big], fmt)), fmt)
    assert (report.created, report.rejected) == (2, 0)
    assert Order.objects.get(external_id="2").note == "n" * 300


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_escapes_count_as_the_characters_they_stand_for(cs, mapped, settings, fmt):
    # "\u00e9" is six characters of JSON for one of text: a note of 200 escaped characters is
    # 1,200 characters of JSON and 200 of text, within a limit of 250; one of 251 is not.
    settings.IMPORT_MAX_CELL_CHARS = 250
    ok = encode([order("1", note="é" * 200)], fmt)  # json.dumps escapes it
    assert b"\\u00e9" * 200 in ok
    assert import_file(cs, io.BytesIO(ok), fmt).created == 1
    assert Order.objects.get(external_id="1").note == "é" * 200
    bad = encode([order("2", note="é" * 251)], fmt)
    with pytest.raises(importing.safety.FileLimitExceeded) as exc:
        import_file(cs, io.BytesIO(bad), fmt)
    assert exc.value.code == "file_cell_too_long"
    assert (exc.value.details["row"], exc.value.details["column"]) == (1, "note")
    assert not Order.objects.filter(external_id="2").exists()


def test_the_limit_check_of_json_lines_finds_what_the_full_read_finds(settings):
    # import_file's first pass (check_only) decodes only lines longer than the cell limit; it
    # must refuse exactly what the full read refuses, and let broken lines through to it.
    from tradelane.orders.importing.readers import read_jsonl

    settings.IMPORT_MAX_CELL_CHARS = 50
    limits = importing.safety.file_limits()
    lines = ['{"a": "short"}', "not json", "", '{"a": "' + "x" * 40 + '", "b": "y"}']
    assert list(read_jsonl(lines, limits, check_only=True)) == []
    assert [n for n, _ in read_jsonl(lines, limits)] == [1, 2, 4]
    long = [*lines, '{"a": "' + "x" * 51 + '"}']
    for check_only in (True, False):
        with pytest.raises(importing.safety.FileLimitExceeded) as exc:
            list(read_jsonl(long, limits, check_only=check_only))
        assert (exc.value.details["row"], exc.value.details["column"]) == (5, "a")
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(importing.safety.FileLimitExceeded) as exc:
        list(read_jsonl(lines, importing.safety.file_limits(), check_only=True))
    assert exc.value.code == "file_too_many_rows"


def test_the_api_answers_413_naming_the_limit_and_writes_nothing(client, cs, mapped, settings):
    settings.IMPORT_MAX_ROWS = 3
    upload = io.BytesIO(encode([order(str(i)) for i in range(4)], "jsonl"))
    upload.name = "orders.jsonl"
    client.force_login(cs)
    r = client.post("/api/v1/orders/import/file", {"file": upload})
    assert r.status_code == 413, r.content
    assert r.json()["code"] == "file_too_many_rows"
    assert r.json()["details"] == {"limit": 3, "setting": "TRADELANE_IMPORT_MAX_ROWS"}
    assert Order.objects.count() == 0


def test_an_encoding_error_late_in_the_file_now_writes_nothing(cs, mapped):
    head = "".join(json.dumps(order(str(i))) + "\n" for i in range(3))
    data = head.encode() + b"\n" * (70 * 1024) + b'{"store": "\xff"}\n'
    with pytest.raises(ValidationFailed) as exc:
        import_file(cs, io.BytesIO(data), "jsonl", chunk=1)
    assert exc.value.code == "invalid_encoding"
    assert Order.objects.count() == 0


def test_a_file_that_cannot_seek_is_read_twice_from_a_copy(cs, mapped):
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    report = import_file(cs, Pipe(encode([order("1"), order("2")], "csv")), "csv")
    assert report.created == 2


def test_csv_cells_our_exports_neutralized_are_imported_as_they_were(cs, mapped):
    o = order("1", note="=1+2")
    o["buyer"]["name"] = '=HYPERLINK("http://x","y")'
    o["shipping_address"]["name"] = "@SUM(A1)"
    o["shipping_address"]["address2"] = "'quoted"
    rows = to_csv_rows(o)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    from tradelane.core.spreadsheet_safety import neutralize

    writer.writerows({k: neutralize(v) for k, v in row.items()} for row in rows)
    assert "'=HYPERLINK" in out.getvalue() and "'@SUM(A1)" in out.getvalue()
    report = import_file(cs, io.StringIO(out.getvalue()), "csv")
    assert report.created == 1, report.rows
    got = Order.objects.values_list("buyer_name", "ship_name", "ship_address2", "note").get()
    assert got == ('=HYPERLINK("http://x","y")', "@SUM(A1)", "'quoted", "=1+2")


# The public names of importing.py before it became a package, by the module they moved to.
MOVED_NAMES = {
    "readers": (
        "CSV_COLUMNS", "FORMATS", "MAX_ELEMENT_CHARS", "orders_from_rows", "read_csv",
        "read_json_array", "read_jsonl", "sniff_encoding",
    ),
    "normalizing": (
        "DATA_FIELDS", "MAX_NOTE", "MAX_QUANTITY", "normalize_order", "order_fingerprint",
    ),
    "report": ("CREATED", "MAX_ROWS", "REJECTED", "UNCHANGED", "UPDATED", "ImportReport"),
    "writing": ("ANALYZE_AFTER", "IN_BATCH", "MAX_LINE_UNITS", "Components", "expand_lines"),
}  # fmt: skip


def test_the_names_of_the_former_module_are_still_the_packages():
    for module, names in MOVED_NAMES.items():
        home = import_module(f"tradelane.orders.importing.{module}")
        for name in names:
            assert getattr(importing, name) is getattr(home, name), name
    assert importing.CHUNK == 2000
    assert importing.JOB_KIND == "orders.import"
    for name in ("import_file", "import_job", "import_numbered", "import_orders", "imports_dir"):
        assert getattr(importing, name).__module__ == "tradelane.orders.importing", name
