"""Customer service edits an order: buyer, address, phone, the buyer's note and the lines.

``edit_order`` is the one write. It takes an order that has not left (review states, pending
purchase, or allocated), refuses one that a live shipment carries or that ships in a merged
parcel with other orders, and refuses a phone number the destination does not accept or an
address Google's i18n address data says cannot be delivered to, so a problem the review found
is fixed rather than approved with a note. What changed is kept with its before and after on
the order's history (a state event of field ``edit``) and in the audit log; the review runs
again; an allocated order gives its stock back first and is allocated again when the review
passes. All or nothing: a refused edit writes nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict

import phonenumbers
from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.catalog.models import Sku
from tradelane.core import audit
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.core.models import StateEvent
from tradelane.core.states import entity_label, transition
from tradelane.inventory import services as inventory

from .allocation import SOURCE, reallocate
from .importing import order_fingerprint
from .models import Order, OrderLine, Package
from .review import check_address, rereview
from .states import TRANSITIONS, Verdict
from .states import OrderStatus as S

BUYER_FIELDS = ("buyer_name", "buyer_email", "buyer_phone")
ADDRESS_FIELDS = (
    "ship_name", "ship_company", "ship_address1", "ship_address2", "ship_city", "ship_state",
    "ship_postcode", "ship_country",
)  # fmt: skip
PHONE_FIELDS = ("buyer_phone", "ship_phone")
EDITABLE_FIELDS = (*BUYER_FIELDS, *ADDRESS_FIELDS, "ship_phone", "note")
REQUIRED_FIELDS = ("ship_name", "ship_address1", "ship_country")
# an order may be edited until it leaves; allocated and pending purchase ones are allocated again
EDITABLE_STATES = (
    S.PENDING_REVIEW, S.PENDING_CONTACT, S.APPROVED, S.INVALID, S.PENDING_PURCHASE,
    S.PENDING_SHIPMENT,
)  # fmt: skip
EDIT_EVENT = "edit"  # StateEvent.field of an edit; its reason is the JSON of the changes
MAX_LINES = 200


def can_edit(order: Order) -> bool:
    return order.status in EDITABLE_STATES


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {sorted(unknown)}", code="unknown_field")
    out = {}
    for name, value in fields.items():
        if not isinstance(value, str):
            raise ValidationFailed(f"{name} is text", code="invalid_field", details={"field": name})
        value = value.strip() if name != "note" else value.strip("\n\r ")
        limit = Order._meta.get_field(name).max_length
        if limit and len(value) > limit:
            raise ValidationFailed(
                f"{name} is at most {limit} characters",
                code="too_long",
                details={"field": name, "max": limit},
            )
        if name in REQUIRED_FIELDS and not value:
            raise ValidationFailed(f"{name} is required", code="required", details={"field": name})
        out[name] = value
    if "buyer_email" in out:
        out["buyer_email"] = out["buyer_email"].lower()
    if "ship_country" in out:
        try:
            out["ship_country"] = check_country(out["ship_country"])
        except ValidationFailed as exc:
            exc.details = {"field": "ship_country"}
            raise
    return out


def _check_phones(order: Order, fields: dict) -> None:
    """A phone typed in must be a valid number for the destination (kept as E.164)."""
    country = fields.get("ship_country", order.ship_country)
    for name in PHONE_FIELDS:
        raw = fields.get(name)
        if not raw or raw == getattr(order, name):
            continue
        try:
            number = phonenumbers.parse(raw, country or None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationFailed(
                f"{raw!r} is not a valid phone number for {country}",
                code="invalid_phone",
                details={"field": name, "country": country},
            )
        fields[name] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_address(order: Order, fields: dict) -> None:
    if not any(name in fields and fields[name] != getattr(order, name) for name in ADDRESS_FIELDS):
        return
    merged = {name: fields.get(name, getattr(order, name)) for name in ADDRESS_FIELDS}
    verdict = check_address(merged)
    if verdict["result"] != Verdict.PASS:
        raise ValidationFailed(
            f"The address cannot be delivered to: {verdict['detail'] or verdict['code']}",
            code="address_not_deliverable",
            details={"rule": verdict["code"], "problems": verdict["detail"]},
        )


def _line_text(store_sku: str, sku: Sku | None, quantity: int) -> str:
    return f"{sku.code if sku else store_sku}×{quantity}"


def _plan_lines(order: Order, current: list[OrderLine], lines: list[dict]):
    """Validate the wanted lines; return (updates, new rows, ids to delete)."""
    if not isinstance(lines, list) or not lines:
        raise ValidationFailed("An order keeps at least one line", code="no_lines")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(f"At most {MAX_LINES} lines", code="too_many_lines")
    by_id = {line.pk: line for line in current}
    codes = {str(e.get("sku") or "").strip() for e in lines if isinstance(e, dict)} - {""}
    skus = {s.code: s for s in Sku.objects.filter(code__in=codes)}
    unknown = sorted(codes - skus.keys())
    if unknown:
        raise ValidationFailed(
            f"No SKU {', '.join(map(repr, unknown))}", code="unknown_sku", details={"skus": unknown}
        )
    group_size: dict[str, int] = defaultdict(int)
    for line in current:
        group_size[line.store_sku] += 1
    updates, new, kept = [], [], set()
    next_no = max((line.line_no for line in current), default=0) + 1
    for index, entry in enumerate(lines):
        if not isinstance(entry, dict):
            raise ValidationFailed(
                "A line is an object", code="invalid_line", details={"line": index}
            )
        qty = entry.get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= 100000:
            raise ValidationFailed(
                "Quantities are whole numbers from 1 to 100000",
                code="invalid_quantity",
                details={"line": index},
            )
        code = str(entry.get("sku") or "").strip()
        line_id = entry.get("id")
        if line_id is not None:
            line = by_id.get(line_id) if isinstance(line_id, int) else None
            if line is None or line_id in kept:
                raise ValidationFailed(
                    "A line does not belong to this order", code="invalid_line",
                    details={"line": index},
                )  # fmt: skip
            kept.add(line_id)
            sku = skus[code] if code else line.sku
            store_qty = qty if group_size[line.store_sku] == 1 else line.store_quantity
            if (sku and sku.pk) != line.sku_id or qty != line.quantity:
                updates.append((line, sku, qty, store_qty))
        else:
            if not code:
                raise ValidationFailed(
                    "A new line needs a SKU", code="required", details={"line": index}
                )
            sku = skus[code]
            new.append(
                OrderLine(
                    order=order, line_no=next_no, store_sku=sku.code, store_quantity=qty,
                    title=sku.name[:300], sku=sku, quantity=qty,
                )
            )  # fmt: skip
            next_no += 1
    deleted = sorted(set(by_id) - kept)
    return updates, new, deleted


def _fingerprint(order: Order, lines: list[OrderLine]) -> str:
    groups = {(line.store_sku, line.store_quantity) for line in lines}
    return order_fingerprint(
        buyer_email=order.buyer_email, buyer_name=order.buyer_name, ship_name=order.ship_name,
        ship_address1=order.ship_address1, ship_address2=order.ship_address2,
        ship_city=order.ship_city, ship_postcode=order.ship_postcode,
        ship_country=order.ship_country, items=sorted(groups),
    )  # fmt: skip


def _live_shipments(order: Order) -> list[str]:
    from tradelane.logistics.shipping.models import ShipmentOrder, ShipmentStatus

    return list(
        ShipmentOrder.objects.filter(order=order)
        .exclude(shipment__status=ShipmentStatus.CANCELLED)
        .values_list("shipment__number", flat=True)
        .order_by("shipment__number")
    )


def edit_order(
    actor, order: Order, *, fields: dict | None = None, lines: list[dict] | None = None,
    reason: str = "",
) -> Order:  # fmt: skip
    """Change the order's buyer, address, phones or note (``fields``: name -> text) and, given
    ``lines`` ([{"id": line id or None for a new line, "sku": our SKU code, "quantity": n}]),
    its lines: a line left out is removed. Returns the order as the review and allocation left
    it. Raises ``ValidationFailed`` (bad input, ``nothing_changed``) or ``Conflict``."""
    require(actor, P.ORDER_CHANGE)
    fields = _clean_fields(dict(fields or {}))
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in EDITABLE_STATES:
            raise Conflict(
                f"An order in {order.status!r} can no longer be edited",
                code="edit_wrong_status",
                details={"status": order.status},
            )
        live = _live_shipments(order)
        if live:
            raise Conflict(
                "A shipment carries this order; cancel it before editing the order",
                code="order_has_shipment",
                details={"shipments": live},
            )
        if Package.objects.filter(
            status=Package.Status.OPEN, kind=Package.Kind.MERGED, lines__order_line__order=order
        ).exists():
            raise Conflict(
                "The order ships in a merged parcel with other orders; cancel that first",
                code="already_packaged",
            )
        _check_phones(order, fields)
        _check_address(order, fields)
        changes = audit.diff(order, fields)
        current = list(order.lines.select_related("sku").order_by("line_no"))
        updates, new, deleted = (
            ([], [], []) if lines is None else _plan_lines(order, current, lines)
        )
        if updates or new or deleted:
            before = ", ".join(_line_text(ln.store_sku, ln.sku, ln.quantity) for ln in current)
            after_lines = []
            changed = {line.pk: (sku, qty) for line, sku, qty, _ in updates}
            for line in current:
                if line.pk in deleted:
                    continue
                sku, qty = changed.get(line.pk, (line.sku, line.quantity))
                after_lines.append(_line_text(line.store_sku, sku, qty))
            after_lines += [_line_text(ln.store_sku, ln.sku, ln.quantity) for ln in new]
            changes["lines"] = [before, ", ".join(after_lines)]
        if not changes:
            raise ValidationFailed("Nothing to change", code="nothing_changed")

        was = order.status
        if was == S.PENDING_SHIPMENT:  # give the stock back before the lines change
            inventory.release(actor, SOURCE, [str(order.pk)], note="order edited")
            Package.objects.filter(
                status=Package.Status.OPEN, lines__order_line__order=order
            ).update(status=Package.Status.CANCELLED)
        if deleted:
            OrderLine.objects.filter(pk__in=deleted).delete()
        for line, sku, qty, store_qty in updates:
            OrderLine.objects.filter(pk=line.pk).update(
                sku=sku, quantity=qty, store_quantity=store_qty
            )
        if new:
            OrderLine.objects.bulk_create(new)
        for name, value in fields.items():
            setattr(order, name, value)
        remaining = list(order.lines.all())
        values = {name: getattr(order, name) for name in fields}
        Order.objects.filter(pk=order.pk).update(
            **values, fingerprint=_fingerprint(order, remaining), updated_at=timezone.now()
        )
        StateEvent.objects.create(
            entity=entity_label(Order), object_id=order.pk, field=EDIT_EVENT, from_state="",
            to_state="edited", actor=actor,
            reason=json.dumps({"changes": changes, "note": reason}, ensure_ascii=False),
        )  # fmt: skip
        audit.record(actor, "orders.order.edit", order, {**changes, "reason": reason})

        back = {S.PENDING_SHIPMENT: S.APPROVED, S.PENDING_PURCHASE: S.APPROVED,
                S.INVALID: S.PENDING_REVIEW}.get(was)  # fmt: skip
        if back:
            extra = {"warehouse": None, "shortage": []} if was != S.INVALID else {}
            transition(order, back, table=TRANSITIONS, actor=actor, reason="edited", extra=extra)
        rereview(actor, [order.pk])
        order.refresh_from_db()
        if was in (S.PENDING_SHIPMENT, S.PENDING_PURCHASE) and order.status == S.APPROVED:
            reallocate(actor, [order.pk])
            order.refresh_from_db()
    return order


def edit_changes(reason: str) -> tuple[dict, str]:
    """The changes ({field: [before, after]}) and the note an edit event's reason holds."""
    try:
        data = json.loads(reason)
    except (TypeError, ValueError):
        return {}, reason or ""
    if not isinstance(data, dict):
        return {}, reason
    return data.get("changes") or {}, data.get("note") or ""
