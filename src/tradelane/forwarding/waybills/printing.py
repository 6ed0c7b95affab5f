"""Labels of waybills: the kernel's label data (``logistics.documents``) for each piece of a
waybill, rendered as one PDF or one ZPL text for one waybill or many (the open API and the
portal both print through ``labels`` or ``batch``).

Reads and pure mapping only. A label needs the tracking number: a waybill whose number is
still to come ("number later") is refused with ``tracking_number_pending`` (409), a cancelled
one with ``not_printable``; ``labels`` prints nothing when one waybill of a batch cannot be,
``batch`` (the portal's batch print) prints the others and names the skipped ones with why.

- the sender is the waybill's shipper, else the customer's shipper, else the customer itself;
- one label per forecast piece (piece n/N, its weight and size);
- a postal channel's CN22 is printed on the label when ``customs.decisions`` says CN22 (the
  goods lines are declared in one currency, so no conversion is needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import Money
from tradelane.logistics.customs import decisions as customs
from tradelane.logistics.customs.labels import LabelCustoms
from tradelane.logistics.documents import (
    Address,
    CustomsDeclaration,
    CustomsItem,
    LabelData,
    join_pdfs,
    render_labels_pdf,
    render_labels_zpl,
)
from tradelane.logistics.documents.data import SIZES
from tradelane.logistics.rates.descriptions import SERVICE_POSTAL

from ..partners import scoping
from .models import TrackingStatus, Waybill, WaybillItem, WaybillPiece, WaybillStatus

FORMATS = ("pdf", "zpl")
MAX_LABELS = 500  # waybills per batch, as many as one create request


def load(actor, ids: Sequence[int], customer=None) -> list[Waybill]:
    """The waybills of ``ids`` in the actor's scope (and of ``customer`` when one is named),
    in that order, with what a label needs (3 queries however many); an id out of scope is
    ``waybill_not_found``."""
    ids = [int(i) for i in dict.fromkeys(ids)]
    qs = Waybill.objects.filter(pk__in=ids)
    if customer is not None:
        qs = qs.filter(customer=customer)
    rows = scoping.scoped(
        actor,
        qs.select_related("customer", "channel").prefetch_related(
            Prefetch("piece_rows", queryset=WaybillPiece.objects.order_by("seq")),
            Prefetch("items", queryset=WaybillItem.objects.order_by("seq")),
        ),
    )
    by_id = {w.pk: w for w in rows}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise NotFound("Some waybills do not exist", code="waybill_not_found",
                       details={"ids": missing})  # fmt: skip
    return [by_id[i] for i in ids]


def check_printable(waybills: Sequence[Waybill]) -> None:
    """409 when a waybill has no tracking number yet or is cancelled (all of them listed)."""
    pending = [w.number for w in waybills
               if w.tracking_status == TrackingStatus.PENDING or not w.tracking_number]  # fmt: skip
    cancelled = [w.number for w in waybills if w.status == WaybillStatus.CANCELLED]
    if cancelled:
        raise Conflict(
            f"Waybill {cancelled[0]} is cancelled: there is no label to print",
            code="not_printable", details={"numbers": cancelled},
        )  # fmt: skip
    if pending:
        raise Conflict(
            f"The tracking number of {pending[0]} is not assigned yet: the label can be "
            "printed once it is (webhook waybill.tracking_number_assigned, or poll the waybill)",
            code="tracking_number_pending", details={"numbers": pending},
        )  # fmt: skip


# --- mapping ----------------------------------------------------------------------------------


def sender_address(w: Waybill) -> Address:
    """The waybill's shipper, else its customer's, else the customer's name and country."""
    customer = w.customer
    s = dict(w.shipper or customer.shipper or {})
    return Address(
        name=s.get("name") or customer.contact_name or customer.company,
        company=s.get("company") or ("" if s.get("name") else customer.company),
        address1=s.get("address1") or customer.company,
        address2=s.get("address2", ""),
        city=s.get("city") or customer.country,
        state=s.get("state", ""),
        postcode=s.get("postcode", ""),
        country=s.get("country") or customer.country,
        phone=s.get("phone") or customer.phone,
        email=s.get("email") or customer.email,
    )


def receiver_address(w: Waybill) -> Address:
    return Address(
        name=w.consignee_name,
        company=w.consignee_company,
        address1=w.consignee_address1,
        address2=w.consignee_address2,
        city=w.consignee_city,
        state=w.consignee_state,
        postcode=w.consignee_postcode,
        country=w.consignee_country,
        phone=w.consignee_phone,
        email=w.consignee_email,
    )


def declaration(w: Waybill) -> CustomsDeclaration:
    items = [
        CustomsItem(
            name_en=it.name_en, name_zh=it.name_zh, quantity=it.quantity,
            unit_value=it.unit_value, currency=it.currency,
            weight_g=it.unit_weight_g * it.quantity, hs_code=it.hs_code,
            origin_country=it.origin or "CN", sku=it.sku,
        )
        for it in w.items.all()
    ]  # fmt: skip
    if not items:
        raise ValidationFailed(f"Waybill {w.number} has no goods lines", code="no_items")
    return CustomsDeclaration(
        items=tuple(items), currency=w.declared_currency,
        incoterm=w.incoterm if w.incoterm in ("DDP", "DDU") else "DDU",
        ioss_number=w.ioss, vat_number=w.vat_number, eori_number=w.eori,
        importer_phone=w.consignee_phone, importer_email=w.consignee_email,
        sender_reference=w.reference[:60], invoice_number=w.number,
        date=timezone.localdate(w.created_at), signature_name=w.customer.company,
    )  # fmt: skip


