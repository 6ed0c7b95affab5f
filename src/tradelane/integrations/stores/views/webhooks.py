"""The webhook endpoint: ``POST /hooks/<platform>/<token>``. Verify, store raw, answer 200."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..contract import WebhookPing, WebhookRejected
from ..webhooks import connection_for_address, receive

MAX_BODY = 5 << 20


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, platform: str, token: str) -> JsonResponse:
    conn = connection_for_address(platform, token)
    if conn is None:
        return JsonResponse({"code": "not_found", "message": "Unknown webhook address"}, status=404)
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"code": "too_large", "message": "Body too large"}, status=413)
    try:
        _row, created = receive(conn, body, request.headers)
    except WebhookPing:
        return JsonResponse({"ok": True, "ping": True})
    except WebhookRejected as exc:
        return JsonResponse({"code": "invalid_signature", "message": str(exc)}, status=401)
    return JsonResponse({"ok": True, "duplicate": not created})
