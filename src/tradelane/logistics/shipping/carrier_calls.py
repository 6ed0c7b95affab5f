"""Outbox handlers that talk to carriers through our gateway contract (``carriers.contract``).

``logistics.buy_label``: buys the label of a draft shipment with
``idempotency_key = shipment.label_request_key``. A retryable failure or an unknown outcome
raises ``RetryLater``: the next delivery sends the SAME key, so the carrier (or our gateway)
returns the label already bought instead of buying a second one. A refusal records
``label_error``; the shipment stays draft and visible. Success records the tracking number,
the carrier's shipment id and the label (ShipmentDocument ``carrier_label``) and moves the
shipment to labelled; a charge the carrier states becomes the shipment's cost. "Number
later" (``LabelResult.number_pending``, a Tradelane provider that numbers parcels after
inbound) records the provider's shipment id and leaves the shipment draft: it waits for its
number (``awaiting_number``), and ``label_when_numbered`` asks again when the number is there.
A shipment the carrier already reported moving before its label came (a provider receives the
parcel, then numbers it) is handed over as soon as it is labelled.

``logistics.void_label``: voids a cancelled shipment's carrier label.

Both run as the system (actor None): the person who asked is on the shipment's audit rows.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from tradelane.core import audit, outbox
from tradelane.core.crypto import decrypt_json
from tradelane.core.models import OutboxMessage
from tradelane.core.money import Money
from tradelane.core.states import transition

from ..carriers import contract as gateways
from ..tracking import codes as tc
from .models import Shipment, ShipmentDocument, ShipmentStatus
from .services import TOPIC_BUY_LABEL, TOPIC_VOID_LABEL, ship_shipment
from .states import SHIPMENT_TRANSITIONS

log = logging.getLogger(__name__)
S = ShipmentStatus
DEFAULT_RETRY_S = 60


def account_of(shipment: Shipment) -> gateways.Account:
    acc = shipment.channel.carrier_account
    if acc is None:
        raise gateways.CarrierError(
            f"Channel {shipment.channel.code} has no carrier account", code="no_carrier_account"
        )
    creds = decrypt_json(acc.credentials) if acc.credentials else {}
    return gateways.Account(acc.code, acc.carrier, creds, acc.test_mode, acc.base_url)


def label_request(shipment: Shipment) -> gateways.LabelRequest:
    wh = shipment.warehouse
    shipper = gateways.PartyAddress(
        name=wh.contact or wh.name, address1=wh.address or wh.name, city=wh.city,
        country=wh.country, postcode=wh.postcode, state=wh.state, phone=wh.phone,
    )  # fmt: skip
    recipient = gateways.PartyAddress(
        name=shipment.ship_name, address1=shipment.ship_address1, city=shipment.ship_city,
        country=shipment.ship_country, postcode=shipment.ship_postcode,
        state=shipment.ship_state, address2=shipment.ship_address2,
        company=shipment.ship_company, phone=shipment.ship_phone, email=shipment.ship_email,
    )  # fmt: skip
    pieces = tuple(
        gateways.PieceSpec(p.weight_g, p.length_mm, p.width_mm, p.height_mm)
        for p in shipment.parcels.all()
    )
    lines = tuple(
        gateways.CustomsLine(
            description=it.name_en, quantity=it.quantity,
            unit_value=Money(it.unit_value, it.currency), weight_g=it.weight_g,
            hs_code=it.hs_code, origin_country=it.origin_country,
            description_zh=it.name_zh, sku=it.sku.code if it.sku_id else "",
        )
        for it in shipment.items.select_related("sku")
    )  # fmt: skip
    declared = (
        Money(shipment.declared_value, shipment.declared_currency)
        if shipment.declared_currency
        else None
    )
    return gateways.LabelRequest(
        idempotency_key=shipment.label_request_key or "",
        service_code=shipment.channel.service_code,
        shipper=shipper,
        recipient=recipient,
        pieces=pieces,
        reference=shipment.number,
        lines=lines,
        declared_value=declared,
        incoterm=shipment.incoterm,
        customs_category=shipment.customs_category,
        ioss_number=shipment.ioss_number,
        vat_number=shipment.vat_number,
        eori_number=shipment.eori_number,
        label_format="PDF",
        label_size=shipment.channel.label_size,
    )


@outbox.handler(TOPIC_BUY_LABEL)
def buy_label(msg: OutboxMessage) -> None:
    label_shipment(msg.payload["shipment_id"])


def label_shipment(sid: int) -> None:
    """Buy (or fetch, with the same key) the label of a draft shipment now; ``RetryLater``
    when the carrier may answer later."""
    shipment = (
        Shipment.objects.select_related("channel__carrier_account", "warehouse")
        .filter(pk=sid)
        .first()
    )
    if shipment is None or shipment.status != S.DRAFT or shipment.tracking_number:
        return  # cancelled, or already labelled by an earlier delivery: nothing to do
    try:
        account = account_of(shipment)
        gateway = gateways.gateway_for(account.carrier)
        result = gateway.create_label(account, label_request(shipment))
    except gateways.CarrierError as exc:
        if exc.retryable or exc.outcome_unknown:
            Shipment.objects.filter(pk=sid).update(
                label_error=f"retrying: {exc.message}"[:2000], updated_at=timezone.now()
            )
            raise outbox.RetryLater(
                exc.message, retry_after=exc.retry_after or DEFAULT_RETRY_S
            ) from exc
        _refused(shipment, exc.message, exc.code)
        return
    except Exception as exc:  # a gateway that is not installed, bad credentials...
        code = getattr(exc, "code", type(exc).__name__)
        _refused(shipment, str(getattr(exc, "message", exc)), code)
        return
    if result.number_pending or not result.tracking_number:
        _number_pending(shipment, result, account.carrier)
        return
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=sid)
        if shipment.status != S.DRAFT:
            return
        extra = {
            "tracking_number": result.tracking_number,
            "carrier_shipment_id": result.carrier_shipment_id,
            "label_error": "",
            "labelled_at": timezone.now(),
        }
        if result.charge is not None:
            extra.update(cost_amount=result.charge.amount, charge_currency=result.charge.currency)
        transition(
            shipment, S.LABELLED, table=SHIPMENT_TRANSITIONS, actor=None,
            reason=f"label bought from {account.carrier}", extra=extra,
        )  # fmt: skip
        fmt = (result.label_format or "PDF").lower()[:4]
        ShipmentDocument.objects.update_or_create(
            shipment=shipment, kind="carrier_label", format=fmt,
            defaults={"content": result.label, "created_at": timezone.now()},
        )  # fmt: skip
        if result.piece_tracking_numbers:
            for seq, number in enumerate(result.piece_tracking_numbers, start=1):
                shipment.parcels.filter(seq=seq).update(tracking_number=number)
        audit.record(
            None, "logistics.shipment.label", shipment,
            {"tracking_number": result.tracking_number, "carrier": account.carrier},
        )  # fmt: skip
    if shipment.tracking_status in tc.MOVING:  # the carrier had the parcel before its number
        ship_shipment(None, shipment, carrier_report=True, at=shipment.tracking_status_at)


def _number_pending(shipment: Shipment, result: gateways.LabelResult, carrier: str) -> None:
    """Accepted, numbered later: keep the carrier's shipment id; the shipment stays draft."""
    if not result.carrier_shipment_id:
        _refused(
            shipment, "The carrier gave neither a number nor a shipment id", "carrier_no_label"
        )
        return
    values = {"carrier_shipment_id": result.carrier_shipment_id[:128], "label_error": ""}
    if result.charge is not None:
        values.update(cost_amount=result.charge.amount, charge_currency=result.charge.currency)
    with transaction.atomic():
        changed = Shipment.objects.filter(pk=shipment.pk, status=S.DRAFT).update(
            **values, updated_at=timezone.now()
        )
        if changed:
            audit.record(
                None, "logistics.shipment.number_pending", shipment,
                {"carrier": carrier, "carrier_shipment_id": result.carrier_shipment_id},
            )  # fmt: skip


