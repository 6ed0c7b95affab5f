"""The fake Shopify's data: generated orders (in a REST-like form), the REST webhook payload and
the full GraphQL ``Order`` node of each, and ``shape``, which answers a GraphQL selection
from such a full node the way Shopify does: only the fields asked for, connections cut to
``first``/``last`` from ``after`` with their ``pageInfo``; and ``bulk_lines``, the JSONL of a
bulk query (a nested connection's items on their own lines with ``__parentId``:
https://shopify.dev/docs/api/usage/bulk-operations/queries#the-jsonl-data-format).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql.language import FieldNode, InlineFragmentNode, SelectionSetNode, VariableNode
from graphql.utilities import value_from_ast_untyped


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: str, currency: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def make_order(i: int, *, base: datetime | None = None, currency: str = "USD", lines: int = 1):
    """One order in the fake's own (REST-like) form; ``rest_payload``/``graphql_node`` map it."""
    base = base or datetime(2026, 1, 1, tzinfo=UTC)
    created = base + timedelta(seconds=i)
    qty = 1 + i % 3
    price = f"{10 + i % 40}.50"
    items = [
        {
            "id": 9_000_000 + i if n == 0 else 9_000_000 + i * 1000 + n,
            "sku": f"FK-SKU-{(i + n) % 50:03d}",
            "title": f"Fake product {(i + n) % 50}",
            "quantity": qty,
            "price": price,
        }
        for n in range(lines)
    ]
    subtotal = f"{(10 + i % 40 + 0.5) * qty * lines:.2f}"
    return {
        "id": 5_000_000 + i,
        "name": f"#{1000 + i}",
        "email": f"buyer{i}@example.com",
        "phone": "",
        "created_at": iso(created),
        "updated_at": iso(created),
        "cancelled_at": None,
        "financial_status": "paid",
        "currency": currency,
        "subtotal_price": subtotal,
        "total_tax": "0.00",
        "total_discounts": "0.00",
        "shipping": "5.00",
        "total_price": f"{float(subtotal) + 5:.2f}",
        "note": "",
        "customer": {"first_name": "Buyer", "last_name": str(i), "email": f"buyer{i}@example.com"},
        "shipping_address": {
            "first_name": "Buyer",
            "last_name": str(i),
            "name": f"Buyer {i}",
            "address1": f"{i} Main Street",
            "address2": "",
            "city": "Springfield",
            "province_code": "IL",
            "zip": "62701",
            "country_code": "US",
            "phone": "+12175550100",
            "company": "",
        },
        "line_items": items,
    }


def rest_payload(order: dict) -> dict:
    """The REST-shaped webhook payload of an order (orders/create, orders/updated, ...)."""
    out = {k: v for k, v in order.items() if k != "shipping"}
    out["admin_graphql_api_id"] = f"gid://shopify/Order/{order['id']}"
    out["total_shipping_price_set"] = {
        "shop_money": {"amount": order["shipping"], "currency_code": order["currency"]}
    }
    return out


def graphql_node(order: dict) -> dict:
    """The full GraphQL ``Order`` node (every field the fake knows); ``shape`` cuts it down."""
    cur = order["currency"]
    addr = order.get("shipping_address") or {}
    cust = order.get("customer") or {}
    return {
        "id": f"gid://shopify/Order/{order['id']}",
        "legacyResourceId": str(order["id"]),
        "name": order["name"],
        "createdAt": order["created_at"],
        "updatedAt": order["updated_at"],
        "cancelledAt": order["cancelled_at"],
        "note": order.get("note") or None,
        "displayFinancialStatus": order["financial_status"].upper(),
        "currencyCode": cur,
        "email": order.get("email"),
        "phone": order.get("phone") or None,
        "customer": {
            "firstName": cust.get("first_name"),
            "lastName": cust.get("last_name"),
            "defaultEmailAddress": {"emailAddress": cust.get("email")}
            if cust.get("email")
            else None,
            "defaultPhoneNumber": {"phoneNumber": cust.get("phone")} if cust.get("phone") else None,
        }
        if cust
        else None,
        "shippingAddress": {
            "name": addr.get("name"),
            "firstName": addr.get("first_name"),
            "lastName": addr.get("last_name"),
            "company": addr.get("company") or None,
            "address1": addr.get("address1"),
            "address2": addr.get("address2") or None,
            "city": addr.get("city"),
            "province": None,
            "provinceCode": addr.get("province_code"),
            "zip": addr.get("zip"),
            "countryCodeV2": addr.get("country_code"),
            "phone": addr.get("phone"),
        }
        if addr
        else None,
        "subtotalPriceSet": _money(order["subtotal_price"], cur),
        "totalShippingPriceSet": _money(order["shipping"], cur),
        "totalTaxSet": _money(order["total_tax"], cur),
        "totalDiscountsSet": _money(order["total_discounts"], cur),
        "totalPriceSet": _money(order["total_price"], cur),
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{li['id']}",
                    "sku": li["sku"],
                    "title": li["title"],
                    "quantity": li["quantity"],
                    "originalUnitPriceSet": _money(li["price"], cur),
                }
                for li in order["line_items"]
            ]
        },
    }


