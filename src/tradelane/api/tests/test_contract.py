"""The OpenAPI document says what the API does: bounds, names, operation ids, responses, types.

schemathesis checks the running API against it (``tests/test_api_fuzz.py``); these tests hold
the document itself to the rules that make such a check meaningful.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from ninja import Router, Schema
from pydantic import BaseModel

from tradelane.api.openapi import ContractApi, SchemaNameClash
from tradelane.api.root import api
from tradelane.api.types import BodySchema, IdConverter
from tradelane.orders.schemas import LineOut as OrderLineOut

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return json.loads(json.dumps(api.get_openapi_schema()))  # as served: string keys


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def _resolve(node: Any, components: dict[str, Any]) -> Any:
    """``node`` with every ``$ref`` replaced by its definition (recursively, once per name)."""

    def walk(value, seen):
        if isinstance(value, dict):
            if "$ref" in value:
                name = value["$ref"].rsplit("/", 1)[-1]
                if name in seen:
                    return {}
                return walk(components[name], seen | {name})
            return {k: walk(v, seen) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, seen) for v in value]
        return value

    return walk(node, frozenset())


def _request_schemas(doc):
    """(where, resolved schema) of every parameter and request body of every operation."""
    components = doc["components"]["schemas"]
    for path, method, op in _operations(doc):
        for param in op.get("parameters", []):
            yield (
                f"{method.upper()} {path} {param['in']} {param['name']}",
                _resolve(param["schema"], components),
            )
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            yield f"{method.upper()} {path} body {media}", _resolve(content["schema"], components)


def _numbers(schema: Any, where: str):
    """(where, node) of every number/integer schema and every decimal string in ``schema``."""
    if isinstance(schema, dict):
        kind = schema.get("type")
        branches = schema.get("anyOf") or schema.get("oneOf") or []
        if kind in ("number", "integer"):
            yield where, schema
        if any(b.get("type") == "number" for b in branches) and any(
            b.get("type") == "string" for b in branches
        ):  # a decimal: a number or its digits as a string
            for b in branches:
                if b.get("type") == "string":
                    yield where + " (as text)", b
        for key, value in schema.items():
            if key == "properties":
                for name, prop in value.items():
                    yield from _numbers(prop, f"{where}.{name}")
            elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
                yield from _numbers(value, where)
    elif isinstance(schema, list):
        for item in schema:
            yield from _numbers(item, where)


# --- numbers: item 4 ------------------------------------------------------------------------


def test_every_number_in_every_request_has_a_minimum_and_a_maximum(doc):
    """No request field, parameter or body, takes an unbounded number: an integer that would
    overflow its column, a decimal with more digits than it holds (the 1e30 that made every
    read of a shipping rule fail). A decimal given as text has a pattern of bounded digits."""
    unbounded, seen = [], 0
    for where, schema in _request_schemas(doc):
        for field, node in _numbers(schema, where):
            seen += 1
            if node.get("type") == "string":
                if not re.search(r"\{\d+,\d+\}", node.get("pattern", "")):
                    unbounded.append(f"{field}: no bounded pattern")
                continue
            if not ({"minimum", "exclusiveMinimum"} & set(node)):
                unbounded.append(f"{field}: no minimum")
            if not ({"maximum", "exclusiveMaximum"} & set(node)):
                unbounded.append(f"{field}: no maximum")
    assert seen > 250  # the walk reaches the fields (ids, quantities, money, kg, cm...)
    assert unbounded == []


def test_decimal_bounds_match_their_columns(doc):
    comps = doc["components"]["schemas"]
    cost = comps["SkuIn"]["properties"]["cost_amount"]["anyOf"]
    number = next(b for b in cost if b.get("type") == "number")
    text = next(b for b in cost if b.get("type") == "string")
    # DecimalField(max_digits=18, decimal_places=4), as a JSON number keeps it: 15 digits
    assert (number["minimum"], number["maximum"], number["multipleOf"]) == (
        0,
        99999999999.9999,
        0.0001,
    )
    assert text["pattern"] == r"^(?:0|[1-9][0-9]{0,10})(?:\.[0-9]{1,4})?$"
    weight = comps["SkuIn"]["properties"]["weight_kg"]["anyOf"][0]["anyOf"][0]
    assert weight["maximum"] == 999999.9999  # x 1000 still fits the gram column (2**31 - 1)


def test_path_ids_are_bounded_like_their_converter(doc):
    params = doc["paths"]["/api/v1/orders/{order_id}"]["get"]["parameters"]
    (order_id,) = [p for p in params if p["name"] == "order_id"]
    assert order_id["schema"] == {
        "title": "Order Id",
        "type": "integer",
        "minimum": 1,
        "maximum": IdConverter.maximum,
    }
    assert re.fullmatch(IdConverter.regex, str(IdConverter.maximum))
    assert not re.fullmatch(IdConverter.regex, str(IdConverter.maximum + 1))


# --- names and operation ids: item 13 -------------------------------------------------------


def test_every_operation_has_an_explicit_unique_operation_id(doc):
    explicit = [
        op.operation_id
        for router in api._get_bound_routers()
        for view in router.path_operations.values()
        for op in view.operations
    ]
    assert None not in explicit
    assert len(explicit) == len(set(explicit)) == 131
    ids = [op["operationId"] for _, _, op in _operations(doc)]
    assert sorted(ids) == sorted(explicit)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    by_route = {(m, p): op["operationId"] for p, m, op in _operations(doc)}
    assert by_route[("get", "/api/v1/orders")] == "orders_list"
    assert by_route[("get", "/api/v1/shipping-rules")] == "shipping_rules_list"
    assert by_route[("delete", "/api/v1/customs-thresholds/{pk}")] == "customs_thresholds_delete"


def _probe(name: str, routes) -> dict[str, Any]:
    """The document of a small API of ``routes`` ((path, operation_id, response), ...)."""
    probe = ContractApi(urls_namespace=f"probe-{name}")
    router = Router()
    for path, op_id, response in routes:
        router.get(path, operation_id=op_id, response=response)(lambda request: {})
    probe.add_router("", router)
    return probe.get_openapi_schema(path_prefix="/")


def test_an_operation_without_an_explicit_id_or_with_a_used_one_is_refused():
    def build(*ids):
        return _probe("-".join(map(str, ids)), [(f"/p{n}", i, None) for n, i in enumerate(ids)])

    assert set(build("one", "two")["paths"]) == {"/p0", "/p1"}
    with pytest.raises(ImproperlyConfigured, match="no operation_id"):
        build(None)
    with pytest.raises(ImproperlyConfigured, match="used twice"):
        build("same", "same")


def _reachable_models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _reachable_models(tp, seen)
            stack.extend(getattr(tp, "__args__", ()))


def _operation_models():
    for router in api._get_bound_routers():
        for view in router.path_operations.values():
            for op in view.operations:
                for param_model in op.models:
                    yield op, param_model.__ninja_param_source__, param_model
                for model in op.response_models.values():
                    if isinstance(model, type) and issubclass(model, BaseModel):
                        yield op, "response", model


def test_no_two_schemas_share_a_name(doc):
    """Two models with one name collapse into one definition in the document: CancelIn,
    EventOut, ImportIn, LineOut, MappingIn and RuleIn each named two different models, so
    orders, transitions and cancellations were described with another model's fields."""
    by_name: dict[str, set[str]] = {}
    models: set = set()
    for _, _, model in _operation_models():
        _reachable_models(model, models)
    for model in models:
        if model.__module__.startswith("tradelane."):
            by_name.setdefault(model.__name__, set()).add(
                f"{model.__module__}.{model.__qualname__}"
            )
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert shared == {}
    comps = doc["components"]["schemas"]
    assert set(comps["CancelIn"]["properties"]) == {"reason"}
    assert comps["CancelIn"]["required"] == ["reason"]  # the order's cancel needs a reason
    assert "ShipmentCancelIn" in comps and "TrackingEventOut" in comps
    assert {"from_state", "to_state"} <= set(comps["EventOut"]["properties"])
    assert "line_no" in comps["LineOut"]["properties"]
    assert "orders" in comps["ImportIn"]["properties"]
    assert "store_sku" in comps["MappingIn"]["properties"]
    assert "country" in comps["ZoneRuleIn"]["properties"]
    assert "strategy" in comps["ShippingRuleIn"]["properties"]


