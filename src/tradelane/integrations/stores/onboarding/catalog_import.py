"""The catalog import: a background job (``core.jobs``) that reads the store's locations and
every variant of its catalog, upserts them as ``StoreVariant`` rows (by platform variant id,
so running it again changes rows, never duplicates them) and proposes SKU mappings
(``sku_proposals``). Progress is variants read / the platform's count when it gives one.

Started when a store is connected (the connect page) and from the catalog page's button; a
second start while one is queued or running returns that one. Set-based: per platform page,
one read of the rows already there, one insert and one update (``core.bulk``, chunked),
and for the variants whose store SKU was mapped already, one write of their inventory ids.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import jobs
from tradelane.core.bulk import insert_rows, update_rows
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.core.models import Job

from .. import services as store_services
from ..contract import catalog_connector_for
from ..models import ProposalState, StoreConnection, StoreVariant
from . import locations, sku_proposals

JOB_KIND = "stores.catalog_import"
CHUNK = 500
DATA_FIELDS = ("inventory_item_id", "store_sku", "barcode", "title", "product_title")
PROPOSAL_FIELDS = ("proposed_sku", "match_kind", "confidence", "state")
SETTLED = {ProposalState.ACCEPTED, ProposalState.REJECTED}


def current_job(connection) -> Job | None:
    """The latest catalog import of this connection (any status)."""
    return (
        Job.objects.filter(kind=JOB_KIND, params__connection_id=connection.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def start(actor, connection) -> Job:
    """Queue the import (or return the one queued or running already)."""
    require(actor, P.STORE_MANAGE)
    if connection.state != StoreConnection.State.CONNECTED:
        raise Conflict("The store is not connected", code="not_connected")
    with transaction.atomic():
        StoreConnection.objects.select_for_update().filter(pk=connection.pk).first()
        job = current_job(connection)
        if job is not None and job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
            return job
        return jobs.start(actor, JOB_KIND, {"connection_id": connection.pk})


def _values(row: StoreVariant, fields: list[str]) -> list:
    """The row's values in ``fields`` order, foreign keys by id (``core.bulk``)."""
    fk = {"connection": "connection_id", "proposed_sku": "proposed_sku_id"}
    return [getattr(row, fk.get(f, f)) for f in fields]


def _clip(value: str, n: int) -> str:
    return (value or "")[:n]


def upsert_page(connection, variants, cat: sku_proposals.OurCatalog, actor) -> dict:
    """Write one platform page of variants; counts of created, updated and auto-accepted."""
    by_id = {}
    for v in variants:
        if v.variant_id:
            by_id[_clip(v.variant_id, 128)] = v
    counts = {"created": 0, "updated": 0, "accepted": 0}
    ids = list(by_id)
    now = timezone.now()
    mapped_items: dict[str, str] = {}
    for start_at in range(0, len(ids), CHUNK):
        chunk = ids[start_at : start_at + CHUNK]
        existing = {
            r.variant_id: r
            for r in StoreVariant.objects.filter(connection=connection, variant_id__in=chunk)
        }
        new_rows, changed = [], []
        for vid in chunk:
            v = by_id[vid]
            data = {
                "inventory_item_id": _clip(v.inventory_item_id, 128),
                "store_sku": _clip(v.sku, 128),
                "barcode": _clip(v.barcode, 64),
                "title": _clip(v.title, 300),
                "product_title": _clip(v.product_title, 300),
            }
            row = existing.get(vid)
            keep = row is not None and row.state in SETTLED and row.store_sku == data["store_sku"]
            proposal = None if keep else sku_proposals.propose(
                data["store_sku"], data["barcode"], data["title"], cat
            )  # fmt: skip
            if (
                proposal is not None
                and proposal.state == ProposalState.ACCEPTED
                and (data["inventory_item_id"])
            ):
                mapped_items[data["store_sku"]] = data["inventory_item_id"]
            if row is None:
                new_rows.append(StoreVariant(
                    connection=connection, variant_id=vid, **data,
                    proposed_sku_id=proposal.sku_id, match_kind=proposal.kind,
                    confidence=proposal.confidence, state=proposal.state,
                    imported_at=now, updated_at=now,
                ))  # fmt: skip
                counts["accepted"] += proposal.state == ProposalState.ACCEPTED
                continue
            if (
                keep
                and row.state == ProposalState.ACCEPTED
                and data["inventory_item_id"]
                and (data["inventory_item_id"] != row.inventory_item_id)
            ):  # the platform gave the variant another inventory item: follow it
                mapped_items[data["store_sku"]] = data["inventory_item_id"]
            for key, value in data.items():
                setattr(row, key, value)
            if proposal is not None:
                newly = proposal.state == ProposalState.ACCEPTED and row.state != proposal.state
                counts["accepted"] += newly
                row.proposed_sku_id = proposal.sku_id
                row.match_kind = proposal.kind
                row.confidence = proposal.confidence
                row.state = proposal.state
            row.updated_at = now
            changed.append(row)
        fields = [*DATA_FIELDS, *PROPOSAL_FIELDS, "updated_at"]
        with transaction.atomic():  # one multi-row INSERT and one executemany UPDATE
            if new_rows:
                insert_rows(StoreVariant, ["connection", "variant_id", "imported_at", *fields],
                            [_values(r, ["connection", "variant_id", "imported_at", *fields])
                             for r in new_rows])  # fmt: skip
            if changed:
                update_rows(StoreVariant, fields, [[*_values(r, fields), r.pk] for r in changed])
        counts["created"] += len(new_rows)
        counts["updated"] += len(changed)
    if mapped_items:  # mapped already: the inventory item ids stock push needs, at once
        store_services.set_inventory_items(actor, connection, mapped_items)
    return counts


def run_import(actor, connection, progress=lambda done, total: None) -> dict:
    connector = catalog_connector_for(connection)
    found_locations = locations.discover(connection)
    total = connector.count_variants() or 0
    progress(0, total)
    cat = sku_proposals.load_catalog(connection.store)
    done = 0
    counts = {"created": 0, "updated": 0, "accepted": 0}
    for page in connector.iter_products():
        for key, n in upsert_page(connection, page, cat, actor).items():
            counts[key] += n
        done += len(page)
        progress(done, max(total, done))
    progress(done, done)
    return {"locations": found_locations, "variants": done, **counts}


@jobs.kind(JOB_KIND)
def import_job(actor, params: dict, progress) -> dict:
    conn = StoreConnection.objects.select_related("store").filter(
        pk=params.get("connection_id")
    ).first()  # fmt: skip
    if conn is None:
        raise ValidationFailed("The store connection is gone", code="not_found")
    require(actor, P.STORE_MANAGE)
    return run_import(actor, conn, progress)
