"""The HTTP edge of tracking webhooks: verify, store raw, answer fast, process later."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tradelane.logistics.models import InboundTracking
from tradelane.logistics.tracking import services as tracking

from . import hooks

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024


def _enqueue(inbound_id: int) -> None:
    from .tasks import process_inbound

    try:
        process_inbound.enqueue(inbound_id)
    except Exception:  # stored: it can be processed again; the sender also retries
        log.exception("tracking hook: could not queue inbound %s", inbound_id)


@csrf_exempt
@require_POST
def receive(request: HttpRequest, account_code: str) -> JsonResponse:
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"code": "too_large", "message": "Body too large"}, status=413)
    if not hooks.verify(account_code, body, request.headers.get(hooks.SIGNATURE_HEADER, "")):
        return JsonResponse(
            {"code": "bad_signature", "message": "Signature missing or wrong", "details": None},
            status=401,
        )
    headers = {k: request.headers[k] for k in hooks.KEPT_HEADERS if k in request.headers}
    dedupe = hooks.delivery_id(body, hooks.delivery_header(request.headers))
    row, created = tracking.store_inbound(account_code, dedupe, headers, body)
    if row.status != InboundTracking.Status.PROCESSED:
        transaction.on_commit(lambda: _enqueue(row.pk))
    return JsonResponse({"received": True, "duplicate": not created, "id": row.pk})
