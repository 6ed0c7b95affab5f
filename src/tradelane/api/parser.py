"""How request bodies and query strings are read.

- JSON number literals become ``Decimal``, never ``float``, so money stays exact; ``NaN`` and
  ``Infinity`` (which Python's reader takes, but JSON has not) make the body unreadable.
- Text with a NUL character is refused: no field holds one, and PostgreSQL cannot store it;
  so is text with a lone surrogate (``"\ud800"``), which no database can store as UTF-8. A
  body with either is a 400 (like any unreadable body); a query or form field a 422.
- A file sent as a plain form field (a part without a filename) is read as a file of that
  content, named after the field: the document calls it a string, and so it is one.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from ninja.errors import ValidationError
from ninja.parser import Parser


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def has_nul(value: Any) -> bool:
    """Whether any text in ``value`` (keys included) has a NUL or a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _unstorable(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# In UTF-8 JSON text a NUL or a surrogate can only be written as an escape (the reader refuses
# raw control characters in strings and bytes that are not UTF-8): a body with neither escape
# needs no walk through every string it holds. A surrogate pair matches too (then it walks).
_RISKY_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _may_hold_nul(body: bytes) -> bool:
    if not isinstance(body, bytes) or json.detect_encoding(body) != "utf-8":
        return True
    return _RISKY_ESCAPE.search(body) is not None


class ApiParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        data = json.loads(body, parse_float=Decimal, parse_constant=_not_json)
        if _may_hold_nul(body) and has_nul(data):
            raise ValueError("Text in the body may not contain NUL characters")
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        source = "query" if data is request.GET else "form"
        if data is request.FILES and request.method == "POST":
            data = _with_plain_parts(data, request.POST)
        for key, values in data.lists():
            if _unstorable(key) or any(isinstance(v, str) and _unstorable(v) for v in values):
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


_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _with_plain_parts(files, fields):
    """``request.FILES`` plus, as files, the form fields that no file part of that name has
    (those named like a parameter: other fields are extras that no operation reads)."""
    missing = [key for key in fields if key not in files and _PARAMETER_NAME.fullmatch(key)]
    if not missing:
        return files
    files = files.copy()
    for key in missing:
        files.setlist(
            key, [SimpleUploadedFile(key, value.encode()) for value in fields.getlist(key)]
        )
    return files
