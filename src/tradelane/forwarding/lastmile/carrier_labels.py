"""Buying a waybill's last-mile label through a carrier API (the channel's carrier account),
through the same carrier contract the seller side ships with (``logistics.carriers.contract``).

``request_label`` writes a ``LastMileRequest`` (pending) and an outbox job in one transaction;
the job (``forwarding.lastmile_label``) moves it to fetching, asks the carrier with the
request's idempotency key (the same key on every try: never two labels) and stores the number
and the label (``write_assignments``, source api) -> assigned. A failure the carrier says may
pass (busy, timeout, "number later") goes back to pending and is tried again after a backoff
(``TRADELANE_LASTMILE_BACKOFF_S`` doubled per attempt, at most an hour); after
``TRADELANE_LASTMILE_MAX_ATTEMPTS`` tries (default 5), or at once for a refusal that trying
again cannot change, the request is failed and the waybill gets a "last-mile number failed"
problem with the last error: never "fetching" for ever. ``retry_now`` puts a failed request
back to pending (a new round, the same key) or brings a waiting one's next try forward.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit, outbox
from tradelane.core.crypto import decrypt_json
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.models import OutboxMessage
from tradelane.core.money import Money
from tradelane.core.states import transition
from tradelane.logistics.carriers import contract as gateways

from ..hub.models import ProblemReason
from ..hub.problems import open_problem
from ..partners import scoping
from ..waybills.models import Waybill
from . import assignment
from .models import AssignmentSource, LastMileRequest, RequestStatus
from .states import OPEN, REQUEST_TRANSITIONS

TOPIC = "forwarding.lastmile_label"
R = RequestStatus
MAX_BACKOFF_S = 3600


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TRADELANE_LASTMILE_MAX_ATTEMPTS", 5)))


def backoff_seconds(attempts: int) -> int:
    base = int(getattr(settings, "TRADELANE_LASTMILE_BACKOFF_S", 60))
    return min(MAX_BACKOFF_S, base * 2 ** max(0, attempts - 1))


def _enqueue(req: LastMileRequest) -> None:
    msg = outbox.enqueue(TOPIC, {"request_id": req.pk},
                         dedupe_key=f"{TOPIC}:{req.idempotency_key}:{req.round}")  # fmt: skip
    # the request counts its own tries; the outbox row must not give up before it does
    OutboxMessage.objects.filter(pk=msg.pk).update(max_attempts=req.max_attempts + 3)


def request_label(actor, waybill: Waybill) -> LastMileRequest:
    """Queue the purchase of ``waybill``'s last-mile label from its channel's carrier account.
    A request still open for the waybill is returned as it is (asked twice)."""
    require(actor, P.HUB_RECEIVE)
    if not scoping.scoped(actor, Waybill.objects.filter(pk=waybill.pk)).exists():
        raise NotFound(f"No waybill {waybill.number}", code="waybill_not_found")
    w = Waybill.objects.select_related("channel__carrier_account").get(pk=waybill.pk)
    assignment.check_assignable(w)
    account = w.channel.carrier_account
    if account is None or not account.is_active:
        raise ValidationFailed(
            f"Channel {w.channel.code} has no carrier account", code="no_carrier_account"
        )
    found = LastMileRequest.objects.filter(waybill=w, status__in=OPEN).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            req = LastMileRequest.objects.create(
                waybill=w, carrier_account=account, carrier=account.carrier,
                idempotency_key=f"lm-{uuid.uuid4().hex}", max_attempts=max_attempts(),
                next_attempt_at=timezone.now(), requested_by=actor,
            )  # fmt: skip
            _enqueue(req)
            audit.record(actor, "forwarding.lastmile.request", req,
                         {"waybill": w.number, "account": account.code})  # fmt: skip
    except IntegrityError:  # asked at the same moment from another station
        return LastMileRequest.objects.get(waybill=w, status__in=OPEN)
    return req


def retry_now(actor, req: LastMileRequest) -> LastMileRequest:
    """A failed request starts again (attempts from 0, the same idempotency key); a pending
    one is tried at once instead of after its backoff."""
    require(actor, P.HUB_RECEIVE)
    req = LastMileRequest.objects.get(pk=req.pk)
    if req.status not in (R.FAILED, R.PENDING):
        raise Conflict(f"The request is {req.status}", code="last_mile_request_closed",
                       details={"status": req.status})  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        if req.status == R.FAILED:
            transition(req, R.PENDING, table=REQUEST_TRANSITIONS, actor=actor,
                       reason="retry now", extra={"attempts": 0, "round": req.round + 1,
                                                  "next_attempt_at": now,
                                                  "max_attempts": max_attempts()})  # fmt: skip
            _enqueue(req)
        else:
            LastMileRequest.objects.filter(pk=req.pk).update(next_attempt_at=now)
            OutboxMessage.objects.filter(
                topic=TOPIC, status=OutboxMessage.Status.PENDING,
                dedupe_key=f"{TOPIC}:{req.idempotency_key}:{req.round}",
            ).update(next_attempt_at=now)  # fmt: skip
        audit.record(actor, "forwarding.lastmile.retry", req, {"round": req.round})
    req.refresh_from_db()
    return req


def label_request(w: Waybill, key: str) -> gateways.LabelRequest:
    s = w.shipper or {}
    shipper = gateways.PartyAddress(
        name=s.get("name", "") or w.customer.company, address1=s.get("address1", ""),
        city=s.get("city", ""), country=s.get("country", "CN"), postcode=s.get("postcode", ""),
        state=s.get("state", ""), phone=s.get("phone", ""), company=s.get("company", ""),
    )  # fmt: skip
    recipient = gateways.PartyAddress(
        name=w.consignee_name, address1=w.consignee_address1, city=w.consignee_city,
        country=w.consignee_country, postcode=w.consignee_postcode, state=w.consignee_state,
        address2=w.consignee_address2, company=w.consignee_company, phone=w.consignee_phone,
        email=w.consignee_email,
    )  # fmt: skip
    pieces = tuple(gateways.PieceSpec(p.weight_g, p.length_mm, p.width_mm, p.height_mm)
                   for p in w.piece_rows.all()) or (gateways.PieceSpec(w.weight_g),)  # fmt: skip
    lines = tuple(
        gateways.CustomsLine(
            description=it.name_en, quantity=it.quantity,
            unit_value=Money(it.unit_value, it.currency), weight_g=it.unit_weight_g,
            hs_code=it.hs_code, origin_country=it.origin, description_zh=it.name_zh, sku=it.sku,
        )
        for it in w.items.all()
    )  # fmt: skip
    return gateways.LabelRequest(
        idempotency_key=key, service_code=w.channel.service_code, shipper=shipper,
        recipient=recipient, pieces=pieces, reference=w.number, lines=lines,
        declared_value=Money(w.declared_value, w.declared_currency), incoterm=w.incoterm,
        ioss_number=w.ioss, vat_number=w.vat_number, eori_number=w.eori,
        label_size=w.channel.label_size,
    )  # fmt: skip


@outbox.handler(TOPIC)
def fetch_label(msg: OutboxMessage) -> None:
    run_request(msg.payload["request_id"])


def run_request(pk: int) -> LastMileRequest | None:
    """One try of request ``pk`` (the outbox job); ``RetryLater`` while it waits for its
    next try. A request already assigned or failed is left alone."""
    req = LastMileRequest.objects.select_related("carrier_account").filter(pk=pk).first()
    if req is None or req.status not in OPEN:
        return req
    with transaction.atomic():
        if req.status == R.PENDING:  # fetching: the previous try's worker died mid-call
            transition(req, R.FETCHING, table=REQUEST_TRANSITIONS, actor=None, reason="ask",
                       extra={"attempts": req.attempts + 1})  # fmt: skip
        else:
            LastMileRequest.objects.filter(pk=pk).update(attempts=req.attempts + 1)
            req.attempts += 1
    w = Waybill.objects.select_related("customer", "channel").get(pk=req.waybill_id)
    acc = req.carrier_account
    try:
        account = gateways.Account(acc.code, acc.carrier,
                                   decrypt_json(acc.credentials) if acc.credentials else {},
                                   acc.test_mode, acc.base_url)  # fmt: skip
        result = gateways.gateway_for(acc.carrier).create_label(
            account, label_request(w, req.idempotency_key)
        )
    except gateways.CarrierError as exc:
        return _failed_try(req, w, exc.message, exc.code, exc.retryable or exc.outcome_unknown)
    except Exception as exc:  # a gateway not installed, bad credentials, a broken answer
        return _failed_try(req, w, str(getattr(exc, "message", exc)),
                           getattr(exc, "code", type(exc).__name__), False)  # fmt: skip
    if result.number_pending or not result.tracking_number:
        return _failed_try(req, w, "The carrier gives the number later", "number_pending", True)
    return _assigned(req, w, result)


def _assigned(req: LastMileRequest, w: Waybill, result: gateways.LabelResult):
    number = result.tracking_number.strip()[:60]
    holder = assignment.holder_of(req.carrier, number, besides=w.pk)
    if holder is not None:
        return _failed_try(req, w, f"{req.carrier} number {number} is already on waybill "
                           f"{holder.number}", "last_mile_number_taken", False)  # fmt: skip
    with transaction.atomic():
        w = Waybill.objects.select_for_update().select_related("customer", "channel").get(pk=w.pk)
        assignment.write_assignments(None, [assignment.NewNumber(w, req.carrier, number)],
                                     AssignmentSource.API)  # fmt: skip
        transition(req, R.ASSIGNED, table=REQUEST_TRANSITIONS, actor=None, reason="label bought",
                   extra={"number": number, "label": bytes(result.label or b""),
                          "label_format": (result.label_format or "PDF").lower()[:4],
                          "last_error": "", "last_error_code": "",
                          "next_attempt_at": None})  # fmt: skip
        audit.record(None, "forwarding.lastmile.label", req,
                     {"waybill": w.number, "number": number, "carrier": req.carrier})  # fmt: skip
    return req


def _failed_try(req: LastMileRequest, w: Waybill, message: str, code: str, may_pass: bool):
    message = (message or code)[:500]
    with transaction.atomic():
        if may_pass and req.attempts < req.max_attempts:
            delay = backoff_seconds(req.attempts)
            transition(
                req,
                R.PENDING,
                table=REQUEST_TRANSITIONS,
                actor=None,
                reason="retry",
                extra={
                    "last_error": message,
                    "last_error_code": code[:60],
                    "next_attempt_at": timezone.now() + dt.timedelta(seconds=delay),
                },
            )
            retry = outbox.RetryLater(message, retry_after=delay)
        else:
            transition(req, R.FAILED, table=REQUEST_TRANSITIONS, actor=None, reason=code[:60],
                       extra={"last_error": message, "last_error_code": code[:60],
                              "next_attempt_at": None})  # fmt: skip
            open_problem(None, w, ProblemReason.LAST_MILE_FAILED,
                         f"{req.carrier}: {message} ({req.attempts} attempts)")  # fmt: skip
            audit.record(None, "forwarding.lastmile.failed", req,
                         {"code": code, "message": message, "attempts": req.attempts})  # fmt: skip
            retry = None
    if retry is not None:
        raise retry
    return req


def label_of(user, number: str) -> LastMileRequest:
    """The newest stored last-mile label of the waybill with any of its numbers."""
    from ..waybills import selectors

    w = selectors.by_any_number(user, number)
    req = (LastMileRequest.objects.filter(waybill=w, status=R.ASSIGNED).exclude(label=b"")
           .order_by("-updated_at", "-id").first())  # fmt: skip
    if req is None:
        raise NotFound(f"No last-mile label for {w.number}", code="no_last_mile_label")
    return req
