"""Labels of waybills: one per piece, PDF or ZPL, one waybill or a batch, in the order asked;
refused (and nothing printed) while a number is to come, for a cancelled waybill, or out of
the actor's scope."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.forwarding.tests.factories import TWO_PIECES, numbered, payload, provider
from tradelane.forwarding.waybills import printing, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    return provider()


def test_label_data_one_per_piece_with_the_customers_sender(p):
    w = numbered(p, "R1", "TLX0000001", pieces=TWO_PIECES)
    (w,) = printing.load(p.acme_user, [w.pk])
    first, second = printing.label_data(w)
    assert (first.piece, first.pieces, first.weight_g, second.weight_g) == (1, 2, 1200, 800)
    assert (first.length_mm, second.length_mm) == (300, 200)
    assert first.tracking_number == "TLX0000001" and first.channel_code == "USLINE"
    assert first.reference == f"{w.number} R1"
    assert (first.receiver.name, first.receiver.city, first.receiver.country) == (
        "Jane Doe", "New York", "US",
    )  # fmt: skip
    # no shipper on the waybill or the account: the customer's company, in its country
    assert (first.sender.name, first.sender.country) == ("Acme Trading", "CN")


def test_batch_pdf_and_zpl_in_the_order_asked(p):
    a = numbered(p, "R1", "TLX0000001", pieces=TWO_PIECES)
    b = numbered(p, "R2", "TLX0000002")
    pdf = printing.labels(p.acme_user, [b, a], "pdf")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    zpl = printing.labels(p.acme_user, [b.pk, a.pk], "zpl")
    assert zpl.count("^XA") == 3
    assert zpl.index(f"Ref: {b.number} R2") < zpl.index(f"Ref: {a.number} R1")


def test_refusals_print_nothing(p):
    ready = numbered(p, "R1", "TLX0000001")
    pending, _ = services.create_waybill(p.acme_user, p.acme, payload("R2"))
    with pytest.raises(Conflict) as exc:
        printing.labels(p.acme_user, [ready, pending])
    assert exc.value.code == "tracking_number_pending"
    assert exc.value.details == {"numbers": [pending.number]}
    services.cancel_waybill(p.acme_user, pending)
    with pytest.raises(Conflict) as exc:
        printing.labels(p.acme_user, [pending])
    assert exc.value.code == "not_printable"
    with pytest.raises(NotFound) as exc:
        printing.labels(p.bolt_user, [ready])
    assert (exc.value.code, exc.value.details) == ("waybill_not_found", {"ids": [ready.pk]})
    with pytest.raises(ValidationFailed) as exc:
        printing.labels(p.acme_user, [ready], "png")
    assert exc.value.code == "invalid_format"
    with pytest.raises(PermissionDenied):
        printing.labels(get_user_model().objects.create_user("nobody"), [ready])
