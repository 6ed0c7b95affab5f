"""The store's location and catalog from WooCommerce REST API v3 (``contract.CatalogConnector``).

- WooCommerce keeps one stock figure per product or variation and has no locations: the
  store is one implicit location (``DEFAULT_LOCATION``), mapped to one of our warehouses;
  stock push sums the warehouses mapped to it (``connector.push_stock``).
- Products: ``GET /products?per_page=100&page=n`` (at most 100 a page, ``X-WP-Total`` and
  ``X-WP-TotalPages`` headers: https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-products,
  https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination). A ``variable`` product's
  variants come from ``GET /products/<id>/variations`` (paged the same way:
  https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-product-variations).
- The inventory item id stock push names is the product id, or "<product id>:<variation id>"
  (``mapping.stock_target``). The barcode is ``global_unique_id`` (GTIN, UPC, EAN or ISBN;
  WooCommerce 9.2 and later).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..contract import PlatformLocation, PlatformVariant

PER_PAGE = 100  # WooCommerce's maximum (a larger per_page is 400 rest_invalid_param)
DEFAULT_LOCATION = "default"


def _text(value) -> str:
    return str(value or "").strip()


def _options(variation: dict) -> str:
    return " / ".join(_text(a.get("option")) for a in variation.get("attributes") or [] if
                      _text(a.get("option")))  # fmt: skip


class WooCommerceCatalog:
    """Mixed into ``WooCommerceConnector`` (uses its ``client``)."""

    def list_locations(self) -> list[PlatformLocation]:
        name = self.connection.store.name or self.connection.shop_domain  # type: ignore[attr-defined]
        return [PlatformLocation(location_id=DEFAULT_LOCATION, name=str(name))]

    def _pages(self, path: str, params: dict | None = None) -> Iterator[tuple[list[dict], int]]:
        page = 1
        while True:
            query = {"per_page": PER_PAGE, "page": page, "orderby": "id", "order": "asc",
                     **(params or {})}  # fmt: skip
            rows, headers = self.client.call("GET", path, params=query)  # type: ignore[attr-defined]
            total = int(headers.get("X-WP-Total") or 0)
            yield list(rows or []), total
            if page >= int(headers.get("X-WP-TotalPages") or 0) or not rows:
                return
            page += 1

    def iter_products(self) -> Iterator[list[PlatformVariant]]:
        for products, _total in self._pages("/products"):
            out: list[PlatformVariant] = []
            for product in products:
                pid = int(product["id"])
                title = _text(product.get("name"))
                if product.get("type") != "variable":
                    out.append(PlatformVariant(
                        variant_id=str(pid), inventory_item_id=str(pid),
                        sku=_text(product.get("sku")),
                        barcode=_text(product.get("global_unique_id")),
                        title=title, product_title=title,
                    ))  # fmt: skip
                    continue
                for variations, _n in self._pages(f"/products/{pid}/variations"):
                    for v in variations:
                        item = f"{pid}:{int(v['id'])}"
                        out.append(PlatformVariant(
                            variant_id=item, inventory_item_id=item,
                            sku=_text(v.get("sku")),
                            barcode=_text(v.get("global_unique_id")),
                            title=" - ".join(p for p in (title, _options(v)) if p),
                            product_title=title,
                        ))  # fmt: skip
            yield out

    def count_variants(self) -> int | None:
        """WooCommerce counts products, not variations: unknown until read."""
        return None
