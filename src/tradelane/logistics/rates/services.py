"""Every write to channels and rate sheets: permission, validation, one transaction, audit.

Each write bumps the channel's ``version`` (and ``updated_at``) in the same transaction, so
compiled channels cached by ``selectors.compiled_channels`` are rebuilt on their next use.
Sheet content is replaced as a whole with set-based inserts; a sheet that fails validation
writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.bulk import insert_rows
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.core.money import Money, to_decimal

from ..carriers.models import CarrierAccount
from . import excel, selectors
from .descriptions import ChannelConfig, FuelData, SheetData, WeightConfig
from .models import Bracket, Channel, FuelRate, RateSheet, RemoteAreaRule, Surcharge, Zone, ZoneRule
from .validation import Problem, raise_problems, validate_channel, validate_sheet

# model field -> (where in ChannelConfig / WeightConfig)
_CHANNEL_FIELDS = {
    "code", "name", "carrier", "kind", "service_code", "currency", "max_weight_g",
    "max_length_mm", "max_girth_mm", "max_declared_value", "max_declared_currency",
    "accepts_battery", "accepts_liquid", "accepts_magnet", "destinations", "transit_days_min",
    "transit_days_max", "tracking_url_template", "is_active", "volumetric_divisor",
    "volumetric_mode", "volumetric_free_limit_mm", "volumetric_free_measure",
    "volumetric_min_side_mm", "weight_step_g", "weight_step_threshold_g", "weight_step_above_g",
    "min_chargeable_g", "pricing_date", "service_type", "label_size", "expire_after_days",
    "s10_prefix", "s10_country", "carrier_account",
}  # fmt: skip
_WEIGHT = {
    "volumetric_divisor": "divisor", "volumetric_mode": "mode",
    "volumetric_free_limit_mm": "free_limit_mm", "volumetric_free_measure": "free_measure",
    "volumetric_min_side_mm": "min_side_mm", "weight_step_g": "step_g",
    "weight_step_threshold_g": "step_threshold_g", "weight_step_above_g": "step_above_g",
    "min_chargeable_g": "min_g",
}  # fmt: skip


def _bump(channel_id: int) -> None:
    Channel.objects.filter(pk=channel_id).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _channel_row(values: dict[str, Any]) -> ChannelConfig:
    """Model-shaped values -> a ChannelConfig to validate."""
    declared = None
    if values.get("max_declared_value") not in (None, ""):
        declared = Money.of(
            values["max_declared_value"],
            values.get("max_declared_currency") or values.get("currency") or "",
        )
    weight = WeightConfig(**{dst: values[src] for src, dst in _WEIGHT.items() if src in values})
    simple = {k: v for k, v in values.items() if k not in _WEIGHT and k in _CHANNEL_FIELDS}
    simple.pop("max_declared_value", None)
    simple.pop("max_declared_currency", None)
    if "is_active" in simple:
        simple["active"] = simple.pop("is_active")
    if "destinations" in simple:
        simple["destinations"] = tuple(simple["destinations"] or ())
    return ChannelConfig(**simple, max_declared_value=declared, weight=weight)


def _model_values(cfg: ChannelConfig) -> dict[str, Any]:
    w = cfg.weight
    limit = cfg.max_declared_value
    return {
        "code": cfg.code, "name": cfg.name, "carrier": cfg.carrier, "kind": cfg.kind,
        "service_code": cfg.service_code, "currency": cfg.currency,
        "max_weight_g": cfg.max_weight_g, "max_length_mm": cfg.max_length_mm,
        "max_girth_mm": cfg.max_girth_mm,
        "max_declared_value": limit.amount if limit else None,
        "max_declared_currency": limit.currency if limit else "",
        "accepts_battery": cfg.accepts_battery, "accepts_liquid": cfg.accepts_liquid,
        "accepts_magnet": cfg.accepts_magnet, "destinations": list(cfg.destinations),
        "transit_days_min": cfg.transit_days_min, "transit_days_max": cfg.transit_days_max,
        "tracking_url_template": cfg.tracking_url_template, "is_active": cfg.active,
        "volumetric_divisor": w.divisor, "volumetric_mode": w.mode,
        "volumetric_free_limit_mm": w.free_limit_mm, "volumetric_free_measure": w.free_measure,
        "volumetric_min_side_mm": w.min_side_mm, "weight_step_g": w.step_g,
        "weight_step_threshold_g": w.step_threshold_g, "weight_step_above_g": w.step_above_g,
        "min_chargeable_g": w.min_g, "pricing_date": cfg.pricing_date,
        "service_type": cfg.service_type, "label_size": cfg.label_size,
        "expire_after_days": cfg.expire_after_days, "s10_prefix": cfg.s10_prefix,
        "s10_country": cfg.s10_country, "carrier_account_id": cfg.carrier_account or None,
    }  # fmt: skip


def _clean_channel(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - _CHANNEL_FIELDS
    if unknown:
        raise ValidationFailed(f"Unknown fields: {sorted(unknown)}", code="unknown_field")
    cfg, problems = validate_channel(_channel_row(values))
    if not cfg.name:
        problems.insert(0, _problem("name", "required", "name is required"))
    account = cfg.carrier_account
    if account and not CarrierAccount.objects.filter(code=account).exists():
        problems.append(_problem("carrier_account", "not_found", f"No carrier account {account!r}"))
    raise_problems(problems, "Channel", "invalid_channel")
    return _model_values(cfg)


def _problem(field: str, code: str, message: str) -> Problem:
    return Problem(("channel",), field, code, message)


# --- channels -------------------------------------------------------------------------------


def create_channel(actor, **fields: Any) -> Channel:
    require(actor, P.CHANNEL_CHANGE)
    values = _clean_channel(fields)
    duplicate = Conflict(f"Channel {values['code']!r} exists", code="duplicate_code")
    if Channel.objects.filter(code=values["code"]).exists():
        raise duplicate
    try:
        with transaction.atomic():
            ch = Channel.objects.create(**values)
            audit.record(actor, "logistics.channel.create", ch, values)
    except IntegrityError:  # created by someone else since the check
        raise duplicate from None
    return ch


def update_channel(actor, ch: Channel, **fields: Any) -> Channel:
    require(actor, P.CHANNEL_CHANGE)
    if "code" in fields and fields["code"] != ch.code:
        raise ValidationFailed("A channel's code does not change", code="code_fixed")
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=ch.pk)
        current = {name: getattr(locked, name) for name in _CHANNEL_FIELDS - {"carrier_account"}}
        current["carrier_account"] = locked.carrier_account_id or ""
        values = _clean_channel({**current, **fields})
        changes = audit.diff(locked, values)
        if changes:
            Channel.objects.filter(pk=ch.pk).update(**values)
            _bump(ch.pk)
            audit.record(actor, "logistics.channel.update", ch, changes)
    ch.refresh_from_db()
    return ch


def set_channel_active(actor, ch: Channel, active: bool) -> Channel:
    return update_channel(actor, ch, is_active=bool(active))


# --- rate sheets ----------------------------------------------------------------------------


def _write_content(sheet: RateSheet, data: SheetData) -> None:
    Zone.objects.filter(sheet=sheet).delete()
    Surcharge.objects.filter(sheet=sheet).delete()
    FuelRate.objects.filter(sheet=sheet).delete()
    Zone.objects.bulk_create(
        [Zone(sheet=sheet, code=z.code, name=z.name, position=i) for i, z in enumerate(data.zones)]
    )
    zone_ids = dict(Zone.objects.filter(sheet=sheet).values_list("code", "id"))
    insert_rows(
        ZoneRule,
        ("zone", "country", "postcode_prefix", "postcode_from", "postcode_to", "city",
         "position"),
        ((zone_ids[z.code], r.country, r.postcode_prefix, r.postcode_from, r.postcode_to,
          r.city, i) for z in data.zones for i, r in enumerate(z.rules)),
    )  # fmt: skip
    insert_rows(
        Bracket,
        ("zone", "lower_g", "upper_g", "flat_price", "first_weight_g", "first_fee", "step_g",
         "step_fee", "per_kg_rate", "registration_fee"),
        ((zone_ids[b.zone], b.lower_g, b.upper_g, b.flat, b.first_g, b.first_fee, b.step_g,
          b.step_fee, b.per_kg, b.registration) for b in data.brackets),
    )  # fmt: skip
    Surcharge.objects.bulk_create(
        [
            Surcharge(sheet=sheet, code=s.code, kind=s.kind, description=s.description,
                      amount=s.amount, per_kg=s.per_kg, minimum=s.minimum,
                      threshold_mm=s.threshold_mm, threshold_g=s.threshold_g, position=i)
            for i, s in enumerate(data.surcharges)
        ]
    )  # fmt: skip
    sur_ids = dict(Surcharge.objects.filter(sheet=sheet).values_list("code", "id"))
    insert_rows(
        RemoteAreaRule,
        ("surcharge", "country", "postcode_prefix", "postcode_from", "postcode_to", "city",
         "position"),
        ((sur_ids[s.code], a.country, a.postcode_prefix, a.postcode_from, a.postcode_to,
          a.city, i) for s in data.surcharges for i, a in enumerate(s.areas)),
    )  # fmt: skip
    insert_rows(
        FuelRate,
        ("sheet", "effective_from", "percent", "applies_to"),
        ((sheet.pk, f.effective_from, f.percent, list(f.applies_to)) for f in data.fuel),
    )


def _summary(data: SheetData) -> dict[str, Any]:
    return {
        "kind": data.kind, "customer_level": data.customer_level, "currency": data.currency,
        "effective_date": data.effective_date, "zones": len(data.zones),
        "brackets": len(data.brackets), "surcharges": len(data.surcharges),
        "fuel_rates": len(data.fuel),
    }  # fmt: skip


def _check_sheet(data: SheetData) -> SheetData:
    clean, problems = validate_sheet(data)
    raise_problems(problems, "Rate sheet", "invalid_rate_sheet")
    return clean


def create_rate_sheet(actor, ch: Channel, data: SheetData) -> RateSheet:
    """A new sheet on ``ch`` with all its content (validated first; nothing written if not)."""
    require(actor, P.RATESHEET_CHANGE)
    data = _check_sheet(data)
    try:
        with transaction.atomic():
            sheet = RateSheet.objects.create(
                channel=ch, kind=data.kind, customer_level=data.customer_level, name=data.name,
                currency=data.currency, effective_date=data.effective_date,
                is_active=data.active,
            )  # fmt: skip
            _write_content(sheet, data)
            _bump(ch.pk)
            audit.record(actor, "logistics.ratesheet.create", sheet, _summary(data))
    except IntegrityError:
        raise Conflict(
            f"Channel {ch.code} already has a {data.kind} sheet"
            + (f" for level {data.customer_level}" if data.customer_level else "")
            + f" from {data.effective_date}",
            code="duplicate_sheet",
        ) from None
    return sheet


def replace_rate_sheet(actor, sheet: RateSheet, data: SheetData) -> RateSheet:
    """Replace a sheet's header and content as a whole."""
    require(actor, P.RATESHEET_CHANGE)
    data = _check_sheet(data)
    try:
        with transaction.atomic():
            RateSheet.objects.select_for_update().get(pk=sheet.pk)
            RateSheet.objects.filter(pk=sheet.pk).update(
                kind=data.kind, customer_level=data.customer_level, name=data.name,
                currency=data.currency, effective_date=data.effective_date,
                is_active=data.active, updated_at=timezone.now(),
            )  # fmt: skip
            _write_content(sheet, data)
            _bump(sheet.channel_id)
            audit.record(actor, "logistics.ratesheet.replace", sheet, _summary(data))
    except IntegrityError:
        raise Conflict("Another sheet has this kind, level and date", code="duplicate_sheet")
    sheet.refresh_from_db()
    return sheet


