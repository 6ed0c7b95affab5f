"""``Idempotency-Key`` for POST requests to the API (the HTTP side of ``core.idempotency``).

The same key with the same request gets the first answer again (marked
``Idempotent-Replayed``); the same key with another request is refused with 422; a repeat that
arrives while the first is still running gets 409, until the first one's lease runs out (it
crashed) and the repeat may run the work again.

The caller is authenticated *before* anything is looked up: a key belongs to the verified
user (``api.auth.verified_user``, the same decision the endpoints make), so a request that
only names someone else's key prefix, or a session request without its CSRF token, never
reaches a stored answer and is refused by the endpoint as usual. Server errors (5xx) and
refused authentication are not remembered, so the client may retry them with the same key.
An answer marked ``Cache-Control: no-store`` (a new API key) is never stored or replayed.

The body is hashed as a stream into a spooled file that the endpoint then reads, so an upload
is not held to Django's in-memory limit here; each endpoint's own limit decides. Only a body
over ``TRADELANE_IDEMPOTENCY_MAX_BODY_BYTES`` (far above every endpoint's limit) is refused.
"""

from __future__ import annotations

import hashlib
import tempfile

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from tradelane.core import idempotency

from .auth import verified_user
from .errors import error_body

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY = 200
CHUNK = 64 * 1024


def _refuse(status: int, code: str, message: str, details=None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def request_digest(request: HttpRequest) -> str:
    """SHA-256 of method, path, query and body; the body is streamed, then put back."""
    digest = hashlib.sha256()
    digest.update(
        f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode()
    )
    if hasattr(request, "_body"):  # already read by something earlier
        digest.update(request._body)
        return digest.hexdigest()
    spool = tempfile.SpooledTemporaryFile(max_size=settings.DATA_UPLOAD_MAX_MEMORY_SIZE or CHUNK)
    while chunk := request.read(CHUNK):
        digest.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    # Hand the same bytes to the endpoint: Django reads request.body and multipart uploads
    # through request.read(), i.e. from _stream, as long as reading has not "started".
    request._stream = spool
    request._read_started = False
    request._idempotency_spool = spool  # closed with the request (see __call__)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY:
            return _refuse(
                400,
                "idempotency_key_too_long",
                f"Idempotency-Key is at most {MAX_KEY} characters",
                {"limit": MAX_KEY},
            )
        user = verified_user(request)
        if user is None:  # not authenticated (or CSRF missing): the endpoint refuses it
            return self.get_response(request)
        limit = settings.TRADELANE_IDEMPOTENCY_MAX_BODY_BYTES
        if _content_length(request) > limit:
            return _refuse(
                413,
                "too_large",
                f"A request with an Idempotency-Key may carry at most {limit} bytes",
                {"limit": limit},
            )
        try:
            outcome = idempotency.claim(
                f"user:{user.pk}",
                key,
                method=request.method,
                path=request.path,
                request_hash=request_digest(request),
            )
            if isinstance(outcome, idempotency.Refused):
                return _refuse(outcome.status, outcome.code, outcome.message)
            if isinstance(outcome, idempotency.Replay):
                response = HttpResponse(
                    outcome.body, status=outcome.status_code, content_type=outcome.content_type
                )
                response["Idempotent-Replayed"] = "true"
                return response
            response = self.get_response(request)
            if (
                response.status_code >= 500
                or response.status_code in (401, 429)
                or getattr(response, "streaming", False)
            ):
                idempotency.release(outcome)
                return response
            idempotency.finish(
                outcome,
                status_code=response.status_code,
                body=response.content,
                content_type=response.get("Content-Type", "application/json"),
                withhold="no-store" in response.get("Cache-Control", ""),
            )
            return response
        finally:
            spool = getattr(request, "_idempotency_spool", None)
            if spool is not None:
                spool.close()
