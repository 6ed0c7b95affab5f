"""How request bodies and query strings are read.

- JSON number literals become ``Decimal``, never ``float``, so money stays exact.
- Text with a NUL character is refused: no field holds one, and PostgreSQL cannot store it.
  A body with one is a 400 (like any unreadable body); a query or form field a 422.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja.errors import ValidationError
from ninja.parser import Parser


def has_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body, parse_float=Decimal)
        if has_nul(data):
            raise ValueError("Text in the body may not contain NUL characters")
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        source = "query" if data is request.GET else "form"
        for key, values in data.lists():
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                raise ValidationError(
                    [
                        {
                            "loc": (source, key),
                            "msg": "Text may not contain NUL characters",
                            "type": "nul_character",
                        }
                    ]
                )
        return super().parse_querydict(data, list_fields, request)
