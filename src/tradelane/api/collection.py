"""A Postman v2.1 collection made from the OpenAPI document: every operation of one tag, with
its path and query parameters, its example body and the Bearer key as collection variables.

Postman, Bruno and Insomnia import it. It holds no secret: ``apiKey`` is an empty variable the
user fills in, ``baseUrl`` the server the collection was downloaded from.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ninja import NinjaAPI

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "patch", "delete")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def _resolve(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        return components.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    schema = _resolve(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    return {}


def _request(path: str, method: str, op: dict, components: dict[str, Any]) -> dict[str, Any]:
    segments = [_PARAM.sub(r":\1", s) for s in path.strip("/").split("/")]
    query, variables = [], []
    for param in op.get("parameters", []):
        if param["in"] == "query":
            query.append({"key": param["name"], "value": "", "disabled": True,
                          "description": param.get("description", "")})  # fmt: skip
        elif param["in"] == "path":
            variables.append({"key": param["name"], "value": ""})
    url: dict[str, Any] = {
        "raw": "{{baseUrl}}/" + "/".join(segments),
        "host": ["{{baseUrl}}"],
        "path": segments,
    }
    if query:
        url["query"] = query
    if variables:
        url["variable"] = variables
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": [{"key": "Accept", "value": "application/json"}],
        "url": url,
        "description": op.get("description", ""),
    }
    if not op.get("security"):
        request["auth"] = {"type": "noauth"}
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = _example(content["application/json"].get("schema", {}), components)
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(body, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    if method == "post":
        request["header"].append({
            "key": "Idempotency-Key", "value": "{{$guid}}",
            "description": "the same key repeats the first answer",
        })  # fmt: skip
    return request


def postman_collection(api: NinjaAPI, *, tag: str, base_url: str, name: str) -> dict[str, Any]:
    """The operations of ``api`` tagged ``tag`` as a Postman v2.1 collection, in document
    order; each item is named by its summary and carries its ``operationId``."""
    doc = json.loads(json.dumps(api.get_openapi_schema()))
    components = doc.get("components", {}).get("schemas", {})
    items = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method not in METHODS or tag not in op.get("tags", ()):
                continue
            items.append({
                "name": op.get("summary") or op["operationId"],
                "id": op["operationId"],
                "request": _request(path, method, op, components),
            })  # fmt: skip
    return {
        "info": {
            "name": name,
            "description": f"{doc['info']['title']} {doc['info']['version']}: the '{tag}' "
            "operations. Set apiKey (your API key) and baseUrl.",
            "schema": SCHEMA_URL,
        },  # fmt: skip
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{apiKey}}", "type": "string"}],
        },  # fmt: skip
        "variable": [
            {"key": "baseUrl", "value": base_url, "type": "string"},
            {"key": "apiKey", "value": "", "type": "string"},
        ],
        "item": items,
    }