def import_rate_sheet(
    actor,
    ch: Channel,
    file: bytes | BinaryIO,
    *,
    sheet: RateSheet | None = None,
    kind: str | None = None,
    customer_level: str | None = None,
    currency: str | None = None,
    effective_date: dt.date | None = None,
    name: str | None = None,
) -> RateSheet:
    """Import an Excel rate sheet (see ``excel``) as a new sheet of ``ch`` or over ``sheet``.

    Arguments given here win over the file's ``Sheet`` tab; over an existing sheet, that
    sheet's kind, level, currency, date and name are kept unless given here (the file
    replaces the content, not the identity). Any error in the file raises
    ``ValidationFailed`` (code ``import_failed``) listing every row error; nothing is written.
    """
    require(actor, P.RATESHEET_CHANGE)
    if sheet is not None and sheet.channel_id != ch.pk:
        raise ValidationFailed("The sheet belongs to another channel", code="wrong_channel")
    overrides = {
        "kind": kind, "customer_level": customer_level, "currency": currency,
        "effective_date": effective_date, "name": name,
    }  # fmt: skip
    if sheet is not None:
        for key in ("kind", "customer_level", "currency", "effective_date", "name"):
            if overrides[key] is None:
                overrides[key] = getattr(sheet, key)
    data = excel.read_workbook(file, overrides=overrides)
    if sheet is None:
        return create_rate_sheet(actor, ch, data)
    return replace_rate_sheet(actor, sheet, data)