# --- answering a selection ----------------------------------------------------------------


def encode_cursor(index: int) -> str:
    return base64.b64encode(f"idx:{index}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The index after which a page starts (-1: from the start)."""
    if not cursor:
        return -1
    try:
        return int(base64.b64decode(cursor).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


def argument(field: FieldNode, name: str, variables: dict) -> Any:
    for arg in field.arguments or ():
        if arg.name.value == name:
            if isinstance(arg.value, VariableNode):
                return variables.get(arg.value.name.value)
            return value_from_ast_untyped(arg.value, variables)
    return None


def _fields(selection_set: SelectionSetNode | None):
    for sel in (selection_set.selections if selection_set else ()) or ():
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from _fields(sel.selection_set)


def shape(selection_set: SelectionSetNode | None, value: Any, variables: dict) -> Any:
    """``value`` (a full node, a list, a scalar) answered for ``selection_set``."""
    if selection_set is None or value is None:
        return value
    if isinstance(value, list):
        return [shape(selection_set, v, variables) for v in value]
    out: dict = {}
    for field in _fields(selection_set):
        key = field.alias.value if field.alias else field.name.value
        name = field.name.value
        if name == "__typename":
            out[key] = value.get("__typename", "")
            continue
        item = value.get(name)
        if isinstance(item, dict) and "nodes" in item and field.selection_set is not None:
            out[key] = _connection(field, item["nodes"], variables)
        elif isinstance(item, list) and field.selection_set is not None:
            first = argument(field, "first", variables)
            out[key] = shape(field.selection_set, item[: first or None], variables)
        else:
            out[key] = shape(field.selection_set, item, variables)
    return out


def _connection(field: FieldNode, nodes: list, variables: dict) -> dict:
    first = argument(field, "first", variables)
    last = argument(field, "last", variables)
    start = decode_cursor(argument(field, "after", variables)) + 1
    rest = nodes[start:]
    if first is not None:
        page = rest[: int(first)]
    elif last is not None:
        page = rest[-int(last) :] if int(last) else []
    else:  # only a bulk query reads a connection without a size
        page = rest
    offset = start + (len(rest) - len(page) if first is None and last is not None else 0)
    out: dict = {}
    for part in _fields(field.selection_set):
        key = part.alias.value if part.alias else part.name.value
        if part.name.value == "nodes":
            out[key] = shape(part.selection_set, page, variables)
        elif part.name.value == "edges":
            edges = []
            for n, node in enumerate(page):
                edge = {"cursor": encode_cursor(offset + n), "node": node}
                edges.append(shape(part.selection_set, edge, variables))
            out[key] = edges
        elif part.name.value == "pageInfo":
            info = {
                "hasNextPage": offset + len(page) < len(nodes),
                "hasPreviousPage": offset > 0,
                "startCursor": encode_cursor(offset) if page else None,
                "endCursor": encode_cursor(offset + len(page) - 1) if page else None,
            }
            out[key] = shape(part.selection_set, info, variables)
    return out


def _node_selection(field: FieldNode) -> SelectionSetNode | None:
    """The item selection of a connection field (``nodes`` or ``edges { node }``)."""
    for part in _fields(field.selection_set):
        if part.name.value == "nodes":
            return part.selection_set
        if part.name.value == "edges":
            for inner in _fields(part.selection_set):
                if inner.name.value == "node":
                    return inner.selection_set
    return None


def bulk_lines(item_selection: SelectionSetNode, nodes, out: list, parent: str | None = None):
    """Append the JSONL objects of ``nodes`` (full nodes) to ``out``: each node's scalars and
    objects on one line, then, on lines of their own with ``__parentId``, the items of its nested
    connections (each one after its parent)."""
    for node in nodes:
        line: dict = {}
        children = []
        for field in _fields(item_selection):
            key = field.alias.value if field.alias else field.name.value
            item = node.get(field.name.value)
            if isinstance(item, dict) and "nodes" in item:
                children.append((_node_selection(field), item["nodes"]))
            else:
                line[key] = shape(field.selection_set, item, {})
        if parent is not None:
            line["__parentId"] = parent
        out.append(line)
        for selection, items in children:
            if selection is not None:
                bulk_lines(selection, items, out, node.get("id"))
