"""The OpenAPI document, held to what the API really does.

ninja's generator is extended where it would otherwise be silently wrong:

- **Schema names are unique.** Two different models with one name would collapse into one
  definition (the second overwrites the first), and the document would describe one of them
  wrongly; that is refused when the document is built.
- **Every operation has an explicit, stable ``operation_id``** (``orders_list``), never one
  generated from the function's module and name, and no id is used twice.
- **Errors are documented where they can occur**: 400 (an unreadable request) everywhere, 413
  (a body over the size limit) on every operation with a body, 401/403 only where a caller
  must be authenticated.
- **Form fields are never null**: a multipart body cannot say null, so an optional form field
  is documented as its type (left out when not given); a file part is not empty.
- **Path ids are bounded**: a ``{id:name}`` segment matches 1 to 18 digits, so its parameter
  says ``minimum: 1`` and ``maximum: 10**18 - 1``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.utils import normalize_path

from .errors import ErrorOut
from .types import IdConverter

_ID_SEGMENT = re.compile(r"{id:([^}]+)}")
_ERROR_DESCRIPTIONS = {
    400: "Bad Request: the request cannot be read (malformed JSON or multipart, NUL characters)",
    401: "Unauthorized: log in or send an API key",
    403: "Forbidden: the caller's role may not do this",
    404: "Not Found",
    409: "Conflict: the record's state does not allow it",
    413: "Content Too Large: the body is over the size limit",
    422: "Unprocessable Content: the input is not valid (details lists each problem)",
}
_AUTH_ONLY = (401, 403)


class SchemaNameClash(ImproperlyConfigured):
    pass


class ContractSchema(OpenAPISchema):
    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self._error_schema: dict[str, Any] | None = None
        super().__init__(api, path_prefix)
        self._bound_path_ids(path_prefix)

    # --- unique names -----------------------------------------------------------------------

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise SchemaNameClash(
                    f"Two different schemas are named {name!r} in the OpenAPI document; "
                    "rename one of them"
                )
        super().add_schema_definitions(definitions)

    # --- responses --------------------------------------------------------------------------

    def operation_details(self, operation) -> dict[str, Any]:
        if operation.operation_id in self.all_operation_ids:
            raise ImproperlyConfigured(
                f"operation_id {operation.operation_id!r} is used twice "
                f"({operation.view_func.__module__}.{operation.view_func.__name__})"
            )
        details = super().operation_details(operation)
        self._forms_without_null(details)
        responses = details["responses"]
        has_body = "requestBody" in details
        for status, description in _ERROR_DESCRIPTIONS.items():
            if status in _AUTH_ONLY and not operation.auth_callbacks:
                responses.pop(status, None)
                continue
            if status == 413 and not has_body:
                continue
            entry = responses.setdefault(status, {})
            entry["description"] = description
            entry.setdefault("content", self._error_content())
        return details

    @staticmethod
    def _forms_without_null(details: dict[str, Any]) -> None:
        """A form field cannot be null (a multipart body has no such value; leave the field out
        instead): ninja documents an optional form field as string-or-null. A file is not
        empty (an empty file part is dropped by Django's parser, so it never arrives)."""
        content = details.get("requestBody", {}).get("content", {})
        form = content.get("multipart/form-data", {}).get("schema", {})
        for prop in form.get("properties", {}).values():
            if prop.get("format") == "binary":
                prop["minLength"] = 1
            branches = prop.get("anyOf")
            if not branches:
                continue
            kept = [b for b in branches if b.get("type") != "null"]
            if len(kept) == 1:
                del prop["anyOf"]
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept

    def _error_content(self) -> dict[str, Any]:
        if self._error_schema is None:
            self._error_schema, _ = self._create_schema_from_model(
                ErrorOut, remove_level=False, mode="serialization"
            )
        return {self.api.renderer.media_type: {"schema": self._error_schema}}

    # --- path ids ---------------------------------------------------------------------------

    def _bound_path_ids(self, path_prefix: str) -> None:
        for bound_router in self.api._get_bound_routers():
            for path in bound_router.path_operations:
                names = set(_ID_SEGMENT.findall(path))
                if not names:
                    continue
                full = "/".join(p for p in (bound_router.prefix, path) if p)
                full = normalize_path("/" + path_prefix + full)
                full = re.sub(r"{[^}:]+:", "{", full)
                for operation in self["paths"].get(full, {}).values():
                    for param in operation.get("parameters", []):
                        if param["in"] == "path" and param["name"] in names:
                            param["schema"].update(
                                {"type": "integer", "minimum": 1, "maximum": IdConverter.maximum}
                            )


class ContractApi(NinjaAPI):
    """A ``NinjaAPI`` whose document is a ``ContractSchema``."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ContractSchema(self, path_prefix)

    def get_openapi_operation_id(self, operation) -> str:
        raise ImproperlyConfigured(
            f"{operation.view_func.__module__}.{operation.view_func.__name__} has no "
            "operation_id: give every operation an explicit one (e.g. operation_id="
            '"orders_list") so that clients generated from the document keep their names'
        )
