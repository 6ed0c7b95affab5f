"""Every write to products and SKUs.

Values arrive here already in the units we keep at rest: weights in whole grams, dimensions in
whole millimetres (the API converts from kg and cm with ``core.units``). Each function checks
the actor's permission, validates everything before it writes, runs in one transaction and
records an audit row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.core.money import check_currency, to_decimal

from .models import Product, Sku, Status

PRODUCT_FIELDS = {"code", "name", "name_en", "image_url", "status"}
SKU_FIELDS = {
    "code",
    "name",
    "variant",
    "barcode",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "cost_amount",
    "cost_currency",
    "declared_name_zh",
    "declared_name_en",
    "hs_code",
    "declared_value",
    "declared_currency",
    "origin_country",
    "has_battery",
    "has_liquid",
    "has_magnet",
    "image_url",
    "status",
}
_TEXT_LIMITS = {
    "code": 64,
    "name": 300,
    "name_en": 300,
    "variant": 200,
    "barcode": 64,
    "declared_name_zh": 200,
    "declared_name_en": 200,
}
_INT_FIELDS = ("weight_g", "length_mm", "width_mm", "height_mm")
_BOOL_FIELDS = ("has_battery", "has_liquid", "has_magnet")
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$")
_HS_RE = re.compile(r"^\d{6,10}$")
_MAX_AMOUNT = Decimal("99999999999999")  # 18 digits, 4 decimal places
_url = URLValidator(schemes=["http", "https"])


def _field_error(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={"field": field})


def normalize_hs_code(value: str) -> str:
    """``6912.00`` or ``6912 00 10`` -> digits only; 6 to 10 digits, or empty (not known yet)."""
    digits = re.sub(r"[\s.]", "", value or "")
    if digits and not _HS_RE.match(digits):
        raise _field_error(
            "hs_code", f"An HS code is 6 to 10 digits, not {value!r}", "invalid_hs_code"
        )
    return digits


def _clean_text(name: str, value: Any) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _field_error(name, f"{name} must be text", "invalid_value")
    value = value.strip()
    limit = _TEXT_LIMITS.get(name)
    if limit and len(value) > limit:
        raise _field_error(name, f"{name} is at most {limit} characters", "too_long")
    return value


def _clean_code(value: Any) -> str:
    code = _clean_text("code", value)
    if not code:
        raise _field_error("code", "code is required", "required")
    if not _CODE_RE.match(code):
        raise _field_error(
            "code",
            "A code holds letters, digits, '.', '_', '-' and '/' and starts with a letter or digit",
            "invalid_code",
        )
    return code


def _clean_url(name: str, value: Any) -> str:
    url = _clean_text(name, value)
    if url:
        if len(url) > 500:
            raise _field_error(name, f"{name} is at most 500 characters", "too_long")
        try:
            _url(url)
        except DjangoValidationError:
            raise _field_error(name, f"{name} is not an http(s) URL", "invalid_url") from None
    return url


def _clean_status(value: Any) -> str:
    if value not in Status.values:
        raise _field_error(
            "status", f"status is one of {', '.join(Status.values)}", "invalid_status"
        )
    return value


def _clean_amount(name: str, value: Any) -> Decimal:
    try:
        amount = to_decimal(value)
    except ValidationFailed as exc:
        raise _field_error(name, exc.message, exc.code) from None
    if amount < 0:
        raise _field_error(name, f"{name} cannot be negative", "negative_amount")
    if amount > _MAX_AMOUNT or amount != amount.quantize(Decimal("0.0001")):
        raise _field_error(name, f"{name} has too many digits", "invalid_amount")
    return amount


def _clean_int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 2**31 - 1:
        raise _field_error(name, f"{name} is a whole number, 0 or more", "invalid_measure")
    return value


def _wrap(field: str, check, value):
    try:
        return check(value)
    except ValidationFailed as exc:
        raise _field_error(field, exc.message, exc.code) from None


def _unknown(fields: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(
            f"Unknown fields: {sorted(unknown)}",
            code="unknown_field",
            details={"fields": sorted(unknown)},
        )


def clean_product_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    _unknown(fields, PRODUCT_FIELDS)
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "code":
            out[name] = _clean_code(value)
        elif name == "image_url":
            out[name] = _clean_url(name, value)
        elif name == "status":
            out[name] = _clean_status(value)
        else:
            out[name] = _clean_text(name, value)
    if "name" in out and not out["name"]:
        raise _field_error("name", "name is required", "required")
    return out


def clean_sku_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    _unknown(fields, SKU_FIELDS)
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "code":
            out[name] = _clean_code(value)
        elif name in _INT_FIELDS:
            out[name] = _clean_int(name, value)
        elif name in ("cost_amount", "declared_value"):
            out[name] = _clean_amount(name, value)
        elif name in ("cost_currency", "declared_currency"):
            out[name] = _wrap(name, check_currency, value)
        elif name == "origin_country":
            out[name] = _wrap(name, check_country, value)
        elif name == "hs_code":
            out[name] = normalize_hs_code(_clean_text(name, value))
        elif name in _BOOL_FIELDS:
            if not isinstance(value, bool):
                raise _field_error(name, f"{name} is true or false", "invalid_value")
            out[name] = value
        elif name == "image_url":
            out[name] = _clean_url(name, value)
        elif name == "status":
            out[name] = _clean_status(value)
        else:
            out[name] = _clean_text(name, value)
    if "name" in out and not out["name"]:
        raise _field_error("name", "name is required", "required")
    return out


def _duplicate(kind: str, code: str) -> Conflict:
    return Conflict(
        f"A {kind} with code {code!r} exists", code="duplicate_code", details={"code": code}
    )


# --- products -------------------------------------------------------------------------------


def create_product(actor, *, skus: Iterable[Mapping[str, Any]] = (), **fields) -> Product:
    """Create a product, optionally with its first SKUs (all or nothing)."""
    require(actor, P.PRODUCT_ADD)
    for required in ("code", "name"):
        if not fields.get(required):
            raise _field_error(required, f"{required} is required", "required")
    clean = clean_product_fields(fields)
    sku_rows = [_new_sku_fields(row) for row in skus]
    sku_codes = [row["code"] for row in sku_rows]
    if len(set(sku_codes)) != len(sku_codes):
        dup = next(c for c in sku_codes if sku_codes.count(c) > 1)
        raise _duplicate("SKU", dup)
    if Product.objects.filter(code=clean["code"]).exists():
        raise _duplicate("product", clean["code"])
    taken = list(Sku.objects.filter(code__in=sku_codes).values_list("code", flat=True)[:1])
    if taken:
        raise _duplicate("SKU", taken[0])
    try:
        with transaction.atomic():
            product = Product.objects.create(**clean)
            audit.record(actor, "catalog.product.create", product, clean)
            for row in sku_rows:
                sku = Sku.objects.create(product=product, **row)
                audit.record(actor, "catalog.sku.create", sku, {"product": product.code, **row})
    except IntegrityError:  # someone took a code between our check and our insert
        raise Conflict("A product or SKU with this code exists", code="duplicate_code") from None
    return product


def _update(actor, obj: Product | Sku, clean: dict[str, Any], label: str) -> None:
    """Write the fields that really change, with ``updated_at`` and an audit row."""
    model = type(obj)
    if "code" in clean and clean["code"] != obj.code:
        if model.objects.filter(code=clean["code"]).exclude(pk=obj.pk).exists():
            raise _duplicate(label, clean["code"])
    try:
        with transaction.atomic():
            changes = audit.diff(obj, clean)
            if changes:
                values = {k: v[1] for k, v in changes.items()}
                values["updated_at"] = timezone.now()
                model.objects.filter(pk=obj.pk).update(**values)
                for k, v in values.items():
                    setattr(obj, k, v)
            audit.record(actor, f"catalog.{model._meta.model_name}.update", obj, changes)
    except IntegrityError:
        raise _duplicate(label, clean.get("code", obj.code)) from None


def update_product(actor, product: Product, **fields) -> Product:
    require(actor, P.PRODUCT_CHANGE)
    _update(actor, product, clean_product_fields(fields), "product")
    return product


# --- SKUs -----------------------------------------------------------------------------------


def _new_sku_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    for required in ("code", "name"):
        if not fields.get(required):
            raise _field_error(required, f"{required} is required", "required")
    return clean_sku_fields(fields)


def create_sku(actor, product: Product, **fields) -> Sku:
    require(actor, P.PRODUCT_ADD)
    clean = _new_sku_fields(fields)
    if Sku.objects.filter(code=clean["code"]).exists():
        raise _duplicate("SKU", clean["code"])
    try:
        with transaction.atomic():
            sku = Sku.objects.create(product=product, **clean)
            audit.record(actor, "catalog.sku.create", sku, {"product": product.code, **clean})
    except IntegrityError:
        raise _duplicate("SKU", clean["code"]) from None
    return sku


def update_sku(actor, sku: Sku, **fields) -> Sku:
    require(actor, P.PRODUCT_CHANGE)
    _update(actor, sku, clean_sku_fields(fields), "SKU")
    return sku


# --- bulk upsert by code (spreadsheets, push API) -------------------------------------------

UPSERT_PRODUCT_KEYS = {"product_code", "product_name", "product_name_en"}


def upsert_skus(
    actor, rows: Iterable[Mapping[str, Any]], *, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Create or update products and their SKUs by code, set-based; one result per row.

    A row holds ``product_code`` (and ``product_name``, needed when the product is new,
    ``product_name_en``) plus SKU fields in the units kept at rest (``code`` required, ``name``
    needed for a new SKU). Each result is ``{"code", "result", "errors", "sku_id"}`` with
    ``result`` created, updated, unchanged or rejected. Rejected rows write nothing; the others
    are written in one transaction with one audit row per product or SKU created or changed.
    Reads: one query for the products, one for the SKUs of the batch. ``dry_run`` checks and
    reports without writing.
    """
    if not (
        actor is not None and (actor.has_perm(P.PRODUCT_ADD) or actor.has_perm(P.PRODUCT_CHANGE))
    ):
        require(actor, P.PRODUCT_CHANGE)  # raises with the usual message
    can_add, can_change = actor.has_perm(P.PRODUCT_ADD), actor.has_perm(P.PRODUCT_CHANGE)
    rows = list(rows)
    sku_codes = {str(r.get("code") or "").strip() for r in rows}
    product_codes = {str(r.get("product_code") or "").strip() for r in rows}
    products = {p.code: p for p in Product.objects.filter(code__in=product_codes - {""})}
    skus = {s.code: s for s in Sku.objects.filter(code__in=sku_codes - {""})}
    results: list[dict[str, Any]] = []
    new_products: dict[str, dict] = {}
    product_changes: dict[str, dict] = {}
    new_skus: list[tuple[str, dict]] = []
    sku_changes: list[tuple[Sku, dict, dict]] = []
    seen: set[str] = set()
    for raw in rows:
        code = str(raw.get("code") or "").strip()
        out: dict[str, Any] = {"code": code, "result": "rejected", "errors": [], "sku_id": None}
        results.append(out)
        try:
            fields = {k: v for k, v in raw.items() if k not in UPSERT_PRODUCT_KEYS}
            clean = clean_sku_fields(fields)
            if "code" not in clean:
                raise _field_error("code", "code is required", "required")
            if clean["code"] in seen:
                raise _field_error("code", "The SKU appears twice in this batch", "duplicate_row")
            pcode = str(raw.get("product_code") or "").strip()
            add_product: dict | None = None
            change_product: dict | None = None
            pfields = {"name": raw.get("product_name"), "name_en": raw.get("product_name_en")}
            pfields = {k: v for k, v in pfields.items() if v not in (None, "")}
            sku = skus.get(clean["code"])
            if sku is None and not pcode:
                raise _field_error("product_code", "product_code is required", "required")
            if pcode:
                pcode = _clean_code(pcode)
                pclean = clean_product_fields(pfields)
                product = products.get(pcode)
                if product is None and pcode not in new_products:
                    if not pclean.get("name"):
                        raise _field_error("product_name", "product_name is required", "required")
                    if not can_add:
                        raise PermissionDenied(
                            "Your role may not create products",
                            details={"permission": P.PRODUCT_ADD},
                        )
                    add_product = {"code": pcode, **pclean}
                elif product is not None:
                    pdiff = audit.diff(product, pclean)
                    if pdiff:
                        if not can_change:
                            raise PermissionDenied(
                                "Your role may not change products",
                                details={"permission": P.PRODUCT_CHANGE},
                            )
                        change_product = pdiff
            if sku is None:
                if not clean.get("name"):
                    raise _field_error("name", "name is required for a new SKU", "required")
                if not can_add:
                    raise PermissionDenied(
                        "Your role may not create SKUs", details={"permission": P.PRODUCT_ADD}
                    )
                new_skus.append((pcode, clean))
                out["result"] = "created"
            else:
                if pcode and sku.product_id != getattr(products.get(pcode), "pk", None):
                    raise _field_error(
                        "product_code",
                        f"SKU {sku.code} belongs to another product",
                        "product_mismatch",
                    )
                changes = audit.diff(sku, clean)
                if changes and not can_change:
                    raise PermissionDenied(
                        "Your role may not change SKUs", details={"permission": P.PRODUCT_CHANGE}
                    )
                if changes:
                    sku_changes.append((sku, clean, changes))
                out["result"] = "updated" if changes or change_product else "unchanged"
                out["sku_id"] = sku.pk
            seen.add(clean["code"])
            if add_product:
                new_products[pcode] = add_product
            if change_product:
                product_changes.setdefault(pcode, {}).update(change_product)
        except (ValidationFailed, Conflict, PermissionDenied) as exc:
            field = (exc.details or {}).get("field", "") if isinstance(exc.details, dict) else ""
            out["result"] = "rejected"
            out["errors"] = [{"field": field, "code": exc.code, "message": exc.message}]
    if dry_run or not (new_products or product_changes or new_skus or sku_changes):
        return results
    now = timezone.now()
    with transaction.atomic():
        for pcode, values in new_products.items():
            products[pcode] = Product.objects.create(created_at=now, updated_at=now, **values)
        audit_rows = [
            AuditLog(
                actor_id=_actor_id(actor),
                action="catalog.product.create",
                entity="catalog.product",
                object_id=str(products[c].pk),
                changes=audit._jsonable(v),
                created_at=now,
            )
            for c, v in new_products.items()
        ]
        for pcode, changes in product_changes.items():
            product = products[pcode]
            values = {k: v[1] for k, v in changes.items()}
            Product.objects.filter(pk=product.pk).update(updated_at=now, **values)
            audit_rows.append(
                AuditLog(
                    actor_id=_actor_id(actor),
                    action="catalog.product.update",
                    entity="catalog.product",
                    object_id=str(product.pk),
                    changes=audit._jsonable(changes),
                    created_at=now,
                )
            )
        created = Sku.objects.bulk_create(
            [
                Sku(product_id=products[pcode].pk, created_at=now, updated_at=now, **clean)
                for pcode, clean in new_skus
            ],
            batch_size=500,
        )
        by_code = {s.code: s for s in created}
        for sku, _clean, changes in sku_changes:
            for k, v in changes.items():
                setattr(sku, k, v[1])
            sku.updated_at = now
        if sku_changes:
            names = sorted({k for _, _, ch in sku_changes for k in ch} | {"updated_at"})
            Sku.objects.bulk_update([s for s, _, _ in sku_changes], names, batch_size=500)
        audit_rows += [
            AuditLog(
                actor_id=_actor_id(actor),
                action="catalog.sku.create",
                entity="catalog.sku",
                object_id=str(s.pk),
                changes=audit._jsonable({"product": p, **c}),
                created_at=now,
            )
            for (p, c), s in ((pc, by_code[pc[1]["code"]]) for pc in new_skus)
        ]
        audit_rows += [
            AuditLog(
                actor_id=_actor_id(actor),
                action="catalog.sku.update",
                entity="catalog.sku",
                object_id=str(s.pk),
                changes=audit._jsonable(ch),
                created_at=now,
            )
            for s, _, ch in sku_changes
        ]
        AuditLog.objects.bulk_create(audit_rows, batch_size=1000)
    for out in results:
        if out["result"] == "created":
            out["sku_id"] = by_code[out["code"]].pk
    return results


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "pk", None) else None


