"""The edge of the logistics kernel: kilograms and centimetres in and out, quotes as plain data.

The API (``rates.api``) and the web UI (``logistics.rates.views``) both speak kg and cm and
show money as decimal strings with their currency; at rest weights are grams and lengths
millimetres. This module converts both ways and turns the engine's quotes into dicts, so the
two front ends say exactly the same thing. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tradelane.core.errors import ValidationFailed
from tradelane.core.fx import Rates
from tradelane.core.money import Money
from tradelane.core.units import to_grams, to_mm

from . import selectors
from .chargeable import Parcel
from .descriptions import AreaRule, BracketData, FuelData, SheetData, SurchargeData, ZoneData
from .engine import PricedQuote, Quote, quote_all_priced
from .models import Channel

KG = Decimal(1000)  # grams per kg
CM = Decimal(10)  # millimetres per cm

# channel model field (grams / millimetres) -> (edge field, factor)
CHANNEL_UNITS: dict[str, tuple[str, Decimal]] = {
    "max_weight_g": ("max_weight_kg", KG),
    "max_length_mm": ("max_length_cm", CM),
    "max_girth_mm": ("max_girth_cm", CM),
    "volumetric_free_limit_mm": ("volumetric_free_limit_cm", CM),
    "volumetric_min_side_mm": ("volumetric_min_side_cm", CM),
    "weight_step_g": ("weight_step_kg", KG),
    "weight_step_threshold_g": ("weight_step_threshold_kg", KG),
    "weight_step_above_g": ("weight_step_above_kg", KG),
    "min_chargeable_g": ("min_chargeable_kg", KG),
}
EDGE_UNITS = {edge: (field, factor) for field, (edge, factor) in CHANNEL_UNITS.items()}

# channel fields given as they are stored
CHANNEL_PLAIN = (
    "code", "name", "carrier", "kind", "service_code", "currency", "max_declared_value",
    "max_declared_currency", "accepts_battery", "accepts_liquid", "accepts_magnet",
    "destinations", "transit_days_min", "transit_days_max", "tracking_url_template",
    "is_active", "volumetric_divisor", "volumetric_mode", "volumetric_free_measure",
    "pricing_date", "service_type", "label_size", "expire_after_days", "s10_prefix",
    "s10_country",
)  # fmt: skip


def to_base(value: Decimal | int | None, factor: Decimal, field: str) -> int | None:
    """``1.25`` kg -> ``1250`` g; a value that is not a whole number of g/mm is refused."""
    if value is None:
        return None
    base = Decimal(value) * factor
    if base != base.to_integral_value():
        unit = "g" if factor == KG else "mm"
        raise ValidationFailed(
            f"{field} must be a whole number of {unit}",
            code="not_whole_unit",
            details={"field": field},
        )
    return int(base)


def from_base(value: int | None, factor: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value) / factor


def plain(value: Decimal | None) -> str | None:
    """A decimal as a plain string: ``Decimal('1E+1')`` -> ``"10"``."""
    if value is None:
        return None
    return f"{Decimal(value).normalize():f}"


# --- channels -------------------------------------------------------------------------------


def channel_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Edge values (kg, cm) -> model fields (g, mm) for ``services.create/update_channel``."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in EDGE_UNITS:
            field, factor = EDGE_UNITS[key]
            out[field] = to_base(value, factor, key)
        else:
            out[key] = value
    return out


def channel_dict(ch: Channel) -> dict[str, Any]:
    """A channel in edge units (what the API answers and the UI shows)."""
    out: dict[str, Any] = {"id": ch.pk}
    for name in CHANNEL_PLAIN:
        out[name] = getattr(ch, name)
    out["carrier_account"] = ch.carrier_account_id or ""  # the account's code
    for field, (edge, factor) in CHANNEL_UNITS.items():
        out[edge] = plain(from_base(getattr(ch, field), factor))
    out["max_declared_value"] = plain(ch.max_declared_value)
    out["destinations"] = list(ch.destinations or [])
    out["version"] = ch.version
    out["created_at"] = ch.created_at
    out["updated_at"] = ch.updated_at
    out["sheet_count"] = getattr(ch, "sheet_count", None)
    return out


# --- rate sheets ----------------------------------------------------------------------------


def _g(kg: Decimal | None, field: str) -> int | None:
    return to_base(kg, KG, field)


def _kg(g: int | None) -> str | None:
    return plain(from_base(g, KG))


def _rule_dict(r: AreaRule) -> dict[str, str]:
    return {
        "country": r.country,
        "postcode_prefix": r.postcode_prefix,
        "postcode_from": r.postcode_from,
        "postcode_to": r.postcode_to,
        "city": r.city,
        "text": r.describe(),
    }


def _rule(d: dict) -> AreaRule:
    return AreaRule(
        country=d.get("country") or "",
        postcode_prefix=d.get("postcode_prefix") or "",
        postcode_from=d.get("postcode_from") or "",
        postcode_to=d.get("postcode_to") or "",
        city=d.get("city") or "",
    )


def sheet_data(d: dict[str, Any]) -> SheetData:
    """JSON of a sheet (kg, cm; see ``logistics.schemas.SheetIn``) -> ``SheetData``."""
    zones = tuple(
        ZoneData(z["code"], z.get("name") or "", tuple(_rule(r) for r in z.get("rules") or ()))
        for z in d.get("zones") or ()
    )
    brackets = []
    for i, b in enumerate(d.get("brackets") or ()):
        at = f"brackets.{i}"
        brackets.append(
            BracketData(
                zone=b["zone"],
                lower_g=_g(b.get("from_kg") or Decimal(0), f"{at}.from_kg"),
                upper_g=_g(b["to_kg"], f"{at}.to_kg"),
                flat=b.get("flat"),
                first_g=_g(b.get("first_kg"), f"{at}.first_kg"),
                first_fee=b.get("first_fee"),
                step_g=_g(b.get("step_kg"), f"{at}.step_kg"),
                step_fee=b.get("step_fee"),
                per_kg=b.get("per_kg"),
                registration=b.get("registration"),
            )
        )
    surcharges = []
    for i, s in enumerate(d.get("surcharges") or ()):
        at = f"surcharges.{i}"
        surcharges.append(
            SurchargeData(
                code=s["code"],
                kind=s["kind"],
                description=s.get("description") or "",
                amount=s.get("amount"),
                per_kg=s.get("per_kg"),
                minimum=s.get("minimum"),
                threshold_mm=to_base(s.get("threshold_cm"), CM, f"{at}.threshold_cm"),
                threshold_g=_g(s.get("threshold_kg"), f"{at}.threshold_kg"),
                areas=tuple(_rule(a) for a in s.get("areas") or ()),
            )
        )
    fuel = []
    for f in d.get("fuel") or ():
        applies = tuple(f.get("applies_to") or ())
        fuel.append(
            FuelData(f["effective_from"], f["percent"], applies)
            if applies
            else FuelData(f["effective_from"], f["percent"])
        )
    return SheetData(
        kind=d["kind"],
        customer_level=d.get("customer_level") or "",
        currency=d["currency"],
        effective_date=d["effective_date"],
        name=d.get("name") or "",
        active=d.get("active", True),
        zones=zones,
        brackets=tuple(brackets),
        fuel=tuple(fuel),
        surcharges=tuple(surcharges),
    )


def sheet_dict(sheet, data: SheetData) -> dict[str, Any]:
    """A stored sheet and its content in edge units."""
    cur = data.currency
    return {
        **sheet_head(sheet),
        "zones": [
            {"code": z.code, "name": z.name, "rules": [_rule_dict(r) for r in z.rules]}
            for z in data.zones
        ],
        "brackets": [
            {
                "zone": b.zone,
                "from_kg": _kg(b.lower_g),
                "to_kg": _kg(b.upper_g),
                "flat": plain(b.flat),
                "first_kg": _kg(b.first_g),
                "first_fee": plain(b.first_fee),
                "step_kg": _kg(b.step_g),
                "step_fee": plain(b.step_fee),
                "per_kg": plain(b.per_kg),
                "registration": plain(b.registration),
                "currency": cur,
            }
            for b in data.brackets
        ],
        "surcharges": [
            {
                "code": s.code,
                "kind": s.kind,
                "description": s.description,
                "amount": plain(s.amount),
                "per_kg": plain(s.per_kg),
                "minimum": plain(s.minimum),
                "threshold_cm": plain(from_base(s.threshold_mm, CM)),
                "threshold_kg": _kg(s.threshold_g),
                "areas": [_rule_dict(a) for a in s.areas],
                "currency": cur,
            }
            for s in data.surcharges
        ],
        "fuel": [
            {
                "effective_from": f.effective_from,
                "percent": plain(f.percent),
                "applies_to": list(f.applies_to),
            }
            for f in data.fuel
        ],
    }


def sheet_head(sheet) -> dict[str, Any]:
    return {
        "id": sheet.pk,
        "channel_code": sheet.channel.code,
        "kind": sheet.kind,
        "customer_level": sheet.customer_level,
        "name": sheet.name,
        "currency": sheet.currency,
        "effective_date": sheet.effective_date,
        "is_active": sheet.is_active,
        "zone_count": getattr(sheet, "zone_count", None),
        "bracket_count": getattr(sheet, "bracket_count", None),
        "created_at": sheet.created_at,
        "updated_at": sheet.updated_at,
    }


def price_forms(b: BracketData) -> str:
    """A bracket's price, compactly: ``45``, ``30 + 12/0.5kg``, ``80/kg + 18``."""
    parts = []
    if b.flat is not None:
        parts.append(plain(b.flat))
    if b.first_fee is not None:
        parts.append(
            f"{plain(b.first_fee)}@{_kg(b.first_g)}kg + {plain(b.step_fee)}/{_kg(b.step_g)}kg"
        )
    if b.per_kg is not None:
        parts.append(f"{plain(b.per_kg)}/kg")
    if b.registration is not None:
        parts.append(f"+{plain(b.registration)} reg.")
    return " + ".join(parts)


