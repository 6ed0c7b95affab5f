"""A provider with waybills priced on USLINE (cost 40.00/kg + 8.00 registration, CNY), an
upstream line, a finance clerk and the boss; and a bill of six rows."""

from __future__ import annotations

from types import SimpleNamespace

from tradelane.accounts import roles
from tradelane.forwarding.hub.tests.helpers import hub_provider
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import payload, user
from tradelane.forwarding.waybills import services as waybills
from tradelane.forwarding.waybills.models import Waybill

HEADERS = ["运单号", "转单号", "客户单号", "计费重(kg)", "金额", "币种", "日期"]
COLUMNS = {
    "waybill_number": "运单号", "last_mile_number": "转单号", "reference": "客户单号",
    "weight": "计费重(kg)", "amount": "金额", "currency": "币种", "date": "日期",
}  # fmt: skip


def provider() -> SimpleNamespace:
    p = hub_provider()
    p.finance = user("fin1", roles.PROVIDER_FINANCE)
    p.boss = user("boss1", roles.BOSS)
    p.line = partners.create_upstream_line(p.admin, code="UP1", name="Line One",
                                           channels=["USLINE"])  # fmt: skip
    # five waybills of 1.2 kg: payable 1.2 x 40.00 + 8.00 = 56.00 CNY each, 1,200 g
    p.w = [waybills.create_waybill(p.acme_user, p.acme, payload(f"R{i}"))[0] for i in range(1, 6)]
    Waybill.objects.filter(pk=p.w[2].pk).update(last_mile_number="LM3")
    return p


def golden_rows(p) -> list[tuple[int, dict]]:
    """Six rows: an exact match, a weight difference, a price difference (by last-mile
    number), a number we do not know, a bad row, and both (by reference)."""
    w = p.w

    def row(number="", last_mile="", ref="", kg="", amount="", cur="CNY"):
        return dict(zip(HEADERS, [number, last_mile, ref, kg, amount, cur, "2026-12-01"],
                        strict=True))  # fmt: skip

    return [
        (2, row(w[0].number, kg="1.2", amount="56.00")),  # exact
        (3, row(w[1].number, kg="1.5", amount="56.00")),  # +300 g
        (4, row(last_mile="LM3", kg="1.2", amount="60.50")),  # +4.50
        (5, row("TL-NOT-OURS", kg="1.0", amount="30.00")),  # unknown
        (6, row(w[3].number, kg="1.2", amount="abc")),  # bad row
        (7, row(ref="R5", kg="1.0", amount="50.00")),  # -200 g, -6.00
    ]
