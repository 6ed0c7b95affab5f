"""A parcel leaves the hub only if its customer's balance plus credit covers it: charged at
inbound in the scan's transaction, else held for arrears; released on payment (the oldest hold
first, as far as the money goes) or by hand with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, OutboxMessage
from tradelane.core.tests import racing
from tradelane.finance.ledgers.models import Account, LedgerEntry
from tradelane.forwarding.hub import holds
from tradelane.forwarding.hub.models import ProblemParcel
from tradelane.forwarding.waybills.models import Waybill

from .. import services
from .helpers import credit_provider, parcels, scan_in

ON = override_settings(TRADELANE_CREDIT_HOLDS="on")
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _balance(customer) -> Decimal:
    return Account.objects.get(customer=customer, currency="CNY").balance


def _charges(customer) -> list[tuple[str, Decimal]]:
    return list(LedgerEntry.objects.filter(account__customer=customer, kind="charge")
                .order_by("id").values_list("reference", "amount"))  # fmt: skip


def _webhooks() -> list[dict]:
    rows = OutboxMessage.objects.filter(topic="forwarding.customer_webhook").order_by("id")
    return [m.payload["body"] for m in rows]


def _arrears(w) -> ProblemParcel | None:
    return ProblemParcel.objects.filter(waybill=w, reason="arrears_hold").first()


@ON
@pytest.mark.django_db
def test_a_prepaid_100_covers_two_parcels_of_40_and_holds_the_third_a_receipt_of_30_frees_it():
    p = credit_provider()
    services.top_up(p.finance, p.pre, amount="100.00", currency="CNY", method="bank_transfer",
                    reference="BOC-001")  # fmt: skip
    a, b, c = parcels(p, 3)
    assert [scan_in(p, w)["result"] for w in (a, b)] == ["ok", "ok"]
    third = scan_in(p, c)
    assert third["result"] == "held"
    assert third["reason"] == "arrears_hold"
    assert third["status"] == "held"
    assert "20.00 + credit 0.00 CNY do not cover 40.00 CNY" in third["note"]
    assert _balance(p.pre) == D("20.00")
    assert _charges(p.pre) == [(a.number, D("-40.00")), (b.number, D("-40.00"))]
    assert Waybill.objects.get(pk=c.pk).status == "held"
    assert _arrears(c).resolved_at is None
    # the customer is told, as of every hold
    (told,) = [b for b in _webhooks() if b["event"] == "waybill.problem_opened"]
    assert told["waybill"]["number"] == c.number
    assert told["changes"]["problem"]["reason"] == "arrears_hold"
    # the next scan refuses it loudly
    assert scan_in(p, c)["result"] == "held"

    done = services.top_up(p.finance, p.pre, amount="30.00", currency="CNY", method="alipay",
                           reference="ALI-9")  # fmt: skip
    assert done.released == [c.number]
    assert done.balance.amount == D("10.00")
    assert _balance(p.pre) == D("10.00")
    assert _charges(p.pre)[-1] == (c.number, D("-40.00"))
    assert Waybill.objects.get(pk=c.pk).status == "received"
    problem = _arrears(c)
    assert problem.outcome == "released"
    assert problem.resolved_by == p.finance
    assert problem.outcome_note == "Paid: 30.00 CNY ALI-9"
    receipt = LedgerEntry.objects.get(pk=done.entry.pk)
    assert (receipt.kind, receipt.amount, receipt.source_type, receipt.source_id,
            receipt.reference) == ("receipt", D("30.00"), "payment", "alipay", "ALI-9")  # fmt: skip


@ON
@pytest.mark.django_db
def test_a_payment_releases_the_oldest_holds_first_as_far_as_the_money_goes():
    p = credit_provider()
    ws = parcels(p, 3)
    assert [scan_in(p, w)["result"] for w in ws] == ["held"] * 3
    assert LedgerEntry.objects.count() == 0
    done = services.top_up(p.finance, p.pre, amount="90.00", currency="CNY", method="cash")
    assert done.released == [ws[0].number, ws[1].number]
    assert _balance(p.pre) == D("10.00")
    assert [Waybill.objects.get(pk=w.pk).status for w in ws] == ["received", "received", "held"]
    assert _arrears(ws[2]).resolved_at is None


@ON
@pytest.mark.django_db
def test_a_credit_customer_draws_on_its_limit():
    p = credit_provider(terms="credit", credit_limit="50.00")
    a, b = parcels(p, 2)
    assert scan_in(p, a)["result"] == "ok"
    assert _balance(p.pre) == D("-40.00")
    assert scan_in(p, b)["result"] == "held"
    assert _balance(p.pre) == D("-40.00")
    assert _arrears(b).note.startswith("Arrears: balance -40.00 + credit 50.00 CNY")


@pytest.mark.django_db
def test_with_credit_control_off_a_parcel_is_received_and_nothing_is_charged():
    p = credit_provider()
    (a,) = parcels(p, 1)
    assert scan_in(p, a)["result"] == "ok"
    assert LedgerEntry.objects.count() == 0
    assert not Account.objects.filter(customer=p.pre).exists()


@ON
@pytest.mark.django_db
def test_a_hold_released_by_hand_records_who_when_and_why_and_charges_the_parcel():
    p = credit_provider()
    (a,) = parcels(p, 1)
    assert scan_in(p, a)["result"] == "held"
    problem = _arrears(a)
    released = services.release_by_hand(p.finance, problem, "  boss agreed,  pays Friday ")
    assert released.outcome == "released"
    assert released.outcome_note == "boss agreed, pays Friday"
    assert released.resolved_by == p.finance
    assert released.resolved_at is not None
    assert Waybill.objects.get(pk=a.pk).status == "received"
    assert _balance(p.pre) == D("-40.00")
    assert _charges(p.pre) == [(a.number, D("-40.00"))]
    log = AuditLog.objects.get(action="finance.credit.released_by_hand")
    assert log.actor == p.finance
    assert log.changes == {"waybill": a.number, "note": "boss agreed, pays Friday",
                           "charged": "40.00", "currency": "CNY"}  # fmt: skip


@ON
@pytest.mark.django_db
def test_an_arrears_hold_released_from_the_problem_queue_charges_the_parcel_too():
    p = credit_provider()
    (a,) = parcels(p, 1)
    assert scan_in(p, a)["result"] == "held"
    holds.resolve(p.service, _arrears(a), "released", "customer service: paid in cash")
    assert Waybill.objects.get(pk=a.pk).status == "received"
    assert _charges(p.pre) == [(a.number, D("-40.00"))]
    assert _balance(p.pre) == D("-40.00")


@ON
@pytest.mark.django_db
def test_a_parcel_held_for_arrears_before_inbound_is_charged_by_its_scan_not_its_release():
    p = credit_provider()
    (a,) = parcels(p, 1)
    holds.hold(p.hub, a, "arrears_hold", "old debts")
    done = services.top_up(p.finance, p.pre, amount="100.00", currency="CNY", method="cash")
    assert done.released == [a.number]
    assert _charges(p.pre) == []
    assert scan_in(p, a)["result"] == "ok"
    assert _charges(p.pre) == [(a.number, D("-40.00"))]
    assert _balance(p.pre) == D("60.00")


def _snapshot(p) -> dict:
    return {
        "entries": list(LedgerEntry.objects.order_by("id").values_list("pk", "amount")),
        "accounts": list(Account.objects.order_by("id").values_list("pk", "balance")),
        "problems": list(
            ProblemParcel.objects.order_by("id").values_list("pk", "resolved_at", "outcome")
        ),  # fmt: skip
        "statuses": list(Waybill.objects.order_by("id").values_list("pk", "status")),
        "audit": AuditLog.objects.count(),
    }


@ON
@pytest.mark.django_db
def test_refused_actions_change_nothing():
    p = credit_provider()
    (a,) = parcels(p, 1)
    scan_in(p, a)
    problem = _arrears(a)
    before = _snapshot(p)
    with pytest.raises(ValidationFailed) as e:
        services.release_by_hand(p.finance, problem, "   ")
    assert e.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        services.release_by_hand(p.hub, problem, "because")
    with pytest.raises(ValidationFailed) as e:
        services.top_up(p.finance, p.pre, amount="12.345", currency="CNY", method="cash")
    assert e.value.code == "ledger_amount_invalid"
    with pytest.raises(ValidationFailed) as e:
        services.top_up(p.finance, p.pre, amount="-5", currency="CNY", method="cash")
    assert e.value.code == "ledger_amount_invalid"
    with pytest.raises(ValidationFailed) as e:
        services.top_up(p.finance, p.pre, amount="50", currency="CNY", method="cheque")
    assert e.value.code == "payment_method_invalid"
    with pytest.raises(PermissionDenied):
        services.top_up(p.hub, p.pre, amount="50", currency="CNY", method="cash")
    weight = holds.hold(p.admin, a, "customs_hold", "x")
    holds.resolve(p.admin, weight, "released", "cleared")
    after_customs = _snapshot(p)
    with pytest.raises(Conflict) as e:
        services.release_by_hand(p.finance, ProblemParcel.objects.get(pk=weight.pk), "why")
    assert e.value.code == "not_an_arrears_hold"
    assert _snapshot(p) == after_customs
    assert before["entries"] == after_customs["entries"] == []
    assert before["accounts"] == after_customs["accounts"]


@ON
@pytest.mark.django_db
def test_a_retried_top_up_posts_nothing_twice():
    p = credit_provider()
    one = services.top_up(p.finance, p.pre, amount="50.00", currency="CNY", method="wechat",
                          idempotency_key="pay-1")  # fmt: skip
    two = services.top_up(p.finance, p.pre, amount="50.00", currency="CNY", method="wechat",
                          idempotency_key="pay-1")  # fmt: skip
    assert one.entry.pk == two.entry.pk
    assert _balance(p.pre) == D("50.00")


@ON
@pytest.mark.django_db(transaction=True)
def test_n_parcels_received_at_once_against_a_balance_for_k_charge_exactly_k():
    n, k = 8, 3
    p = credit_provider()
    services.top_up(p.finance, p.pre, amount=str(40 * k) + ".00", currency="CNY",
                    method="bank_transfer")  # fmt: skip
    ws = parcels(p, n)
    results: list[str] = []

    def act(i: int):
        results.append(scan_in(p, ws[i], station=f"S{i}")["result"])

    outcomes = racing.race(n, act, refused=(Conflict,), won="answered")
    assert outcomes == {"answered": n}
    assert sorted(results) == ["held"] * (n - k) + ["ok"] * k
    assert _balance(p.pre) == D("0.00")
    assert len(_charges(p.pre)) == k
    assert (
        ProblemParcel.objects.filter(reason="arrears_hold", resolved_at__isnull=True).count()
        == n - k
    )
    assert Waybill.objects.filter(status="held").count() == n - k
    assert Waybill.objects.filter(status="received").count() == k
    assert sum(LedgerEntry.objects.filter(account__customer=p.pre)
               .values_list("amount", flat=True)) == D("0.00")  # fmt: skip