def label_data(w: Waybill, ctx: LabelCustoms | None = None) -> list[LabelData]:
    """One label per piece of the waybill (piece n/N)."""
    ctx = ctx or LabelCustoms()  # FX rates and CN22 thresholds, shared by a batch
    ch = w.channel
    postal = ch.service_type == SERVICE_POSTAL
    day = timezone.localdate(w.created_at)
    decl = limits = None
    if postal:
        value = Money(w.declared_value, w.declared_currency)
        if ctx.document_kind(ch.service_type, value, w.weight_g, day) == customs.DOC_CN22:
            decl = declaration(w)
            limits = ctx.cn22_limits(decl.currency, day)
    sender, receiver = sender_address(w), receiver_address(w)
    pieces = list(w.piece_rows.all())
    n = len(pieces) or 1
    return [
        LabelData(
            sender=sender, receiver=receiver, tracking_number=w.tracking_number,
            channel_code=ch.code, service_name=ch.name,
            carrier_name=w.last_mile_carrier or ch.carrier or ch.name,
            reference=f"{w.number} {w.reference}"[:60], piece=i, pieces=n,
            weight_g=p.weight_g if p else w.weight_g,
            length_mm=p.length_mm if p else 0, width_mm=p.width_mm if p else 0,
            height_mm=p.height_mm if p else 0,
            date=timezone.localdate(), postal=postal, customs=decl, cn22_limits=limits,
        )
        for i, p in enumerate(pieces or [None], start=1)
    ]  # fmt: skip


# --- rendering --------------------------------------------------------------------------------


def _size(w: Waybill) -> str:
    return w.channel.label_size if w.channel.label_size in SIZES else "4x6"


def _runs(waybills: Sequence[Waybill]) -> list[tuple[str, list[LabelData]]]:
    """Consecutive waybills of one label size, their labels together."""
    ctx = LabelCustoms()
    runs: list[tuple[str, list[LabelData]]] = []
    for w in waybills:
        size = _size(w)
        labels = label_data(w, ctx)
        if runs and runs[-1][0] == size:
            runs[-1][1].extend(labels)
        else:
            runs.append((size, labels))
    return runs


def render_pdf(waybills: Sequence[Waybill]) -> bytes:
    return join_pdfs([render_labels_pdf(labels, size) for size, labels in _runs(waybills)])


def render_zpl(waybills: Sequence[Waybill]) -> str:
    return "".join(render_labels_zpl(labels, size) for size, labels in _runs(waybills))


def _ids(actor, waybills: Sequence[Waybill | int], fmt: str, limit: int) -> list[int]:
    require(actor, P.WAYBILL_VIEW)
    if fmt not in FORMATS:
        raise ValidationFailed(f"Unknown format {fmt!r}", code="invalid_format",
                               details=list(FORMATS))  # fmt: skip
    ids = [w.pk if isinstance(w, Waybill) else int(w) for w in waybills]
    if not ids:
        raise ValidationFailed("Select at least one waybill", code="no_waybill_selected")
    if len(ids) > limit:
        raise ValidationFailed(
            f"At most {limit} labels at a time ({len(ids)} asked)", code="too_many_labels",
            details={"max": limit, "count": len(ids)},
        )  # fmt: skip
    return ids


def render(rows: Sequence[Waybill], fmt: str) -> bytes | str:
    return render_pdf(rows) if fmt == "pdf" else render_zpl(rows)


def labels(actor, waybills: Sequence[Waybill | int], fmt: str = "pdf", *,
           limit: int = MAX_LABELS) -> bytes | str:  # fmt: skip
    """The labels of these waybills (rows or ids, in the actor's scope) as one PDF (bytes) or
    one ZPL text, in the order given; refused whole when one cannot be printed."""
    rows = load(actor, _ids(actor, waybills, fmt, limit))
    check_printable(rows)
    return render(rows, fmt)


# --- a batch that skips what cannot be printed -------------------------------------------------


def skip_reason(w: Waybill) -> str:
    """Why ``w`` has no label (the error code that says it), or "" when it has one."""
    if w.status == WaybillStatus.CANCELLED:
        return "not_printable"
    if w.tracking_status == TrackingStatus.PENDING or not w.tracking_number:
        return "tracking_number_pending"
    return ""


@dataclass(frozen=True)
class Batch:
    """One file of the printable waybills' labels (None when none is) and the skipped ones,
    each with the code of why."""

    content: bytes | str | None
    printed: list[Waybill] = field(default_factory=list)
    skipped: list[tuple[Waybill, str]] = field(default_factory=list)


def batch(actor, waybills: Sequence[Waybill | int], fmt: str = "pdf", *,
          limit: int = MAX_LABELS, customer=None) -> Batch:  # fmt: skip
    """The labels of those of ``waybills`` that can be printed, in the order given, in one
    file; a waybill still without its number, or cancelled, is skipped and said why. Out of
    the actor's scope is ``waybill_not_found`` for the whole batch (nothing printed)."""
    rows = load(actor, _ids(actor, waybills, fmt, limit), customer)
    printed = [w for w in rows if not skip_reason(w)]
    skipped = [(w, skip_reason(w)) for w in rows if skip_reason(w)]
    return Batch(render(printed, fmt) if printed else None, printed, skipped)
