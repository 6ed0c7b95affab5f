"""The per-row report of an order import, and the shape of one error in it.

Each order read is reported ``created``, ``updated``, ``unchanged`` or ``rejected`` with its
errors (``{"field", "code", "message"}``). The counts are always exact; the report keeps every
rejected or locked row but only the first ``max_rows`` of the others, so its memory does not
grow with the size of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 1000  # created/updated/unchanged rows kept in the report (rejected: all)
CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"


@dataclass
class ImportReport:
    """Exact counts, and the rows: every rejected or locked one, the first ``max_rows`` others."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: list[dict] = field(default_factory=list)
    rows_omitted: int = 0  # rows counted but not kept in ``rows``
    review: dict[str, int] = field(default_factory=dict)  # summed review_orders counts
    max_rows: int = MAX_ROWS
    _kept_plain: int = field(default=0, repr=False)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def add(self, entry: dict) -> None:
        result = entry["result"]
        setattr(self, result, getattr(self, result) + 1)
        if result == REJECTED or entry["errors"]:
            self.rows.append(entry)
        elif self._kept_plain < self.max_rows:
            self._kept_plain += 1
            self.rows.append(entry)
        else:
            self.rows_omitted += 1

    def add_written(
        self, n: int, norm: dict, result: str, errors: list, order_id: int | None
    ) -> None:
        """``add`` the entry of a row the writer handled; built only when the report keeps it."""
        if errors or self._kept_plain < self.max_rows:
            self.add(_entry(n, norm, result, errors, order_id))
        else:
            setattr(self, result, getattr(self, result) + 1)
            self.rows_omitted += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "total": self.total,
            "review": dict(self.review),
            "rows": self.rows,
            "rows_omitted": self.rows_omitted,
        }


def _err(field_name: str, code: str, message: str) -> dict:
    return {"field": field_name, "code": code, "message": message}


class _Bad:
    """An input item that could not even be read (bad JSON line, not an object)."""

    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message


def _entry(n: int, norm: dict, result: str, errors: list, order_id: int) -> dict:
    return {
        "row": n,
        "external_id": norm["external_id"],
        "store": norm["store_code"],
        "result": result,
        "errors": errors,
        "order_id": order_id,
    }


def _rejected(n: int, raw: Any, errors: list) -> dict:
    get = raw.get if isinstance(raw, dict) else (lambda _key: None)
    return {
        "row": n,
        "external_id": str(get("external_id") or "")[:200],
        "store": str(get("store") or "")[:200],
        "result": REJECTED,
        "errors": errors,
    }
