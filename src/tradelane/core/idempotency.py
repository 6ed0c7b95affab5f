"""``Idempotency-Key`` for POST requests to the API.

The same key with the same body gets the first answer again (marked ``Idempotent-Replayed``);
the same key with another body is refused with 422; a repeat that arrives while the first is
still running gets 409. Keys are scoped to the caller (session user or API key), so two
callers cannot collide. Server errors (5xx) and refused authentication are not remembered,
so the client may retry them with the same key.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP = timedelta(hours=24)  # how long a key is remembered (Stripe keeps theirs 24 hours too)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _scope(request: HttpRequest) -> str | None:
    from tradelane.accounts.apikeys import key_prefix_from_request

    prefix = key_prefix_from_request(request)
    if prefix:
        return f"key:{prefix}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return _error(
                400, "idempotency_key_too_long", "Idempotency-Key is at most 200 characters"
            )
        scope = _scope(request)
        if scope is None:  # unauthenticated: let authentication refuse it
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            return _error(413, "too_large", "The request body is too large")
        digest = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + body
        ).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    method=request.method,
                    path=request.path,
                    request_hash=digest,
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if existing is None:  # removed meanwhile after a 5xx: treat as new
                return self.get_response(request)
            if existing.request_hash != digest:
                return _error(
                    422,
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with another request body",
                )
            if existing.status_code is None:
                return _error(
                    409,
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still being processed",
                )
            response = HttpResponse(
                bytes(existing.response_body or b""),
                status=existing.status_code,
                content_type=existing.content_type or "application/json",
            )
            response["Idempotent-Replayed"] = "true"
            return response

        response = self.get_response(request)
        if (
            response.status_code >= 500
            or response.status_code in (401, 429)
            or getattr(response, "streaming", False)
        ):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            response_body=response.content,
            content_type=response.get("Content-Type", "application/json"),
        )
        return response


def prune(older_than: timedelta = KEEP) -> int:
    """Forget keys older than ``older_than``; run by the worker's periodic sweep."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
