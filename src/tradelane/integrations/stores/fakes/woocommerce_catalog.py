"""The fake WooCommerce's catalog: ``GET /products`` and ``GET /products/<id>/variations``.

    add_product(fake, "Mug", sku="MUG-1", barcode="4006381333931")        # a simple product
    add_product(fake, "Shirt", variations=[{"sku": "SH-R", "option": "Red"}])  # variable

The documented list rules (https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination,
#list-all-products, #list-all-product-variations): ``per_page`` 1 to 100 (otherwise 400
``rest_invalid_param``), ``page`` from 1, ``orderby`` (id, date, title...) and ``order``; the
answer carries ``X-WP-Total`` and ``X-WP-TotalPages``; an unknown parent product is 404
``woocommerce_rest_product_invalid_id``. The barcode is ``global_unique_id`` (WooCommerce 9.2+).
Products added here can also take stock (``POST /products/batch``, ``.../variations/batch``).
"""

from __future__ import annotations

import copy
import math
import re

PREFIX = "/wp-json/wc/v3"
VARIATION_LIST = re.compile(rf"^{PREFIX}/products/(\d+)/variations$")


def _invalid(name: str):
    params = {name: f"{name} must be between 1 (inclusive) and 100 (inclusive)"}
    return 400, {"code": "rest_invalid_param", "message": f"Invalid parameter(s): {name}",
                 "data": {"status": 400, "params": params}}, {}  # fmt: skip


def add_product(fake, name: str, *, sku: str = "", barcode: str = "",
                variations: list[dict] = ()) -> dict:  # fmt: skip
    """A product in the fake's catalog (variable when ``variations`` are given)."""
    with fake.lock:
        catalog = fake.__dict__.setdefault("catalog_products", {})
        pid = 300 + len(catalog)
        kids = []
        for n, v in enumerate(variations):
            vid = pid * 100 + n + 1
            kids.append({"id": vid, "sku": v.get("sku", ""), "global_unique_id":
                         v.get("barcode", ""), "attributes": [{"id": 0, "name": "Option",
                         "option": v.get("option", "")}], "manage_stock": False,
                         "stock_quantity": None})  # fmt: skip
            fake.variations[(pid, vid)] = {"id": vid, "manage_stock": False,
                                           "stock_quantity": None}  # fmt: skip
        product = {"id": pid, "name": name, "type": "variable" if kids else "simple",
                   "status": "publish", "sku": sku, "global_unique_id": barcode,
                   "variations": [k["id"] for k in kids], "_variations": kids}  # fmt: skip
        catalog[pid] = product
        fake.products[pid] = {"id": pid, "manage_stock": False, "stock_quantity": None}
    return product


def _paged(rows: list[dict], q: dict):
    try:
        per_page = int(q.get("per_page") or 10)
    except ValueError:
        return _invalid("per_page")
    try:
        page = int(q.get("page") or 1)
    except ValueError:
        return _invalid("page")
    if not 1 <= per_page <= 100:
        return _invalid("per_page")
    if page < 1:
        return _invalid("page")
    total = len(rows)
    chunk = rows[(page - 1) * per_page : page * per_page]
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(math.ceil(total / per_page))}
    return 200, copy.deepcopy(chunk), headers


def route(fake, path: str, q: dict):
    """The answer to a catalog GET, or None when ``path`` is not one."""
    catalog = fake.__dict__.get("catalog_products", {})
    if path == f"{PREFIX}/products":
        with fake.lock:
            rows = [{k: v for k, v in p.items() if not k.startswith("_")}
                    for _, p in sorted(catalog.items())]  # fmt: skip
        if (q.get("order") or "desc") == "desc":
            rows.reverse()
        return _paged(rows, q)
    if m := VARIATION_LIST.match(path):
        product = catalog.get(int(m.group(1)))
        if product is None:
            return 404, {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.",
                         "data": {"status": 404}}, {}  # fmt: skip
        rows = list(product["_variations"])
        if (q.get("order") or "desc") == "desc":
            rows.reverse()
        return _paged(rows, q)
    return None