def set_rate_sheet_active(actor, sheet: RateSheet, active: bool) -> RateSheet:
    require(actor, P.RATESHEET_CHANGE)
    with transaction.atomic():
        RateSheet.objects.filter(pk=sheet.pk).update(
            is_active=bool(active), updated_at=timezone.now()
        )
        _bump(sheet.channel_id)
        audit.record(actor, "logistics.ratesheet.active", sheet, {"is_active": bool(active)})
    sheet.refresh_from_db()
    return sheet


def delete_rate_sheet(actor, sheet: RateSheet) -> None:
    require(actor, P.RATESHEET_CHANGE)
    with transaction.atomic():
        audit.record(actor, "logistics.ratesheet.delete", sheet, {"sheet": str(sheet)})
        channel_id = sheet.channel_id
        sheet.delete()
        _bump(channel_id)


def add_fuel_rate(
    actor,
    sheet: RateSheet,
    effective_from: dt.date,
    percent: Decimal | str | int,
    applies_to: tuple[str, ...] | list[str] | None = None,
) -> FuelRate:
    """Add a fuel percentage from a date on (the month's DHL rate, say); history is kept."""
    require(actor, P.RATESHEET_CHANGE)
    current = selectors.sheet_data(sheet)
    fuel = (
        FuelData(effective_from, to_decimal(percent), tuple(applies_to))
        if applies_to
        else (FuelData(effective_from, to_decimal(percent)))
    )
    candidate = dataclasses.replace(current, fuel=(*current.fuel, fuel))
    _, problems = validate_sheet(candidate)
    raise_problems([p for p in problems if p.ref[0] == "fuel"], "Fuel rate", "invalid_fuel_rate")
    with transaction.atomic():
        row = FuelRate.objects.create(
            sheet=sheet, effective_from=fuel.effective_from, percent=fuel.percent,
            applies_to=list(fuel.applies_to),
        )  # fmt: skip
        _bump(sheet.channel_id)
        audit.record(actor, "logistics.fuelrate.create", row,
                     {"sheet": sheet.pk, "effective_from": fuel.effective_from,
                      "percent": fuel.percent, "applies_to": list(fuel.applies_to)})  # fmt: skip
    return row


