"""Assigning last-mile numbers: by hand (history kept, the customer told, refusals change
nothing) and from the line's file (a per-row report in both languages, all-or-nothing or the
valid rows only, set-based for a big file)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, OutboxMessage
from tradelane.forwarding.models import LastMileAssignment, Waybill, WaybillEvent
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import services as waybills

from .. import assignment, file_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    partners.set_webhook(ns.admin, ns.acme, "https://erp.example/hooks")
    ns.w, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R1"))
    ns.w2, _ = waybills.create_waybill(ns.acme_user, ns.acme, payload("R2"))
    return ns


def _hooks(event):
    rows = OutboxMessage.objects.filter(topic="forwarding.customer_webhook").order_by("id")
    return [m.payload["body"] for m in rows if m.payload["body"]["event"] == event]


def _state():
    return (
        list(Waybill.objects.order_by("pk").values_list("last_mile_carrier", "last_mile_number",
                                                          "tracking_number")),
        LastMileAssignment.objects.count(), WaybillEvent.objects.count(),
        OutboxMessage.objects.count(), AuditLog.objects.count(),
    )  # fmt: skip


def test_assign_by_hand_tells_the_customer_and_the_timeline(p):
    row = assignment.assign(p.hub, p.w, " USPS ", "9400111899560000000001")
    p.w.refresh_from_db()
    assert (row.carrier, row.number, row.source, row.assigned_by) == (
        "USPS",
        "9400111899560000000001",
        "manual",
        p.hub,
    )
    assert (p.w.last_mile_carrier, p.w.last_mile_number) == ("USPS", "9400111899560000000001")
    assert p.w.tracking_number == "9400111899560000000001"  # it had none yet
    (body,) = _hooks("waybill.last_mile_assigned")
    assert body["waybill"]["last_mile_number"] == "9400111899560000000001"
    assert body["changes"]["last_mile_number"] == ["", "9400111899560000000001"]
    last = p.w.events.order_by("-id").first()
    assert (last.status, last.description) == (
        "info_received",
        "Last-mile number assigned: USPS 9400111899560000000001",
    )
    assert AuditLog.objects.filter(action="forwarding.lastmile.assign").count() == 1


def test_reassignment_keeps_the_history_and_a_repeat_is_the_same_row(p):
    first = assignment.assign(p.hub, p.w, "USPS", "NUM-0001")
    again = assignment.assign(p.hub, p.w, "USPS", "NUM-0001")  # the scanner sent twice
    assert again.pk == first.pk and LastMileAssignment.objects.count() == 1
    second = assignment.assign(p.hub, p.w, "UPS", "1Z0002")
    rows = assignment.history(p.w)
    assert [(r.carrier, r.number, r.is_current) for r in rows] == [
        ("USPS", "NUM-0001", False),
        ("UPS", "1Z0002", True),
    ]
    assert assignment.current(p.w).pk == second.pk
    assert len(_hooks("waybill.last_mile_assigned")) == 2
    # the old number is free again for another waybill of that carrier
    assignment.assign(p.hub, p.w2, "USPS", "NUM-0001")


@pytest.mark.parametrize(("carrier", "number", "code"), [
    ("", "NUM-1", "last_mile_carrier_required"),
    ("USPS", "  ", "last_mile_number_required"),
    ("USPS", "a b", "last_mile_number_invalid"),
    ("USPS", "x" * 61, "last_mile_number_invalid"),
    ("C" * 61, "NUM-1", "last_mile_carrier_invalid"),
])  # fmt: skip
def test_bad_input_is_refused_and_changes_nothing(p, carrier, number, code):
    before = _state()
    with pytest.raises(ValidationFailed) as e:
        assignment.assign(p.hub, p.w, carrier, number)
    assert e.value.code == code
    assert _state() == before


def test_a_number_of_another_waybill_is_refused(p):
    assignment.assign(p.hub, p.w, "USPS", "NUM-0001")
    before = _state()
    with pytest.raises(Conflict) as e:
        assignment.assign(p.hub, p.w2, "USPS", "NUM-0001")
    assert e.value.code == "last_mile_number_taken"
    assert e.value.details == {"waybill": p.w.number, "number": "NUM-0001"}
    assert _state() == before
    # the same number of ANOTHER carrier is another parcel
    assignment.assign(p.hub, p.w2, "DHL", "NUM-0001")


def test_refused_for_who_may_not_and_for_finished_waybills(p):
    before = _state()
    with pytest.raises(PermissionDenied):
        assignment.assign(p.acme_user, p.w, "USPS", "NUM-0001")
    with pytest.raises(PermissionDenied):
        assignment.assign(p.sales1, p.w, "USPS", "NUM-0001")
    waybills.cancel_waybill(p.acme_user, p.w2)
    before = _state()
    with pytest.raises(Conflict) as e:
        assignment.assign(p.hub, p.w2, "USPS", "NUM-0001")
    assert e.value.code == "last_mile_not_assignable"
    assert _state() == before


# --- the file --------------------------------------------------------------------------------


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_preview_reports_every_row_in_both_languages_and_writes_nothing(p):
    assignment.assign(p.hub, p.w2, "USPS", "TAKEN-1")
    waybills.assign_numbers(p.hub, p.w, tracking_number="LBL000111")
    data = _csv(
        "运单号,客户单号,跟踪号,服务商,转单号",
        f"{p.w.number},,,USPS,NEW-0001",
        ",R2,,USPS,TAKEN-1",  # p.w2 has it already: unchanged
        ",,LBL000111,USPS,NEW-0002",  # p.w again, by its tracking number
        "TL000,,,USPS,NEW-0003",
        f"{p.w2.number},,,,NEW-0004",
        ",,,USPS,NEW-0005",
        f"{p.w2.number},,,DHL,bad number",
    )
    before = _state()
    report = file_import.preview(p.hub, data, "line.csv")
    assert _state() == before
    got = [(r.row, r.status, r.code) for r in report.rows]
    assert got == [
        (2, "ok", "ok"),
        (3, "ok", "unchanged"),
        (4, "error", "duplicate_waybill"),
        (5, "error", "waybill_not_found"),
        (6, "error", "last_mile_carrier_required"),
        (7, "error", "waybill_missing"),
        (8, "error", "last_mile_number_invalid"),
    ]
    assert (report.ok, report.errors) == (2, 5)
    d = report.rows[3].as_dict()
    assert (d["message_en"], d["message_zh"]) == ("No such waybill", "找不到此运单")


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(p):
    data = _csv(
        "waybill number,carrier,last-mile number",
        f"{p.w.number},USPS,NEW-0001",
        "TL000,USPS,NEW-0002",
    )
    before = _state()
    report = file_import.apply(p.hub, data, "x.csv", mode="all_or_nothing")
    assert [(r.status, r.code) for r in report.rows] == [
        ("error", "batch_rejected"),
        ("error", "waybill_not_found"),
    ]
    assert (report.written, report.applied) == (0, False)
    assert _state() == before


def test_valid_rows_only_writes_those_with_history_events_and_webhooks(p):
    assignment.assign(p.hub, p.w, "USPS", "OLD-0001")
    data = _xlsx(
        [
            ["运单号", "服务商", "转单号"],
            [p.w.number, "UPS", "1Z-NEW-1"],
            [p.w2.number, "UPS", "1Z-NEW-2"],
            ["TL000", "UPS", "1Z-NEW-3"],
        ]
    )
    report = file_import.apply(p.hub, data, "line.xlsx", mode="valid_only")
    assert [(r.status, r.code) for r in report.rows] == [
        ("ok", "written"),
        ("ok", "written"),
        ("error", "waybill_not_found"),
    ]
    assert (report.written, report.applied) == (2, True)
    p.w.refresh_from_db()
    p.w2.refresh_from_db()
    assert (p.w.last_mile_carrier, p.w.last_mile_number) == ("UPS", "1Z-NEW-1")
    assert p.w.tracking_number == "OLD-0001"  # the first number became the tracking number
    assert (p.w2.last_mile_number, p.w2.tracking_number, p.w2.tracking_status) == (
        "1Z-NEW-2",
        "1Z-NEW-2",
        "assigned",
    )
    assert [(r.number, r.source, r.is_current) for r in assignment.history(p.w)] == [
        ("OLD-0001", "manual", False),
        ("1Z-NEW-1", "file", True),
    ]
    hooks = _hooks("waybill.last_mile_assigned")
    assert [h["waybill"]["last_mile_number"] for h in hooks] == ["OLD-0001", "1Z-NEW-1", "1Z-NEW-2"]
    assert p.w2.events.filter(description="Last-mile number assigned: UPS 1Z-NEW-2").count() == 1
    assert AuditLog.objects.filter(action="forwarding.lastmile.file").count() == 1


def test_default_carrier_and_reference_column(p):
    data = _csv("客户单号,服务商单号", "R1,N-000001", "R2,N-000002")
    report = file_import.apply(p.hub, data, "x.csv", default_carrier="YUN")
    assert report.written == 2
    assert set(Waybill.objects.values_list("last_mile_carrier", flat=True)) == {"YUN"}


def test_a_file_without_the_columns_is_refused(p):
    with pytest.raises(ValidationFailed) as e:
        file_import.preview(p.hub, _csv("foo,bar", "1,2"))
    assert e.value.code == "lastmile_file_columns"
    with pytest.raises(ValidationFailed) as e:
        file_import.preview(p.hub, b"")
    assert e.value.code == "empty_file"
    with pytest.raises(PermissionDenied):
        file_import.preview(p.acme_user, _csv("运单号,转单号", f"{p.w.number},N1"))


def test_gb18030_csv_from_chinese_excel(p):
    data = f"运单号,服务商,转单号\r\n{p.w.number},云途,YT0000001\r\n".encode("gb18030")
    report = file_import.apply(p.hub, data, "x.csv")
    assert report.written == 1
    p.w.refresh_from_db()
    assert p.w.last_mile_carrier == "云途"


def test_a_big_file_is_written_in_a_few_statements(p):
    from tradelane.forwarding.waybills import services as ws

    results = ws.create_waybills(p.acme_user, p.acme,
                                 [payload(f"B{i}") for i in range(300)])  # fmt: skip
    numbers = [r.waybill.number for r in results]
    lines = [f"{n},UPS,1ZB{i:06d}" for i, n in enumerate(numbers)]
    data = _csv("waybill,carrier,last_mile_number", *lines)
    partners.set_webhook(p.admin, p.acme, "")  # no webhooks: count the writes alone
    with CaptureQueriesContext(connection) as q:
        report = file_import.apply(p.hub, data, "big.csv")
    assert report.written == 300
    assert len(q.captured_queries) < 40, len(q.captured_queries)
    assert LastMileAssignment.objects.filter(source="file").count() == 300