def excel_errors(exc: ValidationFailed) -> list[dict[str, Any]]:
    """The Excel reader's row errors as ``[{tab, row, column, code, message}]``."""
    details = exc.details if isinstance(exc.details, dict) else {}
    out = []
    for e in details.get("errors") or ():
        if "sheet" in e or "row" in e:
            out.append(
                {
                    "tab": e.get("sheet"),
                    "row": e.get("row"),
                    "column": e.get("column"),
                    "code": e.get("code"),
                    "message": e.get("message"),
                }
            )
        else:  # a validation problem of the sheet as a whole
            out.append(
                {
                    "tab": None,
                    "row": None,
                    "column": e.get("field"),
                    "code": e.get("code"),
                    "message": e.get("message"),
                }
            )
    if not out:
        out.append(
            {"tab": None, "row": None, "column": None, "code": exc.code, "message": exc.message}
        )
    return out


# --- quotes ---------------------------------------------------------------------------------


def parcel(
    *,
    weight_kg: Decimal,
    length_cm: Decimal | None = None,
    width_cm: Decimal | None = None,
    height_cm: Decimal | None = None,
    pieces: int = 1,
    country: str,
    postcode: str = "",
    city: str = "",
    declared_value: Decimal | None = None,
    declared_currency: str = "",
    battery: bool = False,
    liquid: bool = False,
    magnet: bool = False,
    received_on: dt.date | None = None,
    shipped_on: dt.date | None = None,
) -> Parcel:
    """A parcel from edge units; weight rounds up to the gram, sides up to the mm
    (``core.units``; Decimal's ``//`` truncates toward zero, so ``-(-x // 1)`` does not)."""
    if Decimal(weight_kg) <= 0:
        raise ValidationFailed("The weight must be above 0", code="invalid_weight",
                               details={"field": "weight_kg"})  # fmt: skip
    grams = to_grams(weight_kg, "kg")

    def mm(v: Decimal | None) -> int:
        return to_mm(v or 0, "cm")

    declared = None
    if declared_value is not None:
        if not declared_currency:
            raise ValidationFailed(
                "A declared value needs its currency",
                code="currency_required",
                details={"field": "declared_currency"},
            )
        declared = Money.of(declared_value, declared_currency)
    return Parcel(
        weight_g=int(grams),
        length_mm=mm(length_cm),
        width_mm=mm(width_cm),
        height_mm=mm(height_cm),
        country=country,
        postcode=postcode or "",
        city=city or "",
        declared_value=declared,
        battery=battery,
        liquid=liquid,
        magnet=magnet,
        pieces=pieces,
        received_on=received_on,
        shipped_on=shipped_on,
    )