# --- carrier accounts -----------------------------------------------------------------------

_ACCOUNT_CODE_MAX = 40


def _clean_account(code: str, name: str, carrier: str, credentials: dict, base_url: str) -> None:
    problems = []
    if (
        not code
        or len(code) > _ACCOUNT_CODE_MAX
        or not code.replace("-", "").replace("_", "").isalnum()
    ):
        problems.append(
            _problem("code", "invalid_code", "Code: letters, digits, - and _, at most 40")
        )
    if not name:
        problems.append(_problem("name", "required", "A name is required"))
    if not carrier:
        problems.append(_problem("carrier", "required", "A carrier is required"))
    if not isinstance(credentials, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | bool) for k, v in credentials.items()
    ):
        problems.append(_problem("credentials", "invalid", "Credentials are key/value text"))
    if base_url and not base_url.startswith(("https://", "http://")):
        problems.append(_problem("base_url", "invalid_url", "The server URL starts with https://"))
    raise_problems(problems, "Carrier account", "invalid_carrier_account")


def create_carrier_account(
    actor,
    code: str,
    name: str,
    carrier: str,
    credentials: dict,
    test_mode: bool = False,
    base_url: str = "",
) -> CarrierAccount:
    """A carrier account; ``credentials`` are stored encrypted (``core.crypto``), never in
    clear, and never written to the audit log (only their key names are)."""
    from tradelane.core import crypto

    require(actor, P.CHANNEL_CHANGE)
    code, name, carrier, base_url = code.strip(), name.strip(), carrier.strip(), base_url.strip()
    _clean_account(code, name, carrier, credentials, base_url)
    duplicate = Conflict(f"Carrier account {code!r} exists", code="duplicate_code")
    if CarrierAccount.objects.filter(code=code).exists():
        raise duplicate
    try:
        with transaction.atomic():
            account = CarrierAccount.objects.create(
                code=code, name=name, carrier=carrier, test_mode=bool(test_mode),
                base_url=base_url, credentials=crypto.encrypt_json(dict(credentials)),
            )  # fmt: skip
            audit.record(actor, "logistics.carrier_account.create", account, {
                "code": code, "name": name, "carrier": carrier, "test_mode": bool(test_mode),
                "base_url": base_url, "credential_keys": sorted(credentials),
            })  # fmt: skip
    except IntegrityError:
        raise duplicate from None
    return account


def update_carrier_account(
    actor, account: CarrierAccount, *, credentials: dict | None = None, **fields: Any
) -> CarrierAccount:
    """Change name, test_mode, base_url, is_active and/or replace the credentials."""
    from tradelane.core import crypto

    require(actor, P.CHANNEL_CHANGE)
    allowed = {"name", "test_mode", "base_url", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(f"Cannot change {sorted(unknown)}", code="field_fixed")
    with transaction.atomic():
        locked = CarrierAccount.objects.select_for_update().get(pk=account.pk)
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
        _clean_account(locked.code, values.get("name", locked.name), locked.carrier,
                       credentials if credentials is not None else {},
                       values.get("base_url", locked.base_url))  # fmt: skip
        changes = audit.diff(locked, values)
        if credentials is not None:
            values["credentials"] = crypto.encrypt_json(dict(credentials))
            changes["credential_keys"] = sorted(credentials)
        if values:
            CarrierAccount.objects.filter(pk=locked.pk).update(**values, updated_at=timezone.now())
        if changes:
            audit.record(actor, "logistics.carrier_account.update", locked, changes)
    account.refresh_from_db()
    return account


carrier_account_data = selectors.carrier_account_data  # the read side lives in selectors
