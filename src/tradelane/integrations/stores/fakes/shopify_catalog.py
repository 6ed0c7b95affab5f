"""The fake Shopify's locations and product catalog (``FakeShopify.catalog``).

    fake.catalog.add_location(1, "Los Angeles", "US")
    fake.catalog.add_product("Mug", [{"sku": "MUG-1", "barcode": "0123", "title": "Red"}])
    fake.catalog.fill(3000)                   # a large catalog: 1,000 products x 3 variants

Answers, with the shapes of the GraphQL Admin API (the fake's ``shape`` keeps only the
fields asked for):

- ``locations(first:|last:, after:, includeInactive:)``: active locations only unless
  ``includeInactive: true``
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/locations).
- ``productVariants(first:|last:, after:)``: every variant, ordered by id, each with its
  ``product`` and ``inventoryItem``
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants).
- ``productVariantsCount``: ``{count, precision}``; above its ``limit`` (10,000 by default)
  the count is the limit with precision ``AT_LEAST``
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariantsCount).

Page sizes follow the pagination rules (first or last required, at most 250:
https://shopify.dev/docs/api/usage/pagination-graphql), checked by the caller
(``FakeShopify._page_size``); the cost is checked before any of this runs.
"""

from __future__ import annotations

from .shopify_data import decode_cursor, encode_cursor

COUNT_LIMIT = 10_000


class ShopifyCatalogData:
    def __init__(self, fake) -> None:
        self.fake = fake
        self.locations: list[dict] = []
        self.variants: list[dict] = []  # full nodes, ordered by id
        self._product_id = 8_000_000
        self._variant_id = 40_000_000

    # --- data -------------------------------------------------------------------------------

    def add_location(
        self, number: int, name: str, country: str = "US", *, active: bool = True,
        online: bool = True,
    ) -> dict:  # fmt: skip
        node = {"id": f"gid://shopify/Location/{number}", "name": name, "isActive": active,
                "fulfillsOnlineOrders": online,
                "address": {"countryCode": country, "country": country}}  # fmt: skip
        with self.fake.lock:
            self.locations.append(node)
        return node

    def add_product(self, title: str, variants: list[dict]) -> list[dict]:
        """A product with its variants (each: sku, barcode, title; "Default Title" if none)."""
        with self.fake.lock:
            self._product_id += 1
            product = {"id": f"gid://shopify/Product/{self._product_id}", "title": title}
            added = []
            for v in variants:
                self._variant_id += 1
                vid = self._variant_id
                node = {
                    "id": f"gid://shopify/ProductVariant/{vid}",
                    "sku": v.get("sku") or None,  # Shopify answers null for a blank SKU
                    "barcode": v.get("barcode") or None,
                    "title": v.get("title") or "Default Title",
                    "displayName": f"{title} - {v.get('title') or 'Default Title'}",
                    "product": product,
                    "inventoryItem": {
                        "id": f"gid://shopify/InventoryItem/{vid}",
                        "tracked": v.get("tracked", True),
                    },  # fmt: skip
                }
                self.variants.append(node)
                added.append(node)
            return added

    def fill(self, variants: int, per_product: int = 3) -> None:
        """A large catalog: ``variants`` variants, ``per_product`` to a product."""
        for p in range(0, variants, per_product):
            n = min(per_product, variants - p)
            self.add_product(
                f"Bulk product {p // per_product:05d}",
                [{"sku": f"BULK-{p + i:06d}", "title": f"Size {i + 1}"} for i in range(n)],
            )

    # --- queries ----------------------------------------------------------------------------

    def _page(self, nodes: list[dict], size: int, after, backwards: bool) -> dict:
        start = decode_cursor(after) + 1
        rest = nodes[start:]
        page = rest[-size:] if backwards else rest[:size]
        offset = start + (len(rest) - len(page) if backwards else 0)
        end = offset + len(page) - 1
        info = {"hasNextPage": end + 1 < len(nodes), "hasPreviousPage": offset > 0,
                "startCursor": encode_cursor(offset) if page else None,
                "endCursor": encode_cursor(end) if page else None}  # fmt: skip
        return {"pageInfo": info, "nodes": page}

    def locations_page(self, size: int, after, backwards: bool, include_inactive) -> dict:
        with self.fake.lock:
            nodes = [n for n in self.locations if include_inactive or n["isActive"]]
        return self._page(nodes, size, after, backwards)

    def variants_page(self, size: int, after, backwards: bool) -> dict:
        with self.fake.lock:
            nodes = list(self.variants)
        return self._page(nodes, size, after, backwards)

    def count(self, limit) -> dict:
        limit = COUNT_LIMIT if limit is None else int(limit)
        n = len(self.variants)
        if n > limit:
            return {"count": limit, "precision": "AT_LEAST"}
        return {"count": n, "precision": "EXACT"}