class LineOut(Schema):  # a model named like the order's line, with other fields
    something: str


class _OrderLines(Schema):
    lines: list[OrderLineOut]


def test_two_models_with_one_name_cannot_both_be_documented():
    assert _probe("one-line", [("/b", "b", {200: _OrderLines})])["paths"]
    with pytest.raises(SchemaNameClash, match="'LineOut'"):
        _probe("clash", [("/a", "a", {200: list[LineOut]}), ("/b", "b", {200: _OrderLines})])


def test_every_json_body_is_strictly_typed():
    loose = set()
    for _, source, model in _operation_models():
        if source != "body":
            continue
        reached: set = set()
        for field in model.model_fields.values():
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                _reachable_models(field.annotation, reached)
        loose |= {m.__name__ for m in reached if not issubclass(m, BodySchema)}
    assert loose == set()


# --- responses: item 13 ---------------------------------------------------------------------


def test_errors_are_documented_where_they_can_occur(doc):
    for path, method, op in _operations(doc):
        codes = set(op["responses"])
        where = f"{method.upper()} {path}"
        assert {"400", "404", "409", "422"} <= codes, where
        assert ("413" in codes) == ("requestBody" in op), where
        if op.get("security"):
            assert {"401", "403"} <= codes, where
        else:  # the public tracking lookup needs no login
            assert not {"401", "403"} & codes, where
        for code, response in op["responses"].items():
            if code >= "400":
                schema = response["content"]["application/json"]["schema"]
                schema = _resolve(schema, doc["components"]["schemas"])
                assert schema["required"] == ["code", "message"], where


def test_files_are_documented_with_their_media_types(doc):
    def media(path, method="get"):
        return set(doc["paths"][path][method]["responses"]["200"]["content"])

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert media("/api/v1/shipments/{shipment_id}/label") == {"application/pdf", "text/plain"}
    assert media("/api/v1/shipments/labels", "post") == {"application/pdf", "text/plain"}
    assert media("/api/v1/shipments/{shipment_id}/customs-document") == {"application/pdf"}
    assert media("/api/v1/manifests/{manifest_id}.pdf") == {"application/pdf"}
    assert media("/api/v1/manifests/{manifest_id}.csv") == {"text/csv"}
    assert media("/api/v1/spreadsheets/export/{entity}") == {"text/csv", xlsx}
    assert media("/api/v1/channels/{code}/rate-sheets/{sheet_id}/download") == {xlsx}
    for path, method, op in _operations(doc):
        ok = op["responses"].get("200") or op["responses"].get("201") or {}
        if "content" not in ok and "204" not in op["responses"] and "202" not in op["responses"]:
            pytest.fail(f"{method.upper()} {path}: its answer has no media type")


def test_form_fields_are_never_null_and_files_never_empty(doc):
    form = doc["paths"]["/api/v1/channels/{code}/rate-sheets/upload"]["post"]["requestBody"]
    props = form["content"]["multipart/form-data"]["schema"]["properties"]
    assert props["effective_date"] == {"title": "Effective Date", "type": "string",
                                       "format": "date"}  # fmt: skip
    assert props["file"]["minLength"] == 1
