"""The first import of a store's whole history as one bulk query operation
(https://shopify.dev/docs/api/usage/bulk-operations/queries): no page sizes, no cost limit, no
throttle waits between pages.

1. ``bulkOperationRunQuery`` with ``queries.BULK_ORDER_QUERY``;
2. ``bulkOperation(id:)`` polled every ``bulk_poll_seconds`` until COMPLETED (FAILED,
   CANCELED, EXPIRED raise; still running after ``bulk_max_wait`` raises ``Unavailable``, and
   the next sync starts again);
3. the JSONL at ``url`` streamed line by line: an order's line, then its line items, each with
   ``__parentId`` = the order's id (a child follows its parent: the documented layout of the
   file); orders are handed on in groups of ``GROUP``.

The cursor is written only with the last group (earlier groups carry the empty cursor, so a
failure half way starts the import again; orders are matched by id, nothing is doubled), and
it is the earlier of the newest ``updatedAt`` read and the moment the operation was created,
so an order changed while the operation ran is read again by the next sync.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from ..contract import OrderPage, PlatformError, Unavailable
from . import mapping, queries
from .client import user_errors

GROUP = 1000
FAILED = {"FAILED", "CANCELED", "CANCELING", "EXPIRED"}


def bulk_query(search: str | None = None) -> str:
    query = queries.BULK_ORDER_QUERY
    if not search:
        return query.replace('orders(query: "__SEARCH__")', "orders")
    return query.replace("__SEARCH__", search.replace("\\", "\\\\").replace('"', '\\"'))


def start(connector) -> str:
    data = connector.client.execute(queries.BULK_RUN, {"query": bulk_query()})
    payload = data.get("bulkOperationRunQuery")
    user_errors(payload)
    return payload["bulkOperation"]["id"]


def wait(connector, op_id: str) -> dict:
    waited = 0.0
    while True:
        op = connector.client.execute(queries.BULK_STATUS, {"id": op_id}).get("bulkOperation")
        if not op:
            raise PlatformError(f"Shopify has no bulk operation {op_id}")
        status = op.get("status")
        if status == "COMPLETED":
            return op
        if status in FAILED:
            raise PlatformError(
                f"Shopify's bulk operation {op_id} ended {status} ({op.get('errorCode')})"
            )
        if waited >= connector.bulk_max_wait:
            raise Unavailable(f"Shopify's bulk operation {op_id} is still {status}")
        sleep = connector._kwargs.get("sleep") or time.sleep
        sleep(connector.bulk_poll_seconds)
        waited += connector.bulk_poll_seconds


def _orders(lines: Iterator[str]) -> Iterator[dict]:
    """Order nodes (with ``lineItems.nodes``) from the JSONL lines."""
    current: dict | None = None
    for text in lines:
        if not text.strip():
            continue
        row = json.loads(text)
        parent = row.pop("__parentId", None)
        if parent is None:
            if current is not None:
                yield current
            current = row
            current["lineItems"] = {"nodes": []}
        elif current is not None and parent == current.get("id"):
            current["lineItems"]["nodes"].append(row)
        else:
            raise PlatformError("Shopify's bulk result has a line item away from its order")
    if current is not None:
        yield current


def fetch_all(connector) -> Iterator[OrderPage]:
    op_id = start(connector)
    op = wait(connector, op_id)
    started = mapping.cursor_of(op["createdAt"]) if op.get("createdAt") else ""
    url = op.get("url")
    if not url:  # no orders at all
        yield OrderPage(orders=[], cursor="", done=True)
        return
    newest = ""
    group: list[dict] = []
    for node in _orders(connector.client.download(url)):
        group.append(mapping.from_graphql(node))
        if node.get("updatedAt"):
            newest = max(newest, mapping.cursor_of(node["updatedAt"]))
        if len(group) >= GROUP:
            yield OrderPage(orders=group, cursor="", done=False)
            group = []
    cursor = min(newest, started) if started and newest else newest
    yield OrderPage(orders=group, cursor=cursor, done=True)
