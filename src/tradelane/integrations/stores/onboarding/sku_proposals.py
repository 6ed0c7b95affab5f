"""Proposed SKU mappings for a store's imported variants, and accepting or rejecting them.

A variant is matched against our catalog in this order, at most one proposal per variant:

1. the store SKU already has a mapping (``orders.StoreSkuMapping``): accepted at once
   (``mapped``), its inventory item id recorded;
2. the store SKU is one of our SKU codes (case and surrounding spaces ignored): ``exact_sku``,
   confidence 1;
3. the variant's barcode is one of our SKUs' barcodes (``catalog.Sku.barcode``): ``barcode``,
   confidence 0.95;
4. the title is like one of our SKUs' names (rapidfuzz ``token_sort_ratio`` of the variant's
   title against each SKU's name and its product's English name with the variant): ``title``,
   confidence = score / 100, only at ``TITLE_THRESHOLD`` or above.

A variant without a store SKU cannot be mapped (orders name their lines by it): unmatched.
Accepting (some rows, or every proposal at or above a confidence) creates the SKU mappings
(``orders.services.map_store_skus``) and records the platform inventory item ids
(``stores.services.set_inventory_items``) that stock push needs, in one transaction;
rejecting only moves the state. Both are set-based, a fixed number of queries per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from rapidfuzz import fuzz, process, utils

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.catalog.models import Sku
from tradelane.core import audit
from tradelane.core.errors import InvalidTransition, ValidationFailed
from tradelane.core.states import bulk_transition
from tradelane.orders import services as order_services
from tradelane.orders.models import StoreSkuMapping

from .. import services as store_services
from ..models import MatchKind, ProposalState, StoreVariant
from .states import TRANSITIONS

EXACT = Decimal("1.000")
BARCODE = Decimal("0.950")
TITLE_THRESHOLD = 85.0  # rapidfuzz score (0 to 100) a title match needs
THOUSANDTH = Decimal("0.001")


@dataclass
class OurCatalog:
    """What variants are matched against, read once per import (a few queries)."""

    by_code: dict[str, int] = field(default_factory=dict)  # casefolded code -> SKU id
    by_barcode: dict[str, int] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)  # processed names, parallel to title_ids
    title_ids: list[int] = field(default_factory=list)
    mapped: dict[str, int] = field(default_factory=dict)  # store SKU -> (first) SKU id


@dataclass(frozen=True)
class Proposal:
    sku_id: int | None
    kind: str
    confidence: Decimal | None
    state: str


NOTHING = Proposal(None, MatchKind.NONE, None, ProposalState.UNMATCHED)


def load_catalog(store) -> OurCatalog:
    cat = OurCatalog()
    rows = Sku.objects.filter(status="active").values_list(
        "id", "code", "barcode", "name", "variant", "product__name_en"
    )
    for sku_id, code, barcode, name, variant, name_en in rows.order_by("id").iterator(2000):
        cat.by_code.setdefault(code.strip().casefold(), sku_id)
        if barcode.strip():
            cat.by_barcode.setdefault(barcode.strip(), sku_id)
        for text in (name, " ".join(p for p in (name_en, variant) if p)):
            if text.strip():
                cat.titles.append(utils.default_process(text))  # once, not per variant
                cat.title_ids.append(sku_id)
    for store_sku, sku_id in (
        StoreSkuMapping.objects.filter(store=store)
        .order_by("store_sku", "id")
        .values_list("store_sku", "sku_id")
    ):
        cat.mapped.setdefault(store_sku, sku_id)
    return cat


def title_score(a: str, b: str) -> float:
    return fuzz.token_sort_ratio(a, b, processor=utils.default_process)


def confidence_of(score: float) -> Decimal:
    return (Decimal(str(score)) / 100).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def propose(store_sku: str, barcode: str, title: str, cat: OurCatalog) -> Proposal:
    store_sku = store_sku.strip()
    if not store_sku:
        return NOTHING
    if store_sku in cat.mapped:
        return Proposal(cat.mapped[store_sku], MatchKind.MAPPED, EXACT, ProposalState.ACCEPTED)
    found = cat.by_code.get(store_sku.casefold())
    if found is not None:
        return Proposal(found, MatchKind.EXACT_SKU, EXACT, ProposalState.PROPOSED)
    found = cat.by_barcode.get(barcode.strip()) if barcode.strip() else None
    if found is not None:
        return Proposal(found, MatchKind.BARCODE, BARCODE, ProposalState.PROPOSED)
    if title.strip() and cat.titles:
        best = process.extractOne(
            utils.default_process(title), cat.titles, scorer=fuzz.token_sort_ratio,
            processor=None, score_cutoff=TITLE_THRESHOLD,
        )  # fmt: skip
        if best is not None:
            _text, score, index = best
            return Proposal(cat.title_ids[index], MatchKind.TITLE, confidence_of(score),
                            ProposalState.PROPOSED)  # fmt: skip
    return NOTHING


# --- deciding -------------------------------------------------------------------------------


def parse_confidence(raw) -> Decimal:
    """A confidence from a form: 0 to 1, or a percentage above 1 (``"90"`` is 0.9)."""
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if value > 1:
        value = value / 100
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise ValidationFailed(
            "A confidence is from 0 to 1 (or 0% to 100%)",
            code="invalid_confidence", details={"field": "min_confidence"},
        )  # fmt: skip
    return value.quantize(THOUSANDTH)


def _chosen(connection, ids, min_confidence) -> list[StoreVariant]:
    rows = StoreVariant.objects.filter(connection=connection)
    if ids is not None:
        ids = sorted({int(i) for i in ids})
        if not ids:
            raise ValidationFailed("Choose at least one row", code="nothing_selected")
        chosen = list(rows.filter(pk__in=ids).only("id", "state", "store_sku", "proposed_sku",
                                                 "inventory_item_id"))  # fmt: skip
        stale = [r.pk for r in chosen if r.state != ProposalState.PROPOSED]
        if len(chosen) != len(ids) or stale:
            raise InvalidTransition(
                "Only proposed rows can be accepted or rejected; reload and try again",
                code="not_proposed",
                details={"ids": stale or sorted(set(ids) - {r.pk for r in chosen})},
            )  # fmt: skip
        return chosen
    return list(
        rows.filter(
            state=ProposalState.PROPOSED, proposed_sku__isnull=False, confidence__gte=min_confidence
        )  # fmt: skip
        .only("id", "state", "store_sku", "proposed_sku", "inventory_item_id")
        .order_by("id")
    )


def accept(actor, connection, *, ids=None, min_confidence=None) -> int:
    """Accept the proposals ``ids``, or every one at or above ``min_confidence``: the SKU
    mappings and the inventory item ids are written with the state, all or nothing."""
    require(actor, P.STORE_SKU_MAP)
    require(actor, P.STORE_MANAGE)
    if ids is None:
        min_confidence = parse_confidence(min_confidence)
    rows = _chosen(connection, ids, min_confidence)
    if not rows:
        return 0
    with transaction.atomic():
        bulk_transition(
            StoreVariant, [r.pk for r in rows], ProposalState.PROPOSED, ProposalState.ACCEPTED,
            table=TRANSITIONS, actor=actor, field="state",
            extra={"decided_by": actor},
        )  # fmt: skip
        order_services.map_store_skus(
            actor, connection.store, {r.store_sku: r.proposed_sku_id for r in rows}
        )
        items = {r.store_sku: r.inventory_item_id for r in rows if r.inventory_item_id}
        if items:
            store_services.set_inventory_items(actor, connection, items)
        audit.record(actor, "stores.catalog.accept", connection, {"count": len(rows)})
    return len(rows)


def reject(actor, connection, *, ids) -> int:
    """Reject the proposals ``ids``: nothing else changes (a re-import keeps them rejected)."""
    require(actor, P.STORE_SKU_MAP)
    rows = _chosen(connection, ids, None)
    with transaction.atomic():
        bulk_transition(
            StoreVariant, [r.pk for r in rows], ProposalState.PROPOSED, ProposalState.REJECTED,
            table=TRANSITIONS, actor=actor, field="state",
            extra={"decided_by": actor},
        )  # fmt: skip
        audit.record(actor, "stores.catalog.reject", connection, {"count": len(rows)})
    return len(rows)