def _money(m: Money | None) -> str | None:
    return None if m is None else f"{m.amount:f}"


def _price(q: Quote) -> dict[str, Any]:
    return {
        "ok": q.ok,
        "sheet": q.sheet,
        "customer_level": q.customer_level,
        "sheet_id": q.sheet_id,
        "sheet_label": q.sheet_label,
        "on_date": q.on_date,
        "zone": q.zone,
        "zone_name": q.zone_name,
        "zone_rule": {"kind": q.zone_rule_kind, "text": q.zone_rule_text} if q.zone_rule else None,
        "lines": [
            {
                "code": line.code,
                "description": line.description,
                "amount": _money(line.amount),
                "currency": line.amount.currency,
            }
            for line in q.lines
        ],
        "total": _money(q.total),
        "currency": q.currency,
        "reasons": [{"code": r.code, "message": r.message} for r in q.reasons],
        "explain": q.explain(),
    }


def _chargeable(q: Quote) -> dict[str, Any]:
    cw = q.chargeable
    return {
        "actual_kg": _kg(cw.actual_g),
        "dims_cm": list(cw.dims_cm),
        "divisor": cw.divisor,
        "mode": cw.mode,
        "volumetric_kg": _kg(cw.volumetric_g),
        "volumetric": cw.volumetric,
        "basis_kg": _kg(cw.basis_g),
        "minimum_kg": _kg(cw.minimum_g),
        "minimum_applied": cw.minimum_applied,
        "step_kg": _kg(cw.step_g),
        "chargeable_kg": _kg(cw.chargeable_g),
        "pieces": q.pieces,
        "total_kg": _kg(q.chargeable_g),
        "explain": cw.explain(),
    }


