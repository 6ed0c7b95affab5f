"""Limit/offset paging with the total count, shared by every list endpoint.

A list endpoint takes a filter schema that inherits :class:`PageParams` (``limit`` 1..500,
default 50; ``offset`` 0 to 2**31 - 1) and returns ``paginate(queryset, params)``, whose
shape is the schema made by :func:`page_of`:
``{"items": [...], "count": total, "limit": n, "offset": n}``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

from .types import Int

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1


Limit = Int(1, MAX_LIMIT)
Offset = Int(0, MAX_OFFSET)


class PageParams(Schema):
    limit: Limit = Field(DEFAULT_LIMIT, description="rows per page")
    offset: Offset = Field(0, description="rows to skip")


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The page schema for ``item`` (named ``<Item>Page`` in the OpenAPI document)."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        items=(list[item], ...),
        count=(int, Field(..., description="rows matching the filters, over all pages")),
        limit=(int, ...),
        offset=(int, ...),
    )


def paginate(qs: QuerySet | list, params: PageParams, *, transform=None) -> dict[str, Any]:
    """One COUNT and one page query; ``transform`` maps the page's rows (e.g. to dicts)."""
    limit, offset = params.limit, params.offset
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    rows = list(qs[offset : offset + limit]) if offset < count else []
    if transform is not None:
        rows = transform(rows)
    return {"items": rows, "count": count, "limit": limit, "offset": offset}
