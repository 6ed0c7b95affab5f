"""The store's locations and listings from the SP-API (``contract.CatalogConnector``).

- Locations are the store's marketplaces (``StoreSettings.marketplace_ids``): Amazon keeps a
  merchant-fulfilled quantity per listing in each marketplace, so each marketplace maps to the
  warehouse whose stock it sells (FBA stock is Amazon's own, not pushed).
- Listings: ``searchListingsItems`` (Listings Items API 2021-08-01,
  ``GET /listings/2021-08-01/items/{sellerId}``: ``marketplaceIds`` (one), ``includedData=
  summaries``, ``pageSize`` at most 20, ``pageToken`` = the last answer's
  ``pagination.nextToken``; at most 1,000 results can be paged through;
  https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#searchlistingsitems,
  https://developer-docs.amazon.com/sp-api/docs/search-for-listings-items-by-id). Each item
  is a seller SKU with its ASIN and item name per marketplace; a SKU listed in several
  marketplaces is one variant (the SKU is what stock push names, ``handlers.SKU_IS_ITEM``).
  Amazon's summaries carry no barcode.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from ..contract import PlatformError, PlatformLocation, PlatformVariant

SEARCH = "/listings/2021-08-01/items/{}"
PAGE_SIZE = 20  # the largest pageSize Amazon takes
MARKETPLACES = {  # https://developer-docs.amazon.com/sp-api/docs/marketplace-ids
    "ATVPDKIKX0DER": ("Amazon.com", "US"), "A2EUQ1WTGCTBG2": ("Amazon.ca", "CA"),
    "A1AM78C64UM0Y8": ("Amazon.com.mx", "MX"), "A1F83G8C2ARO7P": ("Amazon.co.uk", "GB"),
    "A1PA6795UKMFR9": ("Amazon.de", "DE"), "A13V1IB3VIYZZH": ("Amazon.fr", "FR"),
    "APJ6JRA9NG5V4": ("Amazon.it", "IT"), "A1RKKUPIHCS9HS": ("Amazon.es", "ES"),
    "A1805IZSGTT6HS": ("Amazon.nl", "NL"), "A1VC38T7YXB528": ("Amazon.co.jp", "JP"),
    "A39IBJ37TRP1C6": ("Amazon.com.au", "AU"),
}  # fmt: skip


class AmazonCatalog:
    """Mixed into ``AmazonConnector`` (uses its ``client``, ``marketplaces`` and ``_creds``)."""

    def list_locations(self) -> list[PlatformLocation]:
        out = []
        for market in self.marketplaces:  # type: ignore[attr-defined]
            name, country = MARKETPLACES.get(market, (market, ""))
            out.append(PlatformLocation(location_id=market, name=name, country=country))
        return out

    def _seller(self) -> str:
        seller = str(self._creds.get("seller_id") or "")  # type: ignore[attr-defined]
        if not seller:
            raise PlatformError("Reading Amazon listings needs the seller_id credential")
        return seller

    def _search(self, market: str, token: str | None, size: int = PAGE_SIZE) -> dict:
        params = {"marketplaceIds": market, "includedData": "summaries", "pageSize": size}
        if token:
            params["pageToken"] = token
        return self.client.call(  # type: ignore[attr-defined]
            "searchListingsItems", "GET", SEARCH.format(quote(self._seller(), safe="")),
            params=params,
        ) or {}  # fmt: skip

    def iter_products(self) -> Iterator[list[PlatformVariant]]:
        seen: set[str] = set()
        for market in self.marketplaces or []:  # type: ignore[attr-defined]
            token = None
            while True:
                body = self._search(market, token)
                page = []
                for item in body.get("items") or []:
                    sku = str(item.get("sku") or "").strip()
                    if not sku or sku in seen:
                        continue
                    seen.add(sku)
                    summary = next((s for s in item.get("summaries") or []
                                    if s.get("marketplaceId") == market), {})  # fmt: skip
                    name = str(summary.get("itemName") or "")
                    page.append(PlatformVariant(
                        variant_id=sku, inventory_item_id=sku, sku=sku, barcode="",
                        title=name, product_title=str(summary.get("asin") or ""),
                    ))  # fmt: skip
                yield page
                token = (body.get("pagination") or {}).get("nextToken")
                if not token:
                    break

    def count_variants(self) -> int | None:
        """``numberOfResults`` of the first marketplace (a SKU listed in several counts once)."""
        if not self.marketplaces:  # type: ignore[attr-defined]
            return None
        body = self._search(self.marketplaces[0], None, size=1)  # type: ignore[attr-defined]
        n = body.get("numberOfResults")
        return int(n) if n is not None else None
