"""Customs documents of waybills, drawn by the kernel (``logistics.documents``): the CN22 (the
kernel's CN22 block on its own 100 x 100 page), the CN23 and the commercial invoice, for one
waybill or a batch in one PDF.

Which one a parcel needs is the kernel's rule (``customs.decisions.document_kind``, read
through ``LabelCustoms`` once per day for a batch): CN22 or CN23 on postal channels, an
invoice on the others. ``documents_pdf`` gives the picked document and, after a CN22 or
CN23, the commercial invoice.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money
from tradelane.logistics.customs import decisions
from tradelane.logistics.customs.labels import LabelCustoms
from tradelane.logistics.documents import (
    LabelData,
    join_pdfs,
    render_cn23_pdf,
    render_commercial_invoice_pdf,
    render_labels_pdf,
)

from ..waybills import printing
from ..waybills.models import Waybill

KINDS = (decisions.DOC_CN22, decisions.DOC_CN23, decisions.DOC_INVOICE)


def _tracking(w: Waybill) -> str:
    return w.tracking_number or w.number


def document_kind(w: Waybill, ctx: LabelCustoms | None = None) -> str:
    """cn22, cn23 or invoice for ``w``, as the kernel decides on its creation day."""
    ctx = ctx or LabelCustoms()
    value = Money(w.declared_value, w.declared_currency)
    day = timezone.localdate(w.created_at)
    return ctx.document_kind(w.channel.service_type, value, w.weight_g, day)


def cn22_pdf(w: Waybill) -> bytes:
    """The CN22 as the kernel draws it for a 100 x 100 label: its own page."""
    from pypdf import PdfReader, PdfWriter

    label = LabelData(
        sender=printing.sender_address(w), receiver=printing.receiver_address(w),
        tracking_number=_tracking(w), channel_code=w.channel.code, service_name=w.channel.name,
        reference=w.number, weight_g=w.weight_g, date=timezone.localdate(), postal=True,
        customs=printing.declaration(w),
    )  # fmt: skip
    pages = PdfReader(io.BytesIO(render_labels_pdf([label], "100x100"))).pages
    writer = PdfWriter()
    writer.add_page(pages[-1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def cn23_pdf(w: Waybill) -> bytes:
    return render_cn23_pdf(
        printing.declaration(w), printing.sender_address(w), printing.receiver_address(w),
        _tracking(w),
    )  # fmt: skip


def invoice_pdf(w: Waybill) -> bytes:
    return render_commercial_invoice_pdf(
        printing.declaration(w), printing.sender_address(w), printing.receiver_address(w),
        tracking=_tracking(w), invoice_number=w.number,
        carrier=w.last_mile_carrier or w.channel.carrier or w.channel.name,
    )  # fmt: skip


RENDER = {decisions.DOC_CN22: cn22_pdf, decisions.DOC_CN23: cn23_pdf,
          decisions.DOC_INVOICE: invoice_pdf}  # fmt: skip


def document_pdf(w: Waybill, kind: str) -> bytes:
    if kind not in RENDER:
        raise ValidationFailed(f"Unknown document {kind!r}", code="invalid_format",
                               details=list(KINDS))  # fmt: skip
    return RENDER[kind](w)


def _parts(w: Waybill, ctx: LabelCustoms) -> list[bytes]:
    kind = document_kind(w, ctx)
    if kind == decisions.DOC_INVOICE:
        return [invoice_pdf(w)]
    return [RENDER[kind](w), invoice_pdf(w)]


def documents_pdf(waybills: Iterable[Waybill]) -> bytes:
    """Each waybill's picked document (and its invoice after a CN22/CN23), one PDF."""
    ctx = LabelCustoms()
    parts = [part for w in waybills for part in _parts(w, ctx)]
    if not parts:
        raise ValidationFailed("No waybill to print", code="no_waybill_selected")
    return join_pdfs(parts)
