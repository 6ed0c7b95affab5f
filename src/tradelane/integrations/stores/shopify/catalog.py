"""The store's locations and catalog from Shopify (``contract.CatalogConnector``), GraphQL
Admin API ``client.API_VERSION``.

- ``locations(first:, includeInactive: true)``: id, name, isActive, fulfillsOnlineOrders,
  address { countryCode }
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/locations,
  https://shopify.dev/docs/api/admin-graphql/latest/objects/Location).
- ``productVariants(first:, after:, sortKey: ID)``: id, sku, barcode, title, displayName,
  product { title }, inventoryItem { id tracked }
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants,
  https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant), paged by cursor.
- ``productVariantsCount { count precision }`` for the progress bar
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariantsCount).

Cost by the published rule (``cost.py``): a variant costs 3 (itself, its product, its
inventory item), so a page of 250 costs 2 + 250 x 3 = 752 points, under the 1,000-point
single-query limit; a location page of 250 costs 2 + 250 x 2 = 502. The client waits for the
bucket between pages, so a large catalog is read at the shop's restore rate.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..contract import PlatformLocation, PlatformVariant

LOCATIONS_PER_PAGE = 250
VARIANTS_PER_PAGE = 250

LOCATIONS = """
query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: true) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive fulfillsOnlineOrders address { countryCode } }
  }
}
"""

VARIANTS = """
query Variants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id sku barcode title displayName
      product { title }
      inventoryItem { id tracked }
    }
  }
}
"""

VARIANTS_COUNT = """
query VariantsCount { productVariantsCount { count precision } }
"""

DEFAULT_TITLE = "Default Title"  # Shopify's title of the only variant of a product


def variant_of(node: dict) -> PlatformVariant:
    product_title = str((node.get("product") or {}).get("title") or "")
    title = str(node.get("title") or "")
    if not title or title == DEFAULT_TITLE:
        title = product_title
    return PlatformVariant(
        variant_id=str(node.get("id") or ""),
        inventory_item_id=str((node.get("inventoryItem") or {}).get("id") or ""),
        sku=str(node.get("sku") or "").strip(),
        barcode=str(node.get("barcode") or "").strip(),
        title=title,
        product_title=product_title,
    )


class ShopifyCatalog:
    """Mixed into ``ShopifyConnector`` (uses its ``client``)."""

    def list_locations(self) -> list[PlatformLocation]:
        out: list[PlatformLocation] = []
        after = None
        while True:
            variables = {"first": LOCATIONS_PER_PAGE, "after": after}
            conn = self.client.execute(LOCATIONS, variables).get("locations") or {}  # type: ignore[attr-defined]
            for node in conn.get("nodes") or []:
                out.append(
                    PlatformLocation(
                        location_id=str(node.get("id") or ""),
                        name=str(node.get("name") or ""),
                        country=str((node.get("address") or {}).get("countryCode") or ""),
                        active=bool(node.get("isActive", True)),
                        fulfills_online_orders=bool(node.get("fulfillsOnlineOrders", True)),
                    )
                )
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info.get("endCursor")

    def iter_products(self) -> Iterator[list[PlatformVariant]]:
        after = None
        while True:
            variables = {"first": VARIANTS_PER_PAGE, "after": after}
            conn = self.client.execute(VARIANTS, variables).get("productVariants") or {}  # type: ignore[attr-defined]
            yield [variant_of(node) for node in conn.get("nodes") or []]
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info.get("endCursor")

    def count_variants(self) -> int | None:
        found = self.client.execute(VARIANTS_COUNT).get("productVariantsCount") or {}  # type: ignore[attr-defined]
        if found.get("count") is None or found.get("precision") not in (None, "EXACT"):
            return None
        return int(found["count"])
