"""DDP duty and VAT lines from the dated thresholds: EU (IOSS, the flat duty from 2026-07-01),
UK (VAT at sale), US (de minimis until 2025-08-28, duty after); recomputed before inbound."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tradelane.core.errors import PermissionDenied
from tradelane.forwarding.models import Waybill, WaybillDutyLine
from tradelane.forwarding.tests.factories import payload, provider, user
from tradelane.forwarding.waybills import services as waybills

from .. import duties
from .helpers import DE, GB, items_in

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def p():
    return provider()


def _ddp(p, ref, **over):
    w, _ = waybills.create_waybill(p.acme_user, p.acme, payload(ref, incoterm="DDP", **over))
    return w


def _lines(w):
    return [(x.kind, x.base_amount, x.rate, x.amount, x.currency, x.rule, x.on_date)
            for x in WaybillDutyLine.objects.filter(waybill=w).order_by("kind")]  # fmt: skip


def _eu(p):
    return _ddp(p, "EU1", channel="EUPOST", consignee=DE, ioss="IM0123456789",
                items=items_in("EUR", ("Scarf", 2, "30.00", "611710"),
                               ("Mug", 1, "40.00", "691200")))  # fmt: skip


def test_eu_ddp_under_150_vat_at_the_member_rate_and_the_flat_duty_once_dated(p):
    w = _eu(p)
    before, after = dt.date(2026, 6, 30), dt.date(2026, 12, 4)
    duties.refresh_duty_lines(p.hub, [w], before)
    assert _lines(w) == [("vat", D("100.00"), D("0.1900"), D("19.00"), "EUR",
                          "ioss:EU:2021-07-01", before)]  # fmt: skip
    Waybill.objects.filter(pk=w.pk).update(declared_value=D("100.0000"))  # same basis
    WaybillDutyLine.objects.filter(waybill=w).delete()
    duties.refresh_duty_lines(p.hub, [w], after)
    assert _lines(w) == [
        ("duty", D("100.00"), None, D("6.00"), "EUR", "eu_flat_duty:EU:2026-07-01", after),
        ("vat", D("100.00"), D("0.1900"), D("19.00"), "EUR", "ioss:EU:2021-07-01", after),
    ]


def test_uk_ddp_under_135_vat_20_percent_at_sale(p):
    w = _ddp(p, "GB1", channel="EUPOST", consignee=GB,
             items=items_in("GBP", ("Scarf", 3, "33.33", "611710")))  # fmt: skip
    duties.refresh_duty_lines(p.hub, [w], dt.date(2026, 12, 4))
    assert _lines(w) == [("vat", D("99.99"), D("0.2000"), D("20.00"), "GBP",
                          "vat_at_sale:GB:2021-01-01", dt.date(2026, 12, 4))]  # fmt: skip


def test_us_de_minimis_until_2025_08_28_then_duty(p):
    w = _ddp(p, "US1")  # USD 25.00
    r = duties.refresh_duty_lines(p.hub, [w], dt.date(2025, 8, 28))
    assert (_lines(w), [x.number for x in r.written]) == ([], [w.number])
    duties.refresh_duty_lines(p.hub, [w], dt.date(2025, 8, 29))
    assert _lines(w) == [("duty", D("25.00"), D("0.1000"), D("2.50"), "USD",
                          "duty:US:2025-08-29", dt.date(2025, 8, 29))]  # fmt: skip


def test_recomputed_before_inbound_kept_after_and_ddu_has_none(p):
    w = _ddp(p, "US1")
    on = dt.date(2026, 12, 4)
    duties.refresh_duty_lines(p.hub, [w], on)
    first = list(WaybillDutyLine.objects.filter(waybill=w).values_list("pk", flat=True))
    r = duties.refresh_duty_lines(p.hub, [w], on)  # nothing changed: kept
    assert [x.number for x in r.kept] == [w.number]
    assert list(WaybillDutyLine.objects.filter(waybill=w).values_list("pk", flat=True)) == first
    Waybill.objects.filter(pk=w.pk).update(declared_value=D("50.00"))
    w.refresh_from_db()
    duties.refresh_duty_lines(p.hub, [w], on)
    assert [x[3] for x in _lines(w)] == [D("5.00")]
    w = waybills.receive(p.hub, w, weight_g=1300)
    Waybill.objects.filter(pk=w.pk).update(declared_value=D("80.00"))
    w.refresh_from_db()
    duties.refresh_duty_lines(p.hub, [w], on)
    assert [x[3] for x in _lines(w)] == [D("5.00")]  # after inbound: as it was
    ddu, _ = waybills.create_waybill(p.acme_user, p.acme, payload("U2"))
    duties.refresh_duty_lines(p.hub, [ddu], on)
    assert _lines(ddu) == []


def test_no_rate_is_refused_and_writes_nothing_and_a_driver_may_not(p):
    from tradelane.accounts import roles
    from tradelane.forwarding.models import DestinationTaxRate

    DestinationTaxRate.objects.filter(destination="US").delete()
    w = _ddp(p, "US9")
    r = duties.refresh_duty_lines(p.hub, [w], dt.date(2026, 12, 4))
    assert [(x.number, code) for x, code in r.refused] == [(w.number, "no_tax_rate")]
    assert WaybillDutyLine.objects.count() == 0
    with pytest.raises(PermissionDenied):
        duties.refresh_duty_lines(user("drv", roles.HUB_DRIVER), [w])