# --- pictures -------------------------------------------------------------------------------


def set_image(actor, obj: Product | Sku, data: bytes | None) -> Product | Sku:
    """Store an uploaded picture for a product or SKU (``None`` removes it). The bytes are
    checked first (``catalog.images``); the old file is deleted once the change is committed."""
    import uuid

    from django.core.files.base import ContentFile

    from . import images

    if not (actor is not None and (actor.has_perm(P.PRODUCT_CHANGE) or
                                   actor.has_perm(P.PRODUCT_ADD))):  # fmt: skip
        require(actor, P.PRODUCT_CHANGE)  # raises with the usual message
    model = type(obj)
    old = obj.image.name if obj.image else ""
    name = ""
    if data is not None:
        ext = images.check(data)
        field = model._meta.get_field("image")
        name = field.storage.save(
            field.generate_filename(obj, f"{obj.pk}-{uuid.uuid4().hex[:12]}.{ext}"),
            ContentFile(data),
        )
    try:
        with transaction.atomic():
            model.objects.filter(pk=obj.pk).update(image=name, updated_at=timezone.now())
            audit.record(
                actor, f"catalog.{model._meta.model_name}.image", obj, {"image": [old, name]}
            )
    except Exception:
        if name:
            model._meta.get_field("image").storage.delete(name)
        raise
    if old:
        storage = model._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(old))
    obj.image.name = name
    return obj
