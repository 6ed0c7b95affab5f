"""The fake Shopify's fulfilment orders and fulfilments.

An order gets fulfilment orders (FOs) by location: by default one OPEN FO at
``DEFAULT_LOCATION`` with every line; ``split`` assigns lines to FOs of several locations and
states (ON_HOLD with a hold reason, SCHEDULED with a ``fulfillAt``) for tests. The rules of
``fulfillmentCreate`` (sources in ``fakes/shopify.py``'s module doc):

- every FO named must exist and be OPEN or IN_PROGRESS;
- the FOs of one fulfilment share one assigned location;
- a line's quantity is at least 1 and at most what remains on the FO; no line list means
  every remaining line of the FO;
- afterwards an FO with nothing left is CLOSED, one with something left IN_PROGRESS.
"""

from __future__ import annotations

import threading
import uuid

DEFAULT_LOCATION = "gid://shopify/Location/1"
FULFILLABLE = ("OPEN", "IN_PROGRESS")
FO_GID = "gid://shopify/FulfillmentOrder/"
FOLI_GID = "gid://shopify/FulfillmentOrderLineItem/"


def _error(message: str, field: str = "fulfillment") -> dict:
    return {"fulfillment": None, "userErrors": [{"field": [field], "message": message}]}


class FulfillmentOrders:
    def __init__(self, fake):
        self.fake = fake
        self.lock = threading.Lock()
        self.by_order: dict[int, list[dict]] = {}
        self.fulfillments: list[dict] = []
        self._next = 1

    def _new_fo(self, oid: int, location: str, status: str, items: list, **extra) -> dict:
        number = self._next
        self._next += 1
        lines = [
            {
                "id": f"{FOLI_GID}{number * 1000 + n}",
                "line_item_id": f"gid://shopify/LineItem/{li['id']}",
                "sku": li["sku"],
                "remaining": qty,
            }
            for n, (li, qty) in enumerate(items)
        ]
        return {"id": f"{FO_GID}{number}", "order_id": oid, "location": location,
                "status": status, "holds": extra.get("holds", []),
                "fulfill_at": extra.get("fulfill_at"), "lines": lines}  # fmt: skip

    def of(self, oid: int) -> list[dict]:
        """The FOs of an order (made on first sight: one OPEN FO with every line)."""
        with self.lock:
            if oid not in self.by_order:
                order = self.fake.orders[oid]
                items = [(li, li["quantity"]) for li in order["line_items"]]
                self.by_order[oid] = [self._new_fo(oid, DEFAULT_LOCATION, "OPEN", items)]
            return self.by_order[oid]

    def split(self, oid: int, parts: list[tuple[str, str, list[tuple[int, int]]]], **extra):
        """Replace the order's FOs: ``parts`` = [(location, status, [(line index, quantity)])];
        ``extra``: ``holds`` (for ON_HOLD FOs) and ``fulfill_at`` (SCHEDULED)."""
        order = self.fake.orders[oid]
        with self.lock:
            fos = []
            for location, status, picks in parts:
                items = [(order["line_items"][i], qty) for i, qty in picks]
                more = {}
                if status == "ON_HOLD":
                    more["holds"] = extra.get("holds") or [
                        {"reason": "AWAITING_PAYMENT", "reasonNotes": None}]  # fmt: skip
                if status == "SCHEDULED":
                    more["fulfill_at"] = extra.get("fulfill_at") or "2027-01-01T00:00:00Z"
                fos.append(self._new_fo(oid, location, status, items, **more))
            self.by_order[oid] = fos
        return fos

    def set_status(self, fo_id: str, status: str) -> None:
        """Release a hold (``OPEN``) or change an FO's state, as the merchant would."""
        with self.lock:
            for fos in self.by_order.values():
                for fo in fos:
                    if fo["id"] == fo_id:
                        fo["status"] = status
                        if status == "OPEN":
                            fo["holds"] = []

    def graphql(self, order: dict) -> dict:
        oid = order["id"]
        fos = self.of(oid)
        with self.lock:
            nodes = [
                {
                    "id": fo["id"],
                    "status": fo["status"],
                    "fulfillAt": fo["fulfill_at"],
                    "fulfillmentHolds": list(fo["holds"]),
                    "assignedLocation": {"location": {"id": fo["location"]}},
                    "lineItems": {
                        "nodes": [
                            {
                                "id": line["id"],
                                "remainingQuantity": line["remaining"],
                                "lineItem": {"id": line["line_item_id"], "sku": line["sku"]},
                            }
                            for line in fo["lines"]
                        ]
                    },
                }
                for fo in fos
            ]
            made = [
                {
                    "id": f["id"],
                    "status": "SUCCESS",
                    "trackingInfo": [f["trackingInfo"]],
                    "fulfillmentLineItems": {
                        "nodes": [
                            {"quantity": q, "lineItem": {"id": li, "sku": sku}}
                            for li, sku, q in f["lines"]
                        ]
                    },
                }
                for f in self.fulfillments
                if f["order_id"] == oid
            ]
        return {"fulfillmentOrders": {"nodes": nodes}, "fulfillments": made}

    def _find(self, fo_id: str) -> dict | None:
        for fos in self.by_order.values():
            for fo in fos:
                if fo["id"] == fo_id:
                    return fo
        return None

    def create(self, f: dict) -> dict:
        pairs = f.get("lineItemsByFulfillmentOrder") or []
        if not pairs:
            return _error("lineItemsByFulfillmentOrder must name at least one fulfillment order")
        with self.lock:
            plan = []
            for pair in pairs:
                fo = self._find(str(pair.get("fulfillmentOrderId") or ""))
                if fo is None:
                    return _error("Fulfillment order does not exist.")
                if fo["status"] not in FULFILLABLE:
                    return _error(f"Fulfillment order {fo['id']} has an unfulfillable status= "
                                  f"{fo['status'].lower()}.")  # fmt: skip
                wanted = pair.get("fulfillmentOrderLineItems")
                if not wanted:
                    take = [(line, line["remaining"]) for line in fo["lines"] if line["remaining"]]
                else:
                    take = []
                    for item in wanted:
                        line = next((x for x in fo["lines"] if x["id"] == item.get("id")), None)
                        qty = int(item.get("quantity") or 0)
                        if line is None:
                            return _error("Fulfillment order line item does not exist.")
                        if qty < 1 or qty > line["remaining"]:
                            return _error(f"Invalid quantity {qty} for line item {line['id']} "
                                          f"({line['remaining']} remaining).")  # fmt: skip
                        take.append((line, qty))
                if not take:
                    return _error(f"Fulfillment order {fo['id']} has nothing left to fulfill.")
                plan.append((fo, take))
            if len({fo["location"] for fo, _ in plan}) != 1:
                return _error("All fulfillment orders in one fulfillment must be assigned to "
                              "the same location.")  # fmt: skip
            tracking = f.get("trackingInfo") or {}
            record = {
                "id": f"gid://shopify/Fulfillment/{uuid.uuid4().int % 10**12}",
                "order_id": plan[0][0]["order_id"],
                "location": plan[0][0]["location"],
                "trackingInfo": {
                    "company": tracking.get("company"),
                    "number": tracking.get("number"),
                    "url": tracking.get("url"),
                },
                "notifyCustomer": bool(f.get("notifyCustomer")),
                "lines": [],
            }
            for fo, take in plan:
                for line, qty in take:
                    line["remaining"] -= qty
                    record["lines"].append((line["line_item_id"], line["sku"], qty))
                left = any(line["remaining"] for line in fo["lines"])
                fo["status"] = "IN_PROGRESS" if left else "CLOSED"
            self.fulfillments.append(record)
        out = {"id": record["id"], "status": "SUCCESS", "trackingInfo": [record["trackingInfo"]]}
        return {"fulfillment": out, "userErrors": []}

    def update_tracking(self, fid, info: dict) -> dict:
        with self.lock:
            found = next((f for f in self.fulfillments if f["id"] == fid), None)
            if found is not None:
                found["trackingInfo"] = {
                    "company": info.get("company"),
                    "number": info.get("number"),
                    "url": info.get("url"),
                }
                found["updates"] = found.get("updates", 0) + 1
        if found is None:
            return _error("Fulfillment does not exist.", "fulfillmentId")
        out = {"id": fid, "status": "SUCCESS", "trackingInfo": [found["trackingInfo"]]}
        return {"fulfillment": out, "userErrors": []}
