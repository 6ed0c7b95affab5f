"""Reads: channels and sheets as plain data, compiled channels (cached per version), export.

``compiled_channels`` asks the database only for (id, version) of the channels wanted; a
channel is loaded and compiled again only when its version changed (every service that touches
a channel or one of its sheets bumps it). Loading many channels takes a fixed number of
queries, not one per sheet or zone. The cache is per process and keyed by the database's
version, so several processes or machines never serve a stale price for long: the next call
sees the new version.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from tradelane.core.errors import NotFound
from tradelane.core.money import Money
from tradelane.core.statements import Param, Select

from ..carriers import contract as gateways
from . import excel
from .descriptions import (
    KIND_RATE_SHEET,
    SHEET_COST,
    AreaRule,
    BracketData,
    ChannelConfig,
    FuelData,
    SheetData,
    SurchargeData,
    WeightConfig,
    ZoneData,
    coverage,
)
from .engine import CompiledChannel, compile_channel
from .models import Bracket, Channel, FuelRate, RateSheet, RemoteAreaRule, Surcharge, Zone, ZoneRule

# {channel id: ((version, updated_at), compiled)}; updated_at guards against an id reused with
# the same version (a test database rolled back, a channel deleted and created again)
_cache: dict[int, tuple[tuple, CompiledChannel]] = {}
_lock = threading.Lock()


def channels(*, active_only: bool = False) -> QuerySet[Channel]:
    qs = Channel.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def channel(code_or_id: str | int) -> Channel:
    field = "pk" if isinstance(code_or_id, int) else "code"
    try:
        return Channel.objects.get(**{field: code_or_id})
    except Channel.DoesNotExist:
        raise NotFound(f"No channel {code_or_id!r}", code="channel_not_found") from None


def rate_sheets(ch: Channel) -> QuerySet[RateSheet]:
    return RateSheet.objects.filter(channel=ch)


def channel_config(ch: Channel) -> ChannelConfig:
    declared = None
    if ch.max_declared_value is not None:
        declared = Money(ch.max_declared_value, ch.max_declared_currency or ch.currency)
    return ChannelConfig(
        code=ch.code,
        name=ch.name,
        carrier=ch.carrier,
        kind=ch.kind,
        service_code=ch.service_code,
        currency=ch.currency,
        max_weight_g=ch.max_weight_g,
        max_length_mm=ch.max_length_mm,
        max_girth_mm=ch.max_girth_mm,
        max_declared_value=declared,
        accepts_battery=ch.accepts_battery,
        accepts_liquid=ch.accepts_liquid,
        accepts_magnet=ch.accepts_magnet,
        destinations=tuple(ch.destinations or ()),
        transit_days_min=ch.transit_days_min,
        transit_days_max=ch.transit_days_max,
        tracking_url_template=ch.tracking_url_template,
        active=ch.is_active,
        weight=WeightConfig(
            divisor=ch.volumetric_divisor,
            mode=ch.volumetric_mode,
            free_limit_mm=ch.volumetric_free_limit_mm,
            free_measure=ch.volumetric_free_measure,
            min_side_mm=ch.volumetric_min_side_mm,
            step_g=ch.weight_step_g,
            step_threshold_g=ch.weight_step_threshold_g,
            step_above_g=ch.weight_step_above_g,
            min_g=ch.min_chargeable_g,
        ),
        pricing_date=ch.pricing_date,
        service_type=ch.service_type,
        label_size=ch.label_size,
        expire_after_days=ch.expire_after_days,
        s10_prefix=ch.s10_prefix,
        s10_country=ch.s10_country,
        carrier_account=ch.carrier_account_id or "",
    )


def _area(row: tuple) -> AreaRule:
    return AreaRule(*row)


_AREA_FIELDS = ("country", "postcode_prefix", "postcode_from", "postcode_to", "city")


def _sheets_data(sheet_qs: QuerySet[RateSheet]) -> dict[int, list[tuple[int, SheetData]]]:
    """{channel_id: [(sheet_id, SheetData)]} in seven queries, whatever the number of sheets."""
    sheets = list(sheet_qs)
    ids = [s.pk for s in sheets]
    zones: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    zone_sheet: dict[int, int] = {}
    zone_code: dict[int, str] = {}
    for zid, sid, code, name in Zone.objects.filter(sheet_id__in=ids).values_list(
        "id", "sheet_id", "code", "name"
    ):
        zones[sid].append((zid, code, name))
        zone_sheet[zid] = sid
        zone_code[zid] = code
    rules: dict[int, list[AreaRule]] = defaultdict(list)
    for row in ZoneRule.objects.filter(zone__sheet_id__in=ids).values_list(
        "zone_id", *_AREA_FIELDS
    ):
        rules[row[0]].append(_area(row[1:]))
    brackets: dict[int, list[BracketData]] = defaultdict(list)
    for row in (
        Bracket.objects.filter(zone__sheet_id__in=ids)
        .order_by("zone_id", "lower_g")
        .values_list(
            "zone_id", "lower_g", "upper_g", "flat_price", "first_weight_g", "first_fee",
            "step_g", "step_fee", "per_kg_rate", "registration_fee",
        )
    ):  # fmt: skip
        zid = row[0]
        brackets[zone_sheet[zid]].append(BracketData(zone_code[zid], *row[1:]))
    surcharges: dict[int, list[tuple[int, tuple]]] = defaultdict(list)
    for row in Surcharge.objects.filter(sheet_id__in=ids).values_list(
        "id", "sheet_id", "code", "kind", "description", "amount", "per_kg", "minimum",
        "threshold_mm", "threshold_g",
    ):  # fmt: skip
        surcharges[row[1]].append((row[0], row[2:]))
    areas: dict[int, list[AreaRule]] = defaultdict(list)
    for row in RemoteAreaRule.objects.filter(surcharge__sheet_id__in=ids).values_list(
        "surcharge_id", *_AREA_FIELDS
    ):
        areas[row[0]].append(_area(row[1:]))
    fuel: dict[int, list[FuelData]] = defaultdict(list)
    for sid, when, pct, applies in FuelRate.objects.filter(sheet_id__in=ids).values_list(
        "sheet_id", "effective_from", "percent", "applies_to"
    ):
        fuel[sid].append(FuelData(when, pct, tuple(applies)))

    out: dict[int, list[tuple[int, SheetData]]] = defaultdict(list)
    for s in sheets:
        data = SheetData(
            kind=s.kind,
            customer_level=s.customer_level,
            currency=s.currency,
            effective_date=s.effective_date,
            name=s.name,
            active=s.is_active,
            zones=tuple(ZoneData(code, name, tuple(rules[zid])) for zid, code, name in zones[s.pk]),
            brackets=tuple(brackets[s.pk]),
            fuel=tuple(fuel[s.pk]),
            surcharges=tuple(
                SurchargeData(*values, areas=tuple(areas[sur_id]))
                for sur_id, values in surcharges[s.pk]
            ),
        ).canonical()
        out[s.channel_id].append((s.pk, data))
    return out


def priced_countries(
    channel_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, frozenset[str]]:
    """{channel id: the countries its cost sheet in force on ``on`` (today) prices}, in two
    queries whatever the number of channels. The sheet is the one the engine quotes with
    (``CompiledChannel.sheet_for``): active, from ``on`` or before, the newest; a channel
    without one prices nothing."""
    on = on or dt.date.today()
    ids = list(channel_ids)
    if not ids:
        return {}
    in_force: dict[int, int] = {}
    for channel_id, sheet_id in (
        RateSheet.objects.filter(
            channel_id__in=ids,
            kind=SHEET_COST,
            customer_level="",
            is_active=True,
            effective_date__lte=on,
        )
        .order_by("channel_id", "-effective_date", "-id")
        .values_list("channel_id", "id")
    ):
        in_force.setdefault(channel_id, sheet_id)
    sheet_channel = {sid: cid for cid, sid in in_force.items()}
    out: dict[int, set[str]] = {cid: set() for cid in ids}
    rows = (
        ZoneRule.objects.filter(zone__sheet_id__in=list(sheet_channel))
        .filter(zone__brackets__isnull=False)
        .values_list("zone__sheet_id", "country")
        .distinct()
    )
    for sheet_id, country in rows:
        out.setdefault(sheet_channel[sheet_id], set()).add(country)
    return {cid: frozenset(countries) for cid, countries in out.items()}


def channel_coverage(channels_: Iterable[Channel], on: dt.date | None = None) -> dict:
    """{channel id: ``Coverage``} of the channels priced by rate sheets (others are priced by a
    carrier's API and are left out)."""
    own = [ch for ch in channels_ if ch.kind == KIND_RATE_SHEET]
    priced = priced_countries([ch.pk for ch in own], on)
    return {ch.pk: coverage(ch.destinations or (), priced.get(ch.pk, frozenset())) for ch in own}


def sheet_data(sheet: RateSheet) -> SheetData:
    """One stored sheet as plain data (what the Excel export writes)."""
    return _sheets_data(RateSheet.objects.filter(pk=sheet.pk))[sheet.channel_id][0][1]


_STAMP = Select(lambda: Channel.objects.filter(pk=Param("id"))
                .values_list("id", "version", "updated_at"))  # fmt: skip


def compiled_channels(
    ids: Iterable[int] | None = None, *, active_only: bool = True
) -> list[CompiledChannel]:
    """Compiled channels (ordered by code), recompiled only when their version changed."""
    ids = list(ids) if ids is not None else None
    if ids is not None and len(ids) == 1 and not active_only:
        # one channel (a waybill's own, at every inbound scan): its stamp on a statement
        # compiled once (``core.statements``)
        wanted = [(cid, (v, at)) for cid, v, at in _STAMP.all(id=ids[0])]
    else:
        qs = Channel.objects.all()
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        if active_only:
            qs = qs.filter(is_active=True)
        wanted = [(cid, (v, at)) for cid, v, at in qs.order_by("code").values_list(
            "id", "version", "updated_at")]  # fmt: skip
    stale = [cid for cid, stamp in wanted if (hit := _cache.get(cid)) is None or hit[0] != stamp]
    if stale:
        rows = {ch.pk: ch for ch in Channel.objects.filter(pk__in=stale)}
        sheets = _sheets_data(RateSheet.objects.filter(channel_id__in=stale, is_active=True))
        with _lock:
            for cid, ch in rows.items():
                compiled = compile_channel(
                    channel_config(ch), sheets.get(cid, ()), channel_id=cid, version=ch.version
                )
                _cache[cid] = ((ch.version, ch.updated_at), compiled)
    return [_cache[cid][1] for cid, _ in wanted if cid in _cache]


def compiled_channel(ch: Channel | int) -> CompiledChannel:
    cid = ch if isinstance(ch, int) else ch.pk
    found = compiled_channels([cid], active_only=False)
    if not found:
        raise NotFound(f"No channel {cid}", code="channel_not_found")
    return found[0]


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def export_rate_sheet(sheet: RateSheet) -> bytes:
    """The sheet as an Excel workbook (the layout ``services.import_rate_sheet`` reads)."""
    return excel.write_workbook(sheet_data(sheet))


def carrier_account_data(account) -> gateways.Account:
    """The account as a gateway needs it: credentials decrypted, in memory only."""
    from tradelane.core import crypto

    return gateways.Account(
        code=account.code,
        carrier=account.carrier,
        credentials=crypto.decrypt_json(account.credentials),
        test_mode=account.test_mode,
        base_url=account.base_url,
    )
