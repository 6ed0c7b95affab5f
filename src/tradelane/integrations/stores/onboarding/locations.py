"""The store's locations, mapped to our warehouses.

``discover`` asks the platform (``CatalogConnector.list_locations``); the catalog import job
keeps what it found in its result, so the page shows the mapping form without calling the
platform again. ``suggest`` pre-fills the form: a warehouse whose code or name is the
location's name (case ignored), else the only warehouse in the location's country.
``save_mapping`` writes ``StoreSettings.locations`` (warehouse code -> platform location id) through
``services.update_settings``; an unknown warehouse, or one warehouse for two locations, is
refused and nothing is written.
"""

from __future__ import annotations

from dataclasses import asdict

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import ValidationFailed
from tradelane.inventory.models import Warehouse

from .. import services
from ..contract import PlatformLocation, catalog_connector_for
from ..settings_schema import settings_of


def discover(connection) -> list[dict]:
    """The platform's locations as plain dicts (``PlatformLocation`` fields)."""
    return [asdict(loc) for loc in catalog_connector_for(connection).list_locations()]


def suggest(locations: list[dict], warehouses: list[Warehouse], current: dict[str, str]) -> dict:
    """{location id: warehouse code} to pre-fill the form; the saved mapping comes first."""
    out = {loc_id: code for code, loc_id in current.items()}
    by_name = {}
    for wh in warehouses:
        by_name.setdefault(wh.code.casefold(), wh.code)
        by_name.setdefault(wh.name.casefold(), wh.code)
    by_country: dict[str, list[str]] = {}
    for wh in warehouses:
        by_country.setdefault(wh.country.upper(), []).append(wh.code)
    taken = set(out.values())
    for loc in locations:
        if loc["location_id"] in out:
            continue
        code = by_name.get(str(loc.get("name") or "").strip().casefold())
        if code is None:
            same = by_country.get(str(loc.get("country") or "").upper(), [])
            code = same[0] if len(same) == 1 else None
        if code and code not in taken:
            out[loc["location_id"]] = code
            taken.add(code)
    return out


def save_mapping(actor, connection, chosen: dict[str, str], known_locations: list[str]):
    """Save {platform location id: warehouse code or ""} as the store's locations."""
    require(actor, P.STORE_MANAGE)
    chosen = {str(k): str(v or "").strip() for k, v in chosen.items()}
    unknown_locations = sorted(set(chosen) - set(known_locations))
    if unknown_locations:
        raise ValidationFailed(
            f"Unknown platform locations: {', '.join(unknown_locations)}",
            code="unknown_location", details={"locations": unknown_locations},
        )  # fmt: skip
    codes = [c for c in chosen.values() if c]
    existing = set(Warehouse.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = sorted(set(codes) - existing)
    if unknown:
        raise ValidationFailed(
            f"Unknown warehouse codes: {', '.join(unknown)}",
            code="unknown_warehouse", details={"warehouses": unknown},
        )  # fmt: skip
    doubled = sorted({c for c in codes if codes.count(c) > 1})
    if doubled:
        raise ValidationFailed(
            f"A warehouse can take one location only: {', '.join(doubled)}",
            code="warehouse_twice", details={"warehouses": doubled},
        )  # fmt: skip
    mapping = {code: loc for loc, code in sorted(chosen.items()) if code}
    # warehouses mapped to locations this platform no longer lists keep their mapping
    kept = {c: loc for c, loc in settings_of(connection).locations.items()
            if loc not in known_locations and c not in mapping}  # fmt: skip
    return services.update_settings(actor, connection, {"locations": {**kept, **mapping}})


def location_of(value) -> PlatformLocation:
    return PlatformLocation(**value)