def awaiting_number(shipment: Shipment) -> bool:
    """Accepted by the carrier, which gives the tracking number later."""
    return (
        shipment.status == S.DRAFT
        and bool(shipment.carrier_shipment_id)
        and not shipment.tracking_number
    )


def label_when_numbered(shipment: Shipment, number: str) -> bool:
    """The carrier says the shipment waiting for its number has one (``number``, from its
    webhook): ask for the label again through the outbox (the same idempotency key, so the
    carrier returns the shipment it has, now numbered). False when it was not waiting, or was
    asked for this number already."""
    shipment = Shipment.objects.filter(pk=shipment.pk).first()
    if shipment is None or not awaiting_number(shipment) or not shipment.label_request_key:
        return False
    key = f"{shipment.label_request_key}:numbered:{(number or '').strip()[:40]}"
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        return False  # asked already for this number
    outbox.enqueue(TOPIC_BUY_LABEL, {"shipment_id": shipment.pk}, dedupe_key=key)
    return True


def _refused(shipment: Shipment, message: str, code: str) -> None:
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk, status=S.DRAFT).update(
            label_error=f"{code}: {message}"[:2000], updated_at=timezone.now()
        )
        audit.record(
            None, "logistics.shipment.label_refused", shipment, {"code": code, "message": message}
        )


@outbox.handler(TOPIC_VOID_LABEL)
def void_label(msg: OutboxMessage) -> None:
    sid = msg.payload["shipment_id"]
    shipment = Shipment.objects.select_related("channel__carrier_account").filter(pk=sid).first()
    if shipment is None or shipment.status != S.CANCELLED:
        return
    account = account_of(shipment)
    try:
        gateways.gateway_for(account.carrier).void(
            account, shipment.carrier_shipment_id, shipment.tracking_number
        )
    except gateways.CarrierError as exc:
        if exc.retryable or exc.outcome_unknown:
            raise outbox.RetryLater(exc.message, retry_after=exc.retry_after) from exc
        raise
    audit.record(None, "logistics.shipment.void", shipment, {"tracking": shipment.tracking_number})
