"""The audit trail: services call ``record`` for each write they make."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from .bulk import insert_rows
from .models import AuditLog
from .statements import insert


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    *,
    entity: str = "",
    object_id: str = "",
) -> AuditLog:
    return insert(AuditLog(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        entity=entity or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        changes=_jsonable(changes or {}),
    ))  # fmt: skip


def record_many(
    actor, action: str, entity: str, object_ids: Iterable[Any], changes: dict | None = None
) -> None:
    """One row per object, set-based (``bulk.insert_rows``: no model object per row)."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    data, now = _jsonable(changes or {}), timezone.now()
    insert_rows(
        AuditLog,
        ("actor_id", "action", "entity", "object_id", "changes", "created_at"),
        ((actor_id, action, entity, str(pk), data, now) for pk in object_ids),
    )


def diff(obj: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that really change."""
    out = {}
    for name, value in new_values.items():
        old = getattr(obj, name)
        if old != value:
            out[name] = [old, value]
    return out
