"""The fake SP-API's ``searchListingsItems`` (Listings Items API 2021-08-01).

``GET /listings/2021-08-01/items/{sellerId}`` over the fake's listings (``FakeAmazon.
add_listing``), with the rules of the published model
(models/listings-items-api-model/listingsItems_2021-08-01.json;
https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#searchlistingsitems):

- ``marketplaceIds`` is required and names exactly one marketplace (maxItems 1);
- ``sellerId`` must be the authorised seller's;
- ``pageSize`` 1 to 20 (default 10); ``pageToken`` is the last answer's
  ``pagination.nextToken`` (an unknown token is 400 ``InvalidInput``);
- ``includedData`` from the documented sets (default ``summaries``);
- at most 1,000 results can be paged through
  (https://developer-docs.amazon.com/sp-api/docs/search-for-listings-items-by-id).

The answer is ``{"numberOfResults", "pagination": {"nextToken"?, "previousToken"?},
"items": [{"sku", "summaries": [{"marketplaceId", "asin", "productType", "conditionType",
"status", "itemName", "createdDate", "lastUpdatedDate"}]}]}``, ordered by SKU.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

SEARCH = re.compile(r"^/listings/2021-08-01/items/([^/]+)$")
MAX_PAGE_SIZE = 20
MAX_RESULTS = 1000
DATASETS = {"summaries", "attributes", "issues", "offers", "fulfillmentAvailability",
            "procurement", "relationships", "productTypes"}  # fmt: skip


def _error(message: str) -> tuple[int, dict]:
    return 400, {"errors": [{"code": "InvalidInput", "message": message, "details": ""}]}


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str) -> int | None:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return None


def search(fake, seller: str, q: dict) -> tuple[int, dict]:
    with fake.lock:
        fake.search_calls.append(dict(q))
    if unquote(seller) != fake.seller_id:
        return _error(f"Invalid sellerId {unquote(seller)}")
    markets = [m for m in (q.get("marketplaceIds") or "").split(",") if m]
    if not markets:
        return _error("Missing required parameter: marketplaceIds")
    if len(markets) != 1:
        return _error("marketplaceIds: only one marketplace is allowed")
    datasets = set((q.get("includedData") or "summaries").split(","))
    if not datasets <= DATASETS:
        return _error(f"includedData: unknown {sorted(datasets - DATASETS)}")
    try:
        size = int(q.get("pageSize") or 10)
    except ValueError:
        return _error("pageSize must be an integer")
    if not 1 <= size <= MAX_PAGE_SIZE:
        return _error(f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
    start = 0
    if q.get("pageToken"):
        found = _offset(q["pageToken"])
        if found is None:
            return _error("Invalid pageToken")
        start = found
    market = markets[0]
    with fake.lock:
        rows = sorted((sku, data) for (sku, m), data in fake.listings.items() if m == market)
    reachable = rows[:MAX_RESULTS]
    page = reachable[start : start + size]
    items = []
    for sku, data in page:
        item: dict = {"sku": sku}
        if "summaries" in datasets:
            item["summaries"] = [{"marketplaceId": market, "asin": data["asin"],
                                  "productType": data["productType"],
                                  "conditionType": "new_new", "status": ["BUYABLE"],
                                  "itemName": data.get("itemName") or sku,
                                  "createdDate": "2026-01-01T00:00:00Z",
                                  "lastUpdatedDate": "2026-01-01T00:00:00Z"}]  # fmt: skip
        items.append(item)
    pagination: dict = {}
    if start + size < len(reachable):
        pagination["nextToken"] = _token(start + size)
    if start > 0:
        pagination["previousToken"] = _token(max(0, start - size))
    body: dict = {"numberOfResults": len(rows), "items": items}
    if pagination:
        body["pagination"] = pagination
    return 200, body
