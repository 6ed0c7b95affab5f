"""One error format for the whole API: ``{"code": ..., "message": ..., "details"?: ...}``."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from tradelane.core.errors import DomainError

from .auth import CsrfFailed

logger = logging.getLogger("tradelane.api")


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


_CODE_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "too_many_requests",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def _json(api: NinjaAPI, request: HttpRequest, status: int, body: dict) -> HttpResponse:
    return api.create_response(request, body, status=status)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each problem as {field, loc, message, type}; ``field`` is the dotted path in its source."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        # loc starts with the source (body, query, path, form, file) then the parameter name;
        # for a body schema the parameter name adds nothing for the client.
        inner = loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:]
        out.append(
            {
                "field": ".".join(inner),
                "loc": loc,
                "message": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return out


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        status = exc.status
        if exc.code == "not_authenticated":
            status = 401
        return _json(api, request, status, exc.as_dict())

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return _json(
            api,
            request,
            422,
            error_body(
                "validation_error", "The request is not valid", _validation_details(exc.errors)
            ),
        )

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc: AuthenticationError):
        message = exc.message if exc.message != "Unauthorized" else "Log in or send an API key"
        code = "invalid_api_key" if exc.message.startswith("The API key") else "not_authenticated"
        response = _json(api, request, 401, error_body(code, message))
        response["WWW-Authenticate"] = 'Bearer realm="tradelane"'
        return response

    @api.exception_handler(CsrfFailed)
    def csrf_failed(request, exc: CsrfFailed):
        return _json(api, request, 403, error_body("csrf_failed", exc.message))

    @api.exception_handler(AuthorizationError)
    def forbidden(request, exc: AuthorizationError):
        return _json(api, request, 403, error_body("permission_denied", exc.message))

    @api.exception_handler(DjangoPermissionDenied)
    def django_forbidden(request, exc):
        return _json(api, request, 403, error_body("permission_denied", "Forbidden"))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = _CODE_BY_STATUS.get(exc.status_code, "error")
        return _json(api, request, exc.status_code, error_body(code, exc.message))

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        return _json(api, request, 404, error_body("not_found", "Not found"))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _json(
            api,
            request,
            413,
            error_body(
                "too_large",
                f"The request body is larger than {limit} bytes; send fewer rows per request "
                "or upload a file to /api/v1/orders/import/file",
            ),
        )

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return _json(api, request, 400, error_body("bad_request", "The request was refused"))

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request, exc):
        # e.g. multipart/form-data without a boundary, or a body cut short
        return _json(
            api,
            request,
            400,
            error_body("bad_request", "The multipart body cannot be read: send multipart/"
                       "form-data with its boundary, as a browser or HTTP library makes it"),
        )  # fmt: skip

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return _json(
            api,
            request,
            500,
            error_body("server_error", "Something went wrong on our side; it has been logged"),
        )


@csrf_exempt  # it writes nothing: a POST gets this 404 too, not the HTML CSRF page
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """JSON 404 for paths under /api/ that no endpoint matches (instead of an HTML page)."""
    return JsonResponse(error_body("not_found", f"No API endpoint at {request.path}"), status=404)


# The error answers every endpoint may give, for the OpenAPI document (which adds 413 where
# there is a body, and leaves 401/403 out where no login is needed: see ``api.openapi``).
ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def responses(status: int, schema: Any) -> dict[int, Any]:
    """``{status: schema}`` plus the error answers, for ``response=`` of an operation."""
    return {status: schema, **ERROR_RESPONSES}


# Media types of the files the API answers with.
PDF = "application/pdf"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZPL = "text/plain"


def file_responses(*media_types: str, status: int = 200) -> dict[str, Any]:
    """``openapi_extra`` for an operation answering a file: its media types, binary content."""
    content = {t: {"schema": {"type": "string", "format": "binary"}} for t in media_types}
    return {"responses": {status: {"description": "The file", "content": content}}}
