"""Bulk re-rating: a fuel rate corrected from 10% to 12% on a date, three waybills of the
channel re-rated. Golden figures by hand (sale 60.00/kg + 10.00 registration, fuel on the
freight; cost 40.00/kg + 8.00 without fuel):

- 1.2 kg: freight 72.00, fuel 10% 7.20 -> 12% 8.64: +1.44
- 0.5 kg: freight 30.00, fuel 3.00 -> 3.60: +0.60
- 2.345 kg: freight 140.70, fuel 14.07 -> 16.884 = 16.88: +2.81
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tradelane.accounts import roles
from tradelane.core.errors import PermissionDenied
from tradelane.finance.fees import rerating, services
from tradelane.finance.fees.models import WaybillFeeLine
from tradelane.forwarding.hub.tests.helpers import hub_provider
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import payload, user
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.rates import services as rates
from tradelane.logistics.rates.descriptions import (
    AreaRule,
    BracketData,
    FuelData,
    SheetData,
    ZoneData,
)

pytestmark = pytest.mark.django_db
D = Decimal
LATER = dt.date(2030, 1, 1)


@pytest.fixture
def p():
    ns = hub_provider()
    ns.finance = user("fin1", roles.PROVIDER_FINANCE)
    zone = ZoneData("Z1", "Z1", (AreaRule(country="US"),))
    ns.ch = rates.create_channel(ns.admin, code="FUEL", name="Fuel line", currency="CNY")
    since = dt.date(2020, 1, 1)
    rates.create_rate_sheet(ns.admin, ns.ch, SheetData(
        kind="cost", currency="CNY", effective_date=since, zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D("40"), registration=D("8")),),
    ))  # fmt: skip
    rates.create_rate_sheet(ns.admin, ns.ch, SheetData(
        kind="sale", currency="CNY", effective_date=since, zones=(zone,),
        brackets=(BracketData("Z1", 0, 30000, per_kg=D("60"), registration=D("10")),),
        fuel=(FuelData(since, D("10")), FuelData(LATER, D("12"))),
    ))  # fmt: skip
    ns.cust = partners.create_customer(ns.admin, code="FUELCO", company="Fuel Co",
                                       level=ns.std, extra_channels=["FUEL"])  # fmt: skip
    ns.ws = []
    for i, grams in enumerate((1200, 500, 2345)):
        body = payload(f"F{i}", channel="FUEL")
        body["pieces"] = [{"weight_g": grams, "length_mm": 300, "width_mm": 200, "height_mm": 100}]
        w, _ = waybills.create_waybill(ns.admin, ns.cust, body)
        ns.ws.append(w)
    return ns


def sel(p, **over):
    today = timezone.localdate()
    values = dict(on_date=LATER, date_from=today - dt.timedelta(days=1), date_to=today,
                  channel_id=p.ch.pk)  # fmt: skip
    values.update(over)
    return rerating.Selection(**values)


def fuel_lines(p):
    return [(x.waybill_id, x.side, x.fee_item_id, x.amount, x.stage)
            for x in WaybillFeeLine.objects.filter(stage="fuel").order_by("id")]  # fmt: skip


def test_preview_reports_the_exact_deltas_and_writes_nothing(p):
    before = WaybillFeeLine.objects.count()
    out = rerating.preview(p.finance, sel(p))
    assert WaybillFeeLine.objects.count() == before
    assert (out["waybills"], out["changed"], out["lines"], out["unpriced"]) == (3, 3, 3, 0)
    assert out["totals"] == {"receivable/fuel/CNY": "4.85"}  # 1.44 + 0.60 + 2.81
    assert sorted(r[3] for r in out["sample"]) == ["0.60", "1.44", "2.81"]


def test_confirm_writes_exactly_the_deltas_and_a_second_confirm_nothing(p):
    out = rerating.confirm(p.finance, sel(p))
    assert (out["changed"], out["lines"]) == (3, 3)
    assert fuel_lines(p) == [
        (p.ws[0].pk, "receivable", "fuel", D("1.44"), "fuel"),
        (p.ws[1].pk, "receivable", "fuel", D("0.60"), "fuel"),
        (p.ws[2].pk, "receivable", "fuel", D("2.81"), "fuel"),
    ]
    count = WaybillFeeLine.objects.count()
    again = rerating.confirm(p.finance, sel(p))
    assert (again["changed"], again["lines"]) == (0, 0)
    assert WaybillFeeLine.objects.count() == count
    assert rerating.preview(p.finance, sel(p))["changed"] == 0


def test_lines_on_an_issued_statement_stay_and_the_delta_is_a_new_line(p):
    issued = list(WaybillFeeLine.objects.filter(waybill=p.ws[0]).values_list("pk", "amount"))
    services.mark_on_statement(p.finance, [pk for pk, _ in issued], 77)
    rerating.confirm(p.finance, sel(p))
    assert list(WaybillFeeLine.objects.filter(pk__in=[pk for pk, _ in issued])
                .values_list("pk", "amount")) == issued  # fmt: skip
    assert set(WaybillFeeLine.objects.filter(pk__in=[pk for pk, _ in issued])
               .values_list("statement_id", flat=True)) == {77}  # fmt: skip
    new = WaybillFeeLine.objects.get(waybill=p.ws[0], stage="fuel")
    assert (new.amount, new.statement_id) == (D("1.44"), None)


def test_the_job_runs_the_confirm_with_progress(p):
    from tradelane.core import jobs
    from tradelane.core.models import Job

    job = rerating.start(p.finance, sel(p))
    jobs.run(job.pk)  # the worker's call
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert job.result["totals"] == {"receivable/fuel/CNY": "4.85"}
    assert len(fuel_lines(p)) == 3


def test_a_selection_by_customer_and_the_permission(p):
    assert rerating.preview(p.finance, sel(p, channel_id=None, customer_id=p.cust.pk))[
        "changed"] == 3  # fmt: skip
    assert rerating.preview(p.finance, sel(p, customer_id=p.acme.pk))["waybills"] == 0
    with pytest.raises(PermissionDenied):
        rerating.preview(p.acme_user, sel(p))
    with pytest.raises(PermissionDenied):
        rerating.confirm(p.acme_user, sel(p))


@pytest.mark.parametrize("size", [1, 2])
def test_a_chunk_takes_a_fixed_number_of_queries(p, size):
    """Per chunk: the waybills, their pieces, the lock and the nets (in a savepoint) and, when
    something changed, one insert (PostgreSQL's bulk insert bypasses the query log)."""
    rerating.preview(p.finance, sel(p))  # warm the compiled channels' cache
    n_chunks = -(-3 // size)

    def count(fn, chunk):
        with CaptureQueriesContext(connection) as q:
            fn(p.finance, sel(p), chunk=chunk)
        return len(q.captured_queries)

    writing = count(rerating.confirm, size)
    assert len(fuel_lines(p)) == 3
    idle_small, idle_whole = count(rerating.confirm, size), count(rerating.confirm, 3)
    assert idle_small - idle_whole == 6 * (n_chunks - 1)
    inserts = n_chunks if connection.vendor == "sqlite" else 0
    assert writing - idle_small == inserts
    assert count(rerating.preview, size) - count(rerating.preview, 3) == 3 * (n_chunks - 1)


def test_the_page_previews_then_confirms_as_a_job(p, client):
    from tradelane.core.models import Job

    client.force_login(p.finance)
    today = timezone.localdate()
    q = {"channel_id": p.ch.pk, "date_from": (today - dt.timedelta(days=1)).isoformat(),
         "date_to": today.isoformat(), "on_date": LATER.isoformat()}  # fmt: skip
    before = WaybillFeeLine.objects.count()
    page = client.get("/finance/rerate/", {**q, "preview": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "批量重新计费" in text and "3 票运单，3 票有变化，3 条差额费用行。" in text
    assert "4.85" in text and WaybillFeeLine.objects.count() == before
    done = client.post("/finance/rerate/", q)
    job = Job.objects.get(kind=rerating.JOB_KIND)
    assert done.status_code == 302 and done["Location"].endswith(f"/jobs/{job.pk}/")
    bad = client.post("/finance/rerate/", {**q, "channel_id": ""})
    assert bad.status_code == 422
    assert Job.objects.filter(kind=rerating.JOB_KIND).count() == 1
