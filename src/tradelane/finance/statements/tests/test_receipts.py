"""Receipts: a ledger receipt and its allocations to statements; partial payments, several
statements at once, an overpayment kept as credit; idempotent; a refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.finance.fees import services as fees
from tradelane.finance.ledgers.models import Account, LedgerEntry

from .. import services
from ..models import Receipt, ReceiptAllocation, Statement
from .helpers import create, next_month, world
from .test_statements import everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    """ACME with two issued statements: 76.00 (this month) and 4.00 (a storage fee later)."""
    p = world()
    a = create(p, "A")
    today = timezone.localdate()
    [s1] = services.generate_statements(p.finance, today=next_month(today))
    services.issue_statement(p.finance, s1)
    fees.add_manual_line(p.finance, a, side="receivable", item="storage", amount="4.00",
                         currency="CNY", reason="shelf")  # fmt: skip
    [s2] = services.generate_statements(p.finance, today=next_month(today, 2))
    services.issue_statement(p.finance, s2)
    p.s1, p.s2 = Statement.objects.get(pk=s1.pk), Statement.objects.get(pk=s2.pk)
    return p


def pay(p, amount, key, allocations=None, **kw):
    kw.setdefault("currency", "CNY")
    kw.setdefault("method", "bank_transfer")
    return services.record_receipt(p.finance, p.acme, amount=amount, allocations=allocations,
                                   idempotency_key=key, **kw)  # fmt: skip


def state(s):
    s.refresh_from_db()
    return s.status, s.allocated, s.due


def test_a_partial_payment_then_the_rest_settles(p):
    r = pay(p, "50.00", "bank-1", [(p.s1.number, "50.00")])
    assert (r.amount, r.unallocated) == (D("50.00"), D("0"))
    assert state(p.s1) == ("issued", D("50.00"), D("26.00"))
    assert LedgerEntry.objects.get(pk=r.ledger_entry_id).kind == "receipt"
    pay(p, "26.00", "alipay-1", [(p.s1.number, "26.00")], method="alipay")
    assert state(p.s1) == ("settled", D("76.00"), D("0"))
    assert Account.objects.get(customer=p.acme).balance == D("-4.00")


def test_one_receipt_pays_several_statements_and_keeps_the_overpayment_as_credit(p):
    r = pay(p, "100.00", "wx-1", method="wechat")  # oldest first: 76.00, then 4.00
    assert state(p.s1)[0] == state(p.s2)[0] == "settled"
    assert r.unallocated == D("20.00")
    assert sorted(ReceiptAllocation.objects.filter(receipt=r).values_list("amount", flat=True)
                  ) == [D("4.00"), D("76.00")]  # fmt: skip
    assert Account.objects.get(customer=p.acme).balance == D("20.00")  # the credit


def test_the_credit_left_over_is_allocated_later(p):
    r = pay(p, "80.00", "bank-2", [(p.s1.number, "70.00")])
    assert r.unallocated == D("10.00")
    services.allocate_receipt(p.finance, r, p.s1, "6.00")
    services.allocate_receipt(p.finance, r, p.s2, "4.00")
    r.refresh_from_db()
    assert r.unallocated == 0 and state(p.s1)[0] == state(p.s2)[0] == "settled"


def test_a_retried_receipt_is_the_same_receipt(p):
    r = pay(p, "10.00", "cash-1", method="cash")
    before = everything()
    assert pay(p, "10.00", "cash-1", method="cash").pk == r.pk
    assert everything() == before
    with pytest.raises(Conflict) as e:
        pay(p, "11.00", "cash-1", method="cash")
    assert e.value.code == "idempotency_key_reused" and everything() == before


@pytest.mark.parametrize(("kw", "code"), [
    ({"amount": "0"}, "receipt_amount_invalid"),
    ({"amount": "-5"}, "receipt_amount_invalid"),
    ({"amount": "1.001"}, "receipt_amount_invalid"),
    ({"amount": "abc"}, "receipt_amount_invalid"),
    ({"amount": "5", "currency": "USD"}, "receipt_currency"),
    ({"amount": "5", "currency": "XXQ"}, "invalid_currency"),
    ({"amount": "5", "method": "bitcoin"}, "receipt_method_invalid"),
    ({"amount": "5", "key": ""}, "receipt_key_required"),
    ({"amount": "80", "allocations": "s1:77"}, "allocation_exceeds_due"),
    ({"amount": "10", "allocations": "s1:8,s2:4"}, "allocation_exceeds_receipt"),
    ({"amount": "10", "allocations": "s1:0"}, "allocation_invalid"),
    ({"amount": "10", "allocations": "NOPE:5"}, "statement_not_found"),
])  # fmt: skip
def test_a_refused_receipt_changes_nothing(p, kw, code):
    kw = dict(kw)
    allocations = None
    if "allocations" in kw:
        names = {"s1": p.s1.number, "s2": p.s2.number}
        allocations = [(names.get(n, n), a) for n, a in
                       (x.split(":") for x in kw.pop("allocations").split(","))]  # fmt: skip
    key = kw.pop("key", "k-refused")
    before = everything()
    with pytest.raises((ValidationFailed, NotFound, Conflict)) as e:
        pay(p, kw.pop("amount"), key, allocations, **kw)
    assert e.value.code == code
    assert everything() == before
    assert not Receipt.objects.exists()


def test_a_settled_statement_takes_no_more_and_others_may_not_post(p):
    pay(p, "76.00", "bank-3", [(p.s1.number, "76.00")])
    before = everything()
    with pytest.raises(Conflict) as e:
        pay(p, "1.00", "bank-4", [(p.s1.number, "1.00")])
    assert e.value.code == "statement_not_payable" and everything() == before
    for who in (p.acme_user, p.boss, p.hub):
        with pytest.raises(PermissionDenied):
            services.record_receipt(who, p.acme, amount="1.00", currency="CNY",
                                    method="cash", idempotency_key="x")  # fmt: skip
    assert everything() == before
