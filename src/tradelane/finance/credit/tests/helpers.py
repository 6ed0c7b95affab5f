"""A provider whose customer PRE pays 40.00 CNY a parcel (its own sale sheet: no per-kg part,
40.00 registration), a finance clerk, and the scan of a parcel with credit control on."""

from __future__ import annotations

from types import SimpleNamespace

from tradelane.accounts import roles
from tradelane.forwarding.hub import inbound
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.partners.models import customer_sheet_level
from tradelane.forwarding.tests.factories import payload, provider, sheet, user
from tradelane.forwarding.waybills import services as waybills
from tradelane.logistics.models import Channel
from tradelane.logistics.rates import services as rates


def credit_provider(*, terms: str = "prepaid", credit_limit: str | None = None) -> SimpleNamespace:
    p = provider()
    us = Channel.objects.get(code="USLINE")
    rates.create_rate_sheet(p.admin, us, sheet("sale", "0", "40",
                                               level=customer_sheet_level("PRE")))  # fmt: skip
    extra = {"payment_terms": terms, "credit_limit": credit_limit} if credit_limit else {}
    p.pre = partners.create_customer(p.admin, code="PRE", company="Prepaid Co", level=p.std,
                                     **extra)  # fmt: skip
    partners.set_webhook(p.admin, p.pre, "https://pre.example/hooks")
    p.finance = user("fin1", roles.PROVIDER_FINANCE)
    return p


def parcels(p, n: int, *, customer=None) -> list:
    out = []
    for i in range(n):
        w, _ = waybills.create_waybill(p.admin, customer or p.pre, payload(f"P{i}"))
        out.append(w)
    return out


def scan_in(p, w, *, weight_g: int = 1200, station: str = "S1") -> dict:
    return inbound.scan(p.hub, code=w.number, station=station, weight_g=weight_g)
