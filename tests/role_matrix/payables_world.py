"""Upstream bills in the role matrix's world: an upstream line with a bill of one row (on
the matrix's waybill), open, so the audit's accept button has something to accept."""

from __future__ import annotations

from tradelane.finance.payables import services as payables
from tradelane.forwarding.partners import services as partners


def seed_payables(admin, waybill) -> dict:
    line = partners.create_upstream_line(admin, code="MLINE", name="Matrix line")
    report = payables.import_bill(
        admin, line, ["no", "fee"], [(2, {"no": waybill.number, "fee": "12.00"})],
        filename="matrix.csv", columns={"waybill_number": "no", "amount": "fee"},
        default_currency="CNY", save=True,
    )  # fmt: skip
    return {"pay_line": line.code, "pay_bill": report.bill.pk,
            "pay_bill_line": report.bill.lines.get().pk}  # fmt: skip
