"""Writes to rate-shopping rules, customs thresholds and store customs numbers (services)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.columns import check_fits
from tradelane.core.countries import check_country
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.money import check_currency
from tradelane.orders.models import Store

from ..customs.models import CustomsThreshold, StoreCustomsNumber
from .models import SHOP_STRATEGIES, ShippingRule
from .services import ATTRIBUTES

MODELS = {"rule": ShippingRule, "threshold": CustomsThreshold, "number": StoreCustomsNumber}
# rules and thresholds are shipping configuration; a store's customs numbers (IOSS/VAT/EORI)
# are a store setting, like ``set_store_ioss``
WRITE_PERMS = {"rule": P.CHANNEL_CHANGE, "threshold": P.CHANNEL_CHANGE, "number": P.STORE_MANAGE}


def _dest(value: str) -> str:
    value = (value or "").strip().upper()
    return value if value in ("", "EU") else check_country(value)


def _store_exists(f: dict[str, Any]) -> None:
    store_id = f.get("store_id")
    if store_id is not None and not Store.objects.filter(pk=store_id).exists():
        raise ValidationFailed(
            f"No store {store_id}", code="unknown_store", details={"field": "store_id"}
        )


def _clean(what: str, fields: dict[str, Any]) -> dict[str, Any]:
    f = {k: v for k, v in fields.items()}
    check_fits(MODELS[what], f)
    _store_exists(f)
    if what == "rule":
        if "countries" in f:
            f["countries"] = [_dest(c) for c in f["countries"] or []]
        if f.get("strategy") and f["strategy"] not in SHOP_STRATEGIES:
            raise ValidationFailed(f"strategy is one of {SHOP_STRATEGIES}", code="invalid_choice")
        if f.get("sku_attribute") and f["sku_attribute"] not in ATTRIBUTES:
            raise ValidationFailed(f"sku_attribute is one of {ATTRIBUTES}", code="invalid_choice")
        if f.get("value_currency"):
            f["value_currency"] = check_currency(f["value_currency"])
        if f.get("incoterm") not in (None, "", "DDP", "DDU"):
            raise ValidationFailed("incoterm is DDP, DDU or blank", code="invalid_choice")
        if f.get("strategy") == "cheapest_within_days" and not f.get("max_days"):
            raise ValidationFailed("cheapest_within_days needs max_days", code="max_days_required")
    elif what == "threshold":
        if "destination" in f:
            f["destination"] = _dest(f["destination"])
        if "currency" in f:
            f["currency"] = check_currency(f["currency"])
    elif what == "number":
        if "destination" in f:
            f["destination"] = _dest(f["destination"])
        if f.get("kind") and f["kind"] not in ("ioss", "vat", "eori"):
            raise ValidationFailed("kind is ioss, vat or eori", code="invalid_choice")
    return f


def create_config(actor, what: str, **fields):
    require(actor, WRITE_PERMS[what])
    model = MODELS[what]
    fields = _clean(what, fields)
    try:
        with transaction.atomic():
            obj = model.objects.create(**fields)
            audit.record(actor, f"logistics.{what}.create", obj, fields)
    except IntegrityError as exc:
        raise Conflict(f"This {what} exists already", code="duplicate") from exc
    return obj


def get(what: str, pk: int):
    obj = MODELS[what].objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {what} {pk}", code=f"{what}_not_found")
    return obj


def update_config(actor, what: str, pk: int, **fields):
    require(actor, WRITE_PERMS[what])
    obj = get(what, pk)
    fields = _clean(what, fields)
    if hasattr(obj, "updated_at"):
        fields["updated_at"] = timezone.now()
    try:
        with transaction.atomic():
            changes = audit.diff(obj, fields)
            type(obj).objects.filter(pk=pk).update(**fields)
            audit.record(actor, f"logistics.{what}.update", obj, changes)
    except IntegrityError as exc:
        raise Conflict(f"This {what} exists already", code="duplicate") from exc
    return get(what, pk)


def delete_config(actor, what: str, pk: int) -> None:
    require(actor, WRITE_PERMS[what])
    obj = get(what, pk)
    with transaction.atomic():
        audit.record(actor, f"logistics.{what}.delete", obj, {})
        type(obj).objects.filter(pk=pk).delete()


def set_store_ioss(actor, store_id: int, number: str) -> StoreCustomsNumber | None:
    """The store's IOSS number for EU destinations (a store setting, hence ``STORE_MANAGE``);
    a blank ``number`` removes it. Returns the row, or None once removed."""
    require(actor, P.STORE_MANAGE)
    number = (number or "").strip().upper()
    if number and not (len(number) == 12 and number.startswith("IM") and number[2:].isdigit()):
        raise ValidationFailed(
            "An IOSS number is IM followed by 10 digits", code="invalid_ioss_number"
        )
    with transaction.atomic():
        rows = StoreCustomsNumber.objects.select_for_update().filter(
            store_id=store_id, destination="EU", kind="ioss"
        )
        existing = rows.first()
        if not number:
            if existing is not None:
                audit.record(actor, "logistics.number.delete", existing, {"store_ioss": True})
                rows.delete()
            return None
        if existing is None:
            obj = StoreCustomsNumber.objects.create(
                store_id=store_id, destination="EU", kind="ioss", number=number
            )
            audit.record(
                actor, "logistics.number.create", obj,
                {"store_id": store_id, "destination": "EU", "kind": "ioss", "number": number},
            )  # fmt: skip
            return obj
        if existing.number != number:
            changes = {"number": [existing.number, number]}
            rows.update(number=number)
            existing.number = number
            audit.record(actor, "logistics.number.update", existing, changes)
        return existing
