"""CN22/CN23 and invoices from the kernel's drawing, the kernel's pick, one PDF per batch."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tradelane.core.errors import ValidationFailed
from tradelane.forwarding.tests.factories import provider
from tradelane.logistics.models import Channel

from .. import documents
from .helpers import DE, items_in, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    Channel.objects.filter(code="EUPOST").update(service_type="postal")
    return ns


def _pages(data: bytes) -> int:
    assert data.startswith(b"%PDF")
    return len(PdfReader(io.BytesIO(data)).pages)


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_kernel_picks_cn22_cn23_or_invoice(p):
    small = received(p, "S1", channel="EUPOST", consignee=DE, weight_g=500,
                     items=items_in("USD", ("Scarf", 1, "20.00", "611710")))  # fmt: skip
    heavy = received(p, "H1", channel="EUPOST", consignee=DE, weight_g=2500,
                     items=items_in("USD", ("Scarf", 1, "20.00", "611710")))  # fmt: skip
    line = received(p, "L1")
    assert [documents.document_kind(w) for w in (small, heavy, line)] == ["cn22", "cn23", "invoice"]


def test_each_document_is_drawn_for_one_waybill(p):
    w = received(p, "S1", channel="EUPOST", consignee=DE, weight_g=500,
                 items=items_in("USD", ("Scarf", 1, "20.00", "611710")))  # fmt: skip
    cn22 = documents.document_pdf(w, "cn22")
    assert _pages(cn22) == 1 and "CN 22" in _text(cn22)
    cn23 = documents.document_pdf(w, "cn23")
    assert "CN 23" in _text(cn23) and w.number in _text(cn23)
    invoice = documents.document_pdf(w, "invoice")
    assert "COMMERCIAL INVOICE" in _text(invoice) and "611710" in _text(invoice)
    with pytest.raises(ValidationFailed) as e:
        documents.document_pdf(w, "cn99")
    assert e.value.code == "invalid_format"


def test_a_batch_is_one_pdf_with_the_invoice_after_a_cn22(p):
    postal = received(p, "S1", channel="EUPOST", consignee=DE, weight_g=500,
                      items=items_in("USD", ("Scarf", 1, "20.00", "611710")))  # fmt: skip
    line = received(p, "L1")
    data = documents.documents_pdf([postal, line])
    assert _pages(data) == 3  # CN22, its invoice, the line parcel's invoice
    with pytest.raises(ValidationFailed) as e:
        documents.documents_pdf([])
    assert e.value.code == "no_waybill_selected"
