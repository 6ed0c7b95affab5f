"""Printing shipments: labels (PDF, ZPL), customs documents, with rows read in bulk.

Reads and pure mapping only: shipments are loaded with everything a label needs in a fixed
number of queries (``load``), mapped to the renderers' dataclasses (``label_data``) and
rendered by ``documents``. A carrier channel's label is the one the carrier sent (a
``ShipmentDocument`` of kind ``carrier_label``), never one of ours: PDF batches merge those
PDFs with ``pypdf`` in the order asked for, ZPL batches concatenate.

- ``label_pdf(shipments, size=None)`` / ``label_zpl(...)``: one document for many shipments,
  one label per parcel (piece n/N); ``size`` defaults to each channel's ``label_size``.
- ``customs_document(shipment)``: (kind, PDF) of the CN23 or commercial invoice, chosen by
  ``customs.decisions.document_kind``; NotFound ``no_customs_document`` when the shipment needs none
  (a CN22 travels on the label).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import Prefetch
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.accounts.selectors import company
from tradelane.core.errors import NotFound, ValidationFailed
from tradelane.core.fx import Rates
from tradelane.core.money import Money

from ..customs import decisions as customs
from ..customs.labels import LabelCustoms
from ..documents import (
    Address,
    CustomsDeclaration,
    CustomsItem,
    LabelData,
    join_pdfs,
    render_cn23_pdf,
    render_commercial_invoice_pdf,
    render_labels_pdf,
    render_labels_zpl,
)
from ..documents.data import SIZES
from ..rates.descriptions import KIND_RATE_SHEET, SERVICE_POSTAL
from .models import Shipment, ShipmentDocument, ShipmentItem, ShipmentStatus

S = ShipmentStatus
PRINTABLE = (S.LABELLED, S.SHIPPED, S.DELIVERED, S.RETURNED)
CARRIER_LABEL = "carrier_label"
FORMATS = ("pdf", "zpl")


def load(ids: Sequence[int]) -> list[Shipment]:
    """The shipments, in the order of ``ids``, with channel, warehouse, parcels, customs lines
    and carrier labels (5 queries however many). Unknown ids are left out."""
    ids = [int(i) for i in dict.fromkeys(ids)]
    rows = (
        Shipment.objects.filter(pk__in=ids)
        .select_related("channel", "warehouse")
        .prefetch_related(
            "parcels",
            Prefetch("items", queryset=ShipmentItem.objects.select_related("sku")),
            Prefetch(
                "documents",
                queryset=ShipmentDocument.objects.filter(kind=CARRIER_LABEL),
                to_attr="carrier_labels",
            ),
        )
    )
    by_id = {s.pk: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def check_printable(ids: Sequence[int], shipments: list[Shipment], fmt: str) -> None:
    """422 ``labels_unavailable`` listing the ids that are unknown or have no label (in this
    format, for a carrier's label)."""
    found = {s.pk for s in shipments}
    unknown = [int(i) for i in ids if int(i) not in found]
    unlabelled = [s.pk for s in shipments if not _has_label(s, fmt)]
    if unknown or unlabelled:
        raise ValidationFailed(
            "Some shipments are unknown or have no label to print",
            code="labels_unavailable",
            details={"unknown": unknown, "unlabelled": unlabelled, "format": fmt},
        )


def _carrier_doc(s: Shipment, fmt: str) -> ShipmentDocument | None:
    docs = getattr(s, "carrier_labels", None)
    if docs is None:
        docs = list(s.documents.filter(kind=CARRIER_LABEL))
    return next((d for d in docs if d.format == fmt), None)


def _has_label(s: Shipment, fmt: str) -> bool:
    if s.status not in PRINTABLE or not s.tracking_number:
        return False
    if s.channel.kind == KIND_RATE_SHEET:
        return True
    return _carrier_doc(s, fmt) is not None


# --- mapping ----------------------------------------------------------------------------------


def sender_address(warehouse, company_name: str) -> Address:
    """The warehouse's address, under the company's name."""
    return Address(
        name=warehouse.contact or company_name,
        company=company_name if warehouse.contact else "",
        address1=warehouse.address or warehouse.name,
        city=warehouse.city or warehouse.name,
        state=warehouse.state,
        postcode=warehouse.postcode,
        country=warehouse.country,
        phone=warehouse.phone,
    )


def receiver_address(s: Shipment) -> Address:
    return Address(
        name=s.ship_name,
        company=s.ship_company,
        address1=s.ship_address1,
        address2=s.ship_address2,
        city=s.ship_city,
        state=s.ship_state,
        postcode=s.ship_postcode,
        country=s.ship_country,
        phone=s.ship_phone,
        email=s.ship_email,
    )


class Context(LabelCustoms):
    """What many labels share: the company's name, FX rates, CN22 thresholds per date."""

    def __init__(self, company_name: str, rates: Rates | None = None) -> None:
        super().__init__(rates)
        self.company_name = company_name

    @classmethod
    def make(cls) -> Context:
        return cls(company().name, Rates())


def _day(s: Shipment) -> dt.date:
    return timezone.localdate(s.created_at) if s.created_at else timezone.localdate()


def declaration(s: Shipment, ctx: Context, *, invoice_number: str = "") -> CustomsDeclaration:
    """The shipment's customs lines in the shipment's declared currency (converted at the
    latest rates when a line is in another currency; refused when no rate is kept)."""
    currency = s.declared_currency or next((i.currency for i in s.items.all()), "USD")
    items = []
    for it in s.items.all():
        unit = Money(it.unit_value, it.currency)
        conv = ctx.rates.convert(unit, currency)
        if conv is None:
            raise ValidationFailed(
                f"No exchange rate from {it.currency} to {currency}",
                code="fx_rate_missing",
                details={"from": it.currency, "to": currency},
            )
        items.append(
            CustomsItem(
                name_en=it.name_en,
                name_zh=it.name_zh,
                quantity=it.quantity,
                unit_value=conv.amount,
                currency=currency,
                weight_g=it.weight_g * it.quantity,
                hs_code=it.hs_code,
                origin_country=it.origin_country or "CN",
                sku=it.sku.code if it.sku_id else "",
            )
        )
    if not items:
        raise ValidationFailed("The shipment has no customs lines", code="no_items")
    return CustomsDeclaration(
        items=tuple(items),
        currency=currency,
        category=s.customs_category,
        incoterm=s.incoterm if s.incoterm in ("DDP", "DDU") else "DDU",
        ioss_number=s.ioss_number,
        vat_number=s.vat_number,
        eori_number=s.eori_number,
        importer_phone=s.ship_phone,
        importer_email=s.ship_email,
        sender_reference=s.reference[:60],
        invoice_number=invoice_number or s.number,
        date=_day(s),
        signature_name=ctx.company_name,
    )


def document_kind(s: Shipment, ctx: Context) -> str:
    """cn22, cn23 or invoice, as ``customs.decisions.document_kind`` decides for this shipment."""
    value = Money(s.declared_value, s.declared_currency or "USD")
    return ctx.document_kind(s.channel.service_type, value, s.weight_g, _day(s))


def label_data(s: Shipment, ctx: Context | None = None) -> list[LabelData]:
    """One label per parcel of the shipment (piece n/N)."""
    ctx = ctx or Context.make()
    ch = s.channel
    postal = ch.service_type == SERVICE_POSTAL
    decl = limits = None
    if postal and document_kind(s, ctx) == customs.DOC_CN22:
        decl = declaration(s, ctx)
        limits = ctx.cn22_limits(decl.currency, _day(s))
    sender = sender_address(s.warehouse, ctx.company_name)
    receiver = receiver_address(s)
    day = timezone.localdate(s.labelled_at) if s.labelled_at else timezone.localdate()
    parcels = list(s.parcels.all())
    n = len(parcels) or 1
    out = []
    for i, p in enumerate(parcels or [None], start=1):
        out.append(
            LabelData(
                sender=sender,
                receiver=receiver,
                tracking_number=(p.tracking_number if p and p.tracking_number else None)
                or s.tracking_number,
                channel_code=ch.code,
                service_name=ch.name,
                carrier_name=ch.carrier or ch.name,
                reference=s.reference,
                piece=i,
                pieces=n,
                weight_g=p.weight_g if p else s.weight_g,
                length_mm=p.length_mm if p else 0,
                width_mm=p.width_mm if p else 0,
                height_mm=p.height_mm if p else 0,
                date=day,
                postal=postal,
                customs=decl,
                cn22_limits=limits,
            )
        )
    return out


# --- rendering --------------------------------------------------------------------------------


def _size(s: Shipment, size: str | None) -> str:
    chosen = size or s.channel.label_size or "4x6"
    if chosen not in SIZES:
        raise ValidationFailed(
            f"Unknown label size {chosen!r}", code="invalid_label_size", details=list(SIZES)
        )
    return chosen


def _runs(shipments: Iterable[Shipment], fmt: str, size: str | None):
    """Consecutive pieces of one kind: ("ours", size, [LabelData...]) or ("carrier", bytes)."""
    ctx = Context.make()
    run: tuple | None = None
    for s in shipments:
        if s.channel.kind != KIND_RATE_SHEET:
            doc = _carrier_doc(s, fmt)
            if doc is None:
                raise ValidationFailed(
                    f"Shipment {s.number} has no carrier label in {fmt}",
                    code="labels_unavailable",
                    details={"unlabelled": [s.pk], "format": fmt},
                )
            if run is not None:
                yield run
                run = None
            yield ("carrier", bytes(doc.content))
            continue
        sz = _size(s, size)
        labels = label_data(s, ctx)
        if run is not None and run[1] == sz:
            run[2].extend(labels)
        else:
            if run is not None:
                yield run
            run = ("ours", sz, labels)
    if run is not None:
        yield run


def render_pdf(shipments: Sequence[Shipment], size: str | None = None) -> bytes:
    """One PDF for the shipments (already loaded and checked), in their order."""
    parts: list[bytes] = []
    for run in _runs(shipments, "pdf", size):
        parts.append(render_labels_pdf(run[2], run[1]) if run[0] == "ours" else run[1])
    if not parts:
        raise ValidationFailed("No label to print", code="no_labels")
    return join_pdfs(parts)


def render_zpl(shipments: Sequence[Shipment], size: str | None = None) -> str:
    parts: list[str] = []
    for run in _runs(shipments, "zpl", size):
        if run[0] == "ours":
            parts.append(render_labels_zpl(run[2], run[1]))
        else:
            parts.append(run[1].decode("utf-8", errors="replace"))
    if not parts:
        raise ValidationFailed("No label to print", code="no_labels")
    return "\n".join(p.rstrip("\n") for p in parts) + "\n"


def labels(actor, ids: Sequence[int], fmt: str = "pdf", size: str | None = None) -> bytes | str:
    """Labels of these shipments as one PDF (bytes) or ZPL (text): 422 for unknown or
    unlabelled ids (all listed)."""
    require(actor, P.SHIPMENT_VIEW)
    if fmt not in FORMATS:
        raise ValidationFailed(f"Unknown format {fmt!r}", code="invalid_format", details=FORMATS)
    if size is not None and size not in SIZES:
        raise ValidationFailed(
            f"Unknown label size {size!r}", code="invalid_label_size", details=list(SIZES)
        )
    ids = [int(i) for i in dict.fromkeys(ids)]
    if not ids:
        raise ValidationFailed("Select at least one shipment", code="nothing_selected")
    shipments = load(ids)
    check_printable(ids, shipments, fmt)
    return render_pdf(shipments, size) if fmt == "pdf" else render_zpl(shipments, size)


def label_pdf(shipments: Sequence[Shipment | int], size: str | None = None) -> bytes:
    """One PDF for many shipments (rows or ids), loaded in bulk."""
    return render_pdf(_rows(shipments, "pdf"), size)


def label_zpl(shipments: Sequence[Shipment | int], size: str | None = None) -> str:
    """One ZPL text for many shipments (rows or ids), loaded in bulk."""
    return render_zpl(_rows(shipments, "zpl"), size)


def _rows(shipments, fmt: str) -> list[Shipment]:
    ids = [s.pk if isinstance(s, Shipment) else int(s) for s in shipments]
    rows = load(ids)
    check_printable(ids, rows, fmt)
    return rows


# --- customs documents ------------------------------------------------------------------------


def customs_document(actor, shipment: Shipment | int) -> tuple[str, bytes]:
    """(kind, PDF): the CN23 or the commercial invoice of the shipment."""
    require(actor, P.SHIPMENT_VIEW)
    pk = shipment.pk if isinstance(shipment, Shipment) else int(shipment)
    rows = load([pk])
    if not rows:
        raise NotFound(f"Shipment {pk} does not exist", code="shipment_not_found")
    s = rows[0]
    ctx = Context.make()
    kind = document_kind(s, ctx)
    if kind not in (customs.DOC_CN23, customs.DOC_INVOICE):
        raise NotFound(
            "This shipment needs no separate customs document (its CN22 is on the label)",
            code="no_customs_document",
            details={"document": kind},
        )
    decl = declaration(s, ctx)
    sender = sender_address(s.warehouse, ctx.company_name)
    receiver = receiver_address(s)
    if kind == customs.DOC_CN23:
        return kind, render_cn23_pdf(decl, sender, receiver, s.tracking_number)
    return kind, render_commercial_invoice_pdf(
        decl, sender, receiver, tracking=s.tracking_number, invoice_number=s.number,
        carrier=s.channel.carrier or s.channel.name,
    )  # fmt: skip
