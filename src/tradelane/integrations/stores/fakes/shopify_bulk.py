"""The fake Shopify's bulk query operations
(https://shopify.dev/docs/api/usage/bulk-operations/queries).

``bulkOperationRunQuery(query:)`` checks the query (it parses; one top-level connection field,
``orders``; at most ``MAX_RUNNING`` operations not finished, the limit of 2026-01 and later),
snapshots the matching orders and answers CREATED at once; a thread writes the JSONL
(``shopify_data.bulk_lines``: each order's line, then its line items with ``__parentId``), as
Shopify runs the query asynchronously. Each ``bulkOperation(id:)`` poll moves it on (CREATED ->
RUNNING -> COMPLETED once the file is written and ``polls_to_complete`` polls were made); a
completed operation has a ``url`` that serves the JSONL without a token.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

from graphql.language import FieldNode, OperationDefinitionNode

from ..shopify import cost as query_cost
from .shopify_data import _node_selection, argument, bulk_lines, graphql_node, iso

MAX_RUNNING = 5
GID = "gid://shopify/BulkOperation/"


def _user_error(message: str, code: str = "INVALID") -> dict:
    return {"bulkOperation": None,
            "userErrors": [{"field": ["query"], "message": message, "code": code}]}  # fmt: skip


class BulkOperations:
    def __init__(self, fake):
        self.fake = fake
        self.lock = threading.Lock()
        self.ops: dict[int, dict] = {}
        self.polls_to_complete = 2
        self.fail_next_with: str | None = None  # e.g. "INTERNAL_SERVER_ERROR": the next op fails

    def run(self, query: str) -> dict:
        try:
            doc = query_cost.parse_document(query)
            op = query_cost.operation_of(doc)
        except query_cost.CostError as exc:
            return _user_error(f"Invalid bulk query: {exc}")
        if not isinstance(op, OperationDefinitionNode) or op.operation.value != "query":
            return _user_error("Bulk queries must be a query operation")
        roots = [f for f in op.selection_set.selections if isinstance(f, FieldNode)]
        if len(roots) != 1 or roots[0].name.value != "orders":
            return _user_error("Bulk queries must have exactly one top-level connection field "
                               "(this fake knows `orders`)")  # fmt: skip
        root = roots[0]
        selection = _node_selection(root)
        if selection is None:
            return _user_error("The top-level connection must select edges { node } or nodes")
        with self.lock:
            running = [o for o in self.ops.values() if o["status"] in ("CREATED", "RUNNING")]
            if len(running) >= MAX_RUNNING:
                return _user_error(
                    "A bulk query operation for this app and shop is already in progress: "
                    f"at most {MAX_RUNNING} at a time.", "OPERATION_IN_PROGRESS")  # fmt: skip
            number = len(self.ops) + 1
            failure, self.fail_next_with = self.fail_next_with, None
        orders = self.fake.listed_orders(argument(root, "query", {}))
        orders.sort(key=lambda o: o["id"])
        nodes = [graphql_node(o) for o in orders]  # the snapshot, taken now
        record = {
            "id": f"{GID}{number}",
            "status": "CREATED",
            "polls": 0,
            "createdAt": iso(datetime.now(UTC)),
            "completedAt": None,
            "errorCode": failure,
            "objectCount": "0",
            "rootObjectCount": str(len(orders)),
            "fileSize": None,
            "query": query,
            "type": "QUERY",
            "body": None,
        }
        with self.lock:
            self.ops[number] = record

        def write() -> None:
            lines: list = []
            bulk_lines(selection, nodes, lines)
            body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
            data = body.encode()
            with self.lock:
                record.update(body=data, objectCount=str(len(lines)),
                              fileSize=str(len(data)) if lines else None)  # fmt: skip

        threading.Thread(target=write, daemon=True).start()
        return {"bulkOperation": self._public(record), "userErrors": []}

    def _public(self, record: dict) -> dict:
        out = {k: v for k, v in record.items() if k not in ("body", "polls")}
        done = record["status"] == "COMPLETED"
        has_data = done and record["rootObjectCount"] != "0"
        out["url"] = f"{self.fake.base_url}/bulk/{record['id'].rsplit('/', 1)[-1]}.jsonl" if (
            has_data) else None  # fmt: skip
        out["partialDataUrl"] = None
        return out

    def status(self, gid) -> dict | None:
        try:
            number = int(str(gid).rsplit("/", 1)[-1])
        except ValueError:
            return None
        with self.lock:
            record = self.ops.get(number)
            if record is None:
                return None
            if record["status"] in ("CREATED", "RUNNING"):
                record["polls"] += 1
                if record["polls"] >= self.polls_to_complete and record["body"] is not None:
                    record["status"] = "FAILED" if record["errorCode"] else "COMPLETED"
                    record["completedAt"] = iso(datetime.now(UTC))
                else:
                    record["status"] = "RUNNING"
            return self._public(record)

    def current(self) -> dict | None:
        with self.lock:
            if not self.ops:
                return None
            number = max(self.ops)
        return self.status(f"{GID}{number}")

    def download(self, path: str):
        name = path.rsplit("/", 1)[-1].removesuffix(".jsonl")
        with self.lock:
            record = self.ops.get(int(name)) if name.isdigit() else None
        if record is None or record["status"] != "COMPLETED":
            return 404, {"errors": "Not Found"}, {}
        return 200, record["body"], {"Content-Type": "application/jsonl"}
