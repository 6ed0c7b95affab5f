"""Daily manifests: the hand-over list of one channel for one day.

``close_manifest(actor, channel, date)`` gathers the channel's shipments shipped that day (in
the installation's time zone) that are on no manifest yet, numbers a new ``Manifest``
(``MF<yyyymmdd>-<channel>-<n>``) and assigns them to it, in one transaction with the
channel row locked (two clerks closing at once get two distinct manifests, never one
shipment on both). Closing the same day again manifests only what was shipped since; with
nothing new it is refused (409 ``manifest_empty``). ``manifest_data`` maps a manifest to the
renderers' ``ManifestData`` (PDF and CSV).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.accounts.selectors import company
from tradelane.core import audit
from tradelane.core.errors import Conflict, NotFound

from ..documents import ManifestData, ManifestRow, render_manifest_csv, render_manifest_pdf
from ..rates import selectors
from ..rates.models import Channel
from .models import Manifest, Shipment, ShipmentStatus

S = ShipmentStatus
MANIFESTABLE = (S.SHIPPED, S.DELIVERED, S.RETURNED)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def pending(channel: Channel, day: dt.date):
    """The channel's shipments shipped on ``day`` and not on a manifest yet."""
    start, end = day_bounds(day)
    return Shipment.objects.filter(
        channel=channel,
        status__in=MANIFESTABLE,
        manifest__isnull=True,
        shipped_at__gte=start,
        shipped_at__lt=end,
    )


def close_manifest(actor, channel: Channel | str | int, day: dt.date | None = None) -> Manifest:
    require(actor, P.MANIFEST_CLOSE)
    day = day or timezone.localdate()
    if isinstance(channel, str):
        channel = selectors.channel(channel)
    pk = channel.pk if isinstance(channel, Channel) else int(channel)
    with transaction.atomic():
        ch = Channel.objects.select_for_update().filter(pk=pk).first()
        if ch is None:
            raise NotFound(f"Channel {pk} does not exist", code="channel_not_found")
        ids = list(pending(ch, day).order_by("shipped_at", "id").values_list("id", flat=True))
        if not ids:
            raise Conflict(
                f"No shipment of {ch.code} shipped on {day.isoformat()} waits for a manifest",
                code="manifest_empty",
                details={"channel": ch.code, "date": day.isoformat()},
            )
        seq = Manifest.objects.filter(channel=ch, date=day).count() + 1
        manifest = Manifest.objects.create(
            number=f"MF{day:%Y%m%d}-{ch.code}-{seq}"[:40],
            channel=ch,
            date=day,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        taken = Shipment.objects.filter(pk__in=ids, manifest__isnull=True).update(
            manifest=manifest, updated_at=timezone.now()
        )
        if taken != len(ids):  # pragma: no cover - the channel lock prevents it
            raise Conflict("Shipments changed meanwhile; try again", code="stale_state")
        audit.record(
            actor,
            "logistics.manifest.close",
            manifest,
            {"channel": ch.code, "date": day.isoformat(), "shipments": len(ids)},
        )
    return manifest


def manifest_data(manifest: Manifest) -> ManifestData:
    """The manifest's rows (one query for the shipments)."""
    ch = manifest.channel
    rows = tuple(
        ManifestRow(
            tracking_number=s.tracking_number,
            receiver_name=s.ship_name,
            city=s.ship_city,
            country=s.ship_country,
            weight_g=s.weight_g,
            declared_value=s.declared_value,
            currency=s.declared_currency or "USD",
            reference=s.reference,
            pieces=s.pieces,
        )
        for s in manifest.shipments.order_by("shipped_at", "id").only(
            "tracking_number",
            "ship_name",
            "ship_city",
            "ship_country",
            "weight_g",
            "declared_value",
            "declared_currency",
            "reference",
            "pieces",
            "manifest_id",
        )  # fmt: skip
    )
    return ManifestData(
        number=manifest.number,
        channel=f"{ch.code} {ch.name}".strip(),
        date=manifest.date,
        rows=rows,
        shipper=company().name,
        carrier_name=ch.carrier or ch.name,
    )


def get_manifest(actor, pk: int) -> Manifest:
    require(actor, P.SHIPMENT_VIEW)
    m = Manifest.objects.select_related("channel", "created_by").filter(pk=pk).first()
    if m is None:
        raise NotFound(f"Manifest {pk} does not exist", code="manifest_not_found")
    return m


def manifest_pdf(actor, pk: int) -> tuple[Manifest, bytes]:
    m = get_manifest(actor, pk)
    return m, render_manifest_pdf(manifest_data(m))


def manifest_csv(actor, pk: int) -> tuple[Manifest, str]:
    m = get_manifest(actor, pk)
    return m, render_manifest_csv(manifest_data(m))