def quote_dict(pq: PricedQuote, cfg) -> dict[str, Any]:
    """One channel's answer: priced (sale price, else cost) or refused with every reason."""
    cost, sale = pq.cost, pq.sale
    head = sale if sale.ok else cost
    priced = cost.ok or sale.ok
    reasons: list[dict[str, str]] = []
    if not priced:
        seen = set()
        for r in (*cost.reasons, *sale.reasons):
            if r.code not in seen:
                seen.add(r.code)
                reasons.append({"code": r.code, "message": r.message})
    lo, hi = head.transit_days
    return {
        "channel": {
            "id": head.channel_id,
            "code": cfg.code,
            "name": cfg.name,
            "carrier": cfg.carrier,
        },  # fmt: skip
        "ok": priced,
        "total": _money(head.total) if priced else None,
        "currency": head.currency if priced else "",
        "price_sheet": head.sheet if priced else "",
        "transit_days_min": lo,
        "transit_days_max": hi,
        "chargeable": _chargeable(head),
        "zone": head.zone,
        "zone_rule": head.zone_rule_text,
        "cost": _price(cost),
        "sale": _price(sale),
        "margin": _money(pq.margin),
        "margin_currency": pq.margin.currency if pq.margin else "",
        "margin_pct": None if pq.margin_pct is None else f"{pq.margin_pct:f}",
        "reasons": reasons,
        "explain": head.explain(),
    }


def run_quotes(
    p: Parcel, *, level: str = "", codes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Every active channel's answer (or only those named), cheapest first, refused last.

    Compiled channels come from the per-process cache (one query when nothing changed); totals
    in different currencies are ranked through the latest exchange rates when there are any."""
    ids = None
    if codes:
        codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
        found = dict(Channel.objects.filter(code__in=codes).values_list("code", "id"))
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationFailed(
                f"Unknown channel codes: {', '.join(missing)}",
                code="unknown_channel",
                details={"codes": missing},
            )
        ids = list(found.values())
    compiled = selectors.compiled_channels(ids, active_only=ids is None)
    answers = [
        quote_dict(pq, ch.cfg)
        for pq, ch in zip(quote_all_priced(compiled, p, level=level), compiled, strict=True)
    ]
    currencies = {a["currency"] for a in answers if a["ok"]}
    rates = Rates() if len(currencies) > 1 else None
    base = min(currencies) if currencies else ""

    def key(a: dict) -> tuple:
        if not a["ok"]:
            return (2, Decimal(0), a["channel"]["code"])
        amount = Decimal(a["total"])
        if rates is not None:
            converted = rates.convert(Money(amount, a["currency"]), base)
            if converted is None:
                return (1, amount, a["channel"]["code"])
            amount = converted.amount
        return (0, amount, a["channel"]["code"])

    answers.sort(key=key)
    return answers
