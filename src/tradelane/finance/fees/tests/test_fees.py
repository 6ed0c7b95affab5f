"""Fees per waybill: the lines posted at forecast, at inbound on the measured weight, on a
channel change, on a fuel rate of another date and by hand; deltas, never overwrites; re-runs
that write nothing; append-only lines; lines on an issued statement left as they were.

Golden figures by hand from the test provider's sheets (``forwarding.tests.factories``):
ACME on USLINE sells at its own 55.00/kg + 10.00 registration and costs 40.00/kg + 8.00
(no volumetric weight, 1 g steps), all in CNY.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.finance.fees import breakdown, catalogue, selectors, services
from tradelane.finance.fees.models import AppendOnly, FeeItem, FeeStage, WaybillFeeLine
from tradelane.forwarding.hub.tests.helpers import hub_provider, scan
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import channel, payload, user
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.rates import services as rates
from tradelane.logistics.rates.descriptions import (
    AreaRule,
    BracketData,
    FuelData,
    SheetData,
    SurchargeData,
    ZoneData,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def p():
    ns = hub_provider()
    ns.finance = user("fin1", roles.PROVIDER_FINANCE)
    return ns


def lines(w) -> list[tuple]:
    return [
        (x.side, x.fee_item_id, x.amount, x.currency, x.stage)
        for x in WaybillFeeLine.objects.filter(waybill=w).order_by("id")
    ]


def create(p, ref="R1", **over):
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload(ref, **over))
    return w


def test_the_catalogue_is_seeded_in_both_languages():
    items = {f.code: f for f in FeeItem.objects.all()}
    assert set(items) == catalogue.FEE_ITEM_CODES
    assert (items["freight"].name_zh, items["freight"].name_en) == ("运费", "Freight")
    assert items["storage"].receivable and not items["storage"].payable
    assert services.seed_fee_items() == 0  # idempotent


def test_a_forecast_posts_estimated_receivable_and_payable_lines(p):
    w = create(p)  # 1.2 kg: sale 1.2 x 55 = 66.00 + 10.00; cost 1.2 x 40 = 48.00 + 8.00
    assert lines(w) == [
        ("receivable", "freight", D("66.00"), "CNY", "estimated"),
        ("receivable", "registration", D("10.00"), "CNY", "estimated"),
        ("payable", "freight", D("48.00"), "CNY", "estimated"),
        ("payable", "registration", D("8.00"), "CNY", "estimated"),
    ]
    line = WaybillFeeLine.objects.filter(waybill=w).first()
    assert (line.chargeable_g, line.channel_code, line.zone) == (1200, "USLINE", "Z1")
    assert line.basis["level"] == "customer:ACME" and line.sheet_id is not None
    s = selectors.fee_summary(w)
    assert (s.receivable, s.payable, s.margin.amount, s.currencies) == (
        {"CNY": D("76.00")}, {"CNY": D("56.00")}, D("20.00"), ("CNY",))  # fmt: skip


def test_inbound_at_a_measured_weight_posts_only_the_deltas(p):
    w = create(p)
    out = scan(p, w.number, weight_g=1500)
    assert out["result"] == "ok"
    # 1.5 kg: sale freight 82.50 (+16.50), cost freight 60.00 (+12.00); registration as it was
    assert lines(w)[4:] == [
        ("receivable", "freight", D("16.50"), "CNY", "actual"),
        ("payable", "freight", D("12.00"), "CNY", "actual"),
    ]
    assert WaybillFeeLine.objects.filter(waybill=w, stage="actual").first().chargeable_g == 1500
    s = selectors.fee_summary(w)
    assert (s.receivable["CNY"], s.payable["CNY"], s.margin.amount) == (
        D("92.50"), D("68.00"), D("24.50"))  # fmt: skip
    w.refresh_from_db()
    assert w.sale_amount == s.receivable["CNY"]  # the waybill's own price agrees


def test_the_same_computation_again_writes_nothing(p):
    w = create(p)
    scan(p, w.number, weight_g=1500)
    before = lines(w)
    w.refresh_from_db()
    assert (
        services.post_fees(
            p.admin, w, FeeStage.ACTUAL, breakdown.breakdown_of_priced(services.quote_waybill(w))
        )
        == []
    )
    assert services.rerate_waybill(p.finance, w) == []
    assert lines(w) == before


def test_a_channel_change_at_inbound_posts_channel_change_deltas(p):
    channel(p.admin, "LIGHT", max_weight_g=1500)  # sale 60/kg + 10, cost 40/kg + 8
    cust = partners.create_customer(p.admin, code="LITE", company="Lite Co", level=p.std,
                                    extra_channels=["LIGHT"])  # fmt: skip
    lite = partners.create_portal_user(p.admin, username="lite", password="pw-Tradelane-1",
                                       customer=cust)  # fmt: skip
    w, _ = waybills.create_waybill(lite, cust, payload("L1", channel="LIGHT"))
    out = scan(p, w.number, weight_g=2500, channel="USLINE")  # standard: 60/kg + 10, 40 + 8
    assert (out["result"], out["channel"]) == ("ok", "USLINE")
    # LIGHT at 1.2 kg: 72.00 + 10.00 and 48.00 + 8.00; USLINE at 2.5 kg: 150.00 + 10.00 and
    # 100.00 + 8.00: freight +78.00 and +52.00, registration unchanged
    assert lines(w)[4:] == [
        ("receivable", "freight", D("78.00"), "CNY", "channel_change"),
        ("payable", "freight", D("52.00"), "CNY", "channel_change"),
    ]
    assert WaybillFeeLine.objects.filter(waybill=w).last().channel_code == "USLINE"
    assert selectors.fee_summary(w).margin.amount == D("52.00")  # 160.00 - 108.00


def _fuel_channel(p, later: dt.date):
    zone = ZoneData("Z1", "Z1", (AreaRule(country="US"),))
    ch = rates.create_channel(
        p.admin, code="FUEL", name="Fuel line", currency="CNY", accepts_battery=True
    )
    since = dt.date(2020, 1, 1)
    bracket = BracketData("Z1", 0, 30000, per_kg=D("60"), registration=D("10"))
    rates.create_rate_sheet(p.admin, ch, SheetData(
        kind="cost", currency="CNY", effective_date=since, zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D("40"), registration=D("8")),),
    ))  # fmt: skip
    rates.create_rate_sheet(p.admin, ch, SheetData(
        kind="sale", currency="CNY", effective_date=since, zones=(zone,), brackets=(bracket,),
        fuel=(FuelData(since, D("10")), FuelData(later, D("15"))),
        surcharges=(SurchargeData("BAT", "battery", amount=D("5.00")),),
    ))  # fmt: skip
    return ch


def test_a_fuel_rate_of_a_later_date_posts_a_fuel_delta(p):
    later = timezone.localdate() + dt.timedelta(days=10)
    _fuel_channel(p, later)
    cust = partners.create_customer(p.admin, code="FUELCO", company="Fuel Co", level=p.std,
                                    extra_channels=["FUEL"])  # fmt: skip
    goods = [
        {
            "name_en": "Power bank",
            "quantity": 1,
            "unit_value": "20.00",
            "currency": "USD",
            "hs_code": "850760",
            "battery": True,
        }
    ]
    w, _ = waybills.create_waybill(p.admin, cust, payload("F1", channel="FUEL", items=goods))
    # 1.2 kg: freight 72.00, registration 10.00, battery 5.00 (a surcharge coded "BAT"),
    # fuel 10% of the freight 7.20
    assert lines(w)[:4] == [
        ("receivable", "freight", D("72.00"), "CNY", "estimated"),
        ("receivable", "registration", D("10.00"), "CNY", "estimated"),
        ("receivable", "battery", D("5.00"), "CNY", "estimated"),
        ("receivable", "fuel", D("7.20"), "CNY", "estimated"),
    ]
    # on the later date fuel is 15%: 10.80, so +3.60, and nothing else
    assert [(d.item, d.amount) for d in services.rerate_waybill(p.finance, w, on_date=later)] \
        == [("fuel", D("3.60"))]  # fmt: skip
    assert lines(w)[-1] == ("receivable", "fuel", D("3.60"), "CNY", "fuel")
    assert services.rerate_waybill(p.finance, w, on_date=later) == []


def test_a_manual_line_needs_a_reason_and_is_kept_by_a_rerate(p):
    w = create(p)
    before = lines(w)
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as e:
            services.add_manual_line(p.finance, w, side="receivable", item="storage",
                                     amount="15.00", currency="CNY", reason=reason)  # fmt: skip
        assert (e.value.code, e.value.details) == ("fee_reason_required", {"field": "reason"})
    with pytest.raises(ValidationFailed) as e:
        services.add_manual_line(p.finance, w, side="payable", item="storage", amount="15.00",
                                 currency="CNY", reason="three days on the shelf")  # fmt: skip
    assert e.value.code == "fee_item_side"
    for amount in ("0", "abc", "1.005"):
        with pytest.raises(ValidationFailed) as e:
            services.add_manual_line(p.finance, w, side="receivable", item="storage",
                                     amount=amount, currency="CNY", reason="shelf")  # fmt: skip
        assert e.value.code == "fee_amount_invalid"
    with pytest.raises(ValidationFailed) as e:
        services.add_manual_line(p.finance, w, side="receivable", item="nope", amount="1",
                                 currency="CNY", reason="shelf")  # fmt: skip
    assert e.value.code == "fee_item_unknown"
    with pytest.raises(PermissionDenied):
        services.add_manual_line(p.hub, w, side="receivable", item="storage", amount="15.00",
                                 currency="CNY", reason="three days on the shelf")  # fmt: skip
    assert lines(w) == before  # nothing written by any refusal
    line = services.add_manual_line(p.finance, w, side="receivable", item="storage",
                                    amount="15.00", currency="CNY",
                                    reason="three days on the shelf")  # fmt: skip
    assert (line.stage, line.reason, line.created_by) == ("manual", "three days on the shelf",
                                                          p.finance)  # fmt: skip
    # a re-rating owns the rated items only: the storage fee stays, and so does a manual
    # freight discount
    services.add_manual_line(p.finance, w, side="receivable", item="freight", amount="-6.00",
                             currency="CNY", reason="goodwill")  # fmt: skip
    assert services.rerate_waybill(p.finance, w) == []
    assert selectors.fee_summary(w).margin.amount == D("29.00")  # 76 + 15 - 6 - 56


def test_a_line_is_never_updated_or_deleted(p):
    w = create(p)
    line = WaybillFeeLine.objects.filter(waybill=w).first()
    line.amount = D("1.00")
    with pytest.raises(AppendOnly):
        line.save()
    with pytest.raises(AppendOnly):
        line.delete()
    with pytest.raises(AppendOnly):
        WaybillFeeLine.objects.filter(waybill=w).update(amount=D("1.00"))
    with pytest.raises(AppendOnly):
        WaybillFeeLine.objects.filter(waybill=w).delete()
    with pytest.raises(AppendOnly), transaction.atomic():  # bulk_update's own, without savepoint
        WaybillFeeLine.objects.bulk_update([line], ["amount"])
    assert WaybillFeeLine.objects.get(pk=line.pk).amount == D("66.00")


def test_a_line_on_an_issued_statement_stays_and_a_later_change_is_a_new_delta(p):
    w = create(p)
    issued = list(WaybillFeeLine.objects.filter(waybill=w).values_list("pk", flat=True))
    assert services.mark_on_statement(p.finance, issued, 77) == 4
    scan(p, w.number, weight_g=1500)
    rows = list(WaybillFeeLine.objects.filter(waybill=w).order_by("id"))
    assert [(r.amount, r.statement_id) for r in rows] == [
        (D("66.00"), 77), (D("10.00"), 77), (D("48.00"), 77), (D("8.00"), 77),
        (D("16.50"), None), (D("12.00"), None),
    ]  # fmt: skip
    # a line goes on one statement, once: a second mark is refused and marks nothing
    with pytest.raises(Conflict) as e:
        services.mark_on_statement(p.finance, [rows[0].pk, rows[4].pk], 78)
    assert e.value.code == "fee_line_on_statement"
    assert WaybillFeeLine.objects.get(pk=rows[4].pk).statement_id is None
    assert WaybillFeeLine.objects.get(pk=rows[0].pk).statement_id == 77


def test_a_batch_posts_in_a_fixed_number_of_queries(p, django_assert_max_num_queries):
    results = waybills.create_waybills(
        p.acme_user, p.acme, [payload(f"B{i}") for i in range(30)])  # fmt: skip
    ws = [r.waybill for r in results]
    assert WaybillFeeLine.objects.filter(waybill__in=ws).count() == 120
    heavier = waybills.measured_offer(ws[0], [waybills.PieceInput(1500, 300, 200, 100)])
    bd = breakdown.breakdown_of_priced(heavier.priced)
    with django_assert_max_num_queries(6):
        written = services.post_fees_many(p.finance, [(w.pk, bd) for w in ws], FeeStage.ACTUAL)
    assert len(written) == 30
    assert WaybillFeeLine.objects.filter(waybill__in=ws, stage="actual").count() == 60
    with django_assert_max_num_queries(5):
        assert services.post_fees_many(p.finance, [(w.pk, bd) for w in ws], "actual") == {}


def test_delta_lines_take_back_an_owned_item_and_leave_the_rest():
    cur = {("receivable", "freight", "CNY"): D("66.00"),
           ("receivable", "oversize", "CNY"): D("20.00"),
           ("receivable", "storage", "CNY"): D("15.00"),
           ("payable", "freight", "CNY"): D("48.00")}  # fmt: skip
    new = breakdown.FeeBreakdown(
        (breakdown.FeeAmount("receivable", "freight", D("9.90"), "USD"),),
        frozenset({"receivable"}),
    )
    got = [(d.side, d.item, d.amount, d.currency) for d in breakdown.delta_lines(cur, new)]
    # the USD freight in, the CNY freight and the oversize taken back; storage (not rated)
    # and the payable side (not computed) untouched
    assert got == [
        ("receivable", "freight", D("9.90"), "USD"),
        ("receivable", "freight", D("-66.00"), "CNY"),
        ("receivable", "oversize", D("-20.00"), "CNY"),
    ]
    assert breakdown.delta_lines({("receivable", "freight", "USD"): D("9.90")}, new) == []


def test_an_edit_before_inbound_posts_estimated_deltas_and_a_channel_change(p):
    w = create(p)
    # heavier forecast, same channel: 2.0 kg sells at 110.00 (+44.00), costs 80.00 (+32.00)
    heavier = [{"weight_g": 2000, "length_mm": 300, "width_mm": 200, "height_mm": 100}]
    waybills.edit_waybill(p.acme_user, w, payload("R1", pieces=heavier))
    assert lines(w)[4:] == [
        ("receivable", "freight", D("44.00"), "CNY", "estimated"),
        ("payable", "freight", D("32.00"), "CNY", "estimated"),
    ]
    # to the UK on EUPOST (sale 45/kg + 6, cost 30/kg + 5): every rated item moves
    uk = {"name": "John Smith", "address1": "10 Downing Street", "city": "London",
          "postcode": "SW1A 2AA", "country": "GB"}  # fmt: skip
    waybills.edit_waybill(p.acme_user, w, payload("R1", pieces=heavier, channel="EUPOST",
                                                  consignee=uk))  # fmt: skip
    assert lines(w)[6:] == [
        ("receivable", "freight", D("-20.00"), "CNY", "channel_change"),  # 90.00 - 110.00
        ("receivable", "registration", D("-4.00"), "CNY", "channel_change"),  # 6.00 - 10.00
        ("payable", "freight", D("-20.00"), "CNY", "channel_change"),  # 60.00 - 80.00
        ("payable", "registration", D("-3.00"), "CNY", "channel_change"),  # 5.00 - 8.00
    ]
    assert selectors.fee_summary(w).margin.amount == D("31.00")  # 96.00 - 65.00


@pytest.mark.django_db(transaction=True)
def test_one_rerate_at_four_workers_at_once_posts_its_delta_once():
    from tradelane.core.tests import racing

    p = hub_provider()
    p.finance = user("fin1", roles.PROVIDER_FINANCE)
    later = timezone.localdate() + dt.timedelta(days=10)
    _fuel_channel(p, later)
    cust = partners.create_customer(p.admin, code="FUELCO", company="Fuel Co", level=p.std,
                                    extra_channels=["FUEL"])  # fmt: skip
    w, _ = waybills.create_waybill(p.admin, cust, payload("F1", channel="FUEL"))
    outcomes = racing.race(
        4, lambda n: services.rerate_waybill(p.finance, w, on_date=later), refused=(Conflict,)
    )
    assert outcomes == {"won": 4}
    assert WaybillFeeLine.objects.filter(waybill=w, stage="fuel").count() == 1
    assert lines(w)[-1] == ("receivable", "fuel", D("3.60"), "CNY", "fuel")


@pytest.mark.postgres_only
def test_postgresql_refuses_a_raw_update_or_delete_of_a_line_but_takes_the_statement_mark(p):
    from django.db import DatabaseError, connection

    w = create(p)
    line = WaybillFeeLine.objects.filter(waybill=w).first()
    table = WaybillFeeLine._meta.db_table
    for sql in (f"UPDATE {table} SET amount = 1 WHERE id = %s",
                f"UPDATE {table} SET reason = 'x' WHERE id = %s",
                f"DELETE FROM {table} WHERE id = %s"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [line.pk])
    assert services.mark_on_statement(p.finance, [line.pk], 77) == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET statement_id = 78 WHERE id = %s", [line.pk])
    assert WaybillFeeLine.objects.get(pk=line.pk).amount == D("66.00")


def test_a_rerate_after_a_receipt_without_pieces_prices_the_measured_weight(p):
    w = create(p)
    waybills.receive(p.hub, w, weight_g=1500)  # no pieces: the weight over the forecast's
    assert lines(w)[4:] == [
        ("receivable", "freight", D("16.50"), "CNY", "actual"),
        ("payable", "freight", D("12.00"), "CNY", "actual"),
    ]
    w.refresh_from_db()
    assert services.rerate_waybill(p.finance, w) == []


def test_a_cancelled_waybill_is_not_rerated(p):
    w = create(p)
    waybills.cancel_waybill(p.acme_user, w)
    w.refresh_from_db()
    with pytest.raises(Conflict) as e:
        services.rerate_waybill(p.finance, w)
    assert e.value.code == "waybill_cancelled"
