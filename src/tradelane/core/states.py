"""One transition helper: check the table, move the state, write the event, in one transaction.

A transition table is a dict ``{from_state: {to_state, ...}}``. The update is conditional on
the state the caller saw, so two people moving one record at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models, transaction
from django.utils import timezone

from .bulk import insert_rows, update_in
from .errors import InvalidTransition
from .models import StateEvent
from .statements import insert, update_row

Table = Mapping[str, Iterable[str]]


def entity_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def check_allowed(table: Table, from_state: str, to_state: str) -> None:
    if to_state not in table.get(from_state, ()):
        raise InvalidTransition(
            f"Cannot go from {from_state!r} to {to_state!r}",
            details={"from": from_state, "to": to_state},
        )


def transition(
    obj: models.Model,
    to_state: str,
    *,
    table: Table,
    actor=None,
    reason: str = "",
    field: str = "status",
    extra: Mapping[str, object] | None = None,
) -> StateEvent:
    """Move ``obj`` to ``to_state`` if the table allows it; write the event row."""
    from_state = getattr(obj, field)
    check_allowed(table, from_state, to_state)
    model = type(obj)
    values = {field: to_state, **(extra or {})}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    with transaction.atomic():
        if any(hasattr(v, "resolve_expression") for v in values.values()):
            changed = model._default_manager.filter(pk=obj.pk, **{field: from_state}).update(
                **values
            )
        else:  # the same UPDATE, compiled once per model and set of columns
            changed = update_row(model, obj.pk, values, {field: from_state})
        if changed != 1:
            raise InvalidTransition(
                f"{model.__name__} {obj.pk} is no longer {from_state!r}; reload and try again",
                code="stale_state",
            )
        for name, value in values.items():
            setattr(obj, name, value)
        return insert(StateEvent(
            entity=entity_label(model),
            object_id=obj.pk,
            field=field,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            reason=reason,
        ))  # fmt: skip


def bulk_transition(
    model: type[models.Model],
    ids: list[int],
    from_state: str,
    to_state: str,
    *,
    table: Table,
    actor=None,
    reason: str = "",
    reasons: Mapping[int, str] | None = None,
    field: str = "status",
    extra: Mapping[str, object] | None = None,
) -> int:
    """Set-based twin of ``transition`` for many rows in one state; all or none move.

    Must run inside the caller's ``transaction.atomic()`` so that a partial move rolls back.
    """
    if not ids:
        return 0
    check_allowed(table, from_state, to_state)
    values = {field: to_state, **(extra or {})}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    changed = update_in(model, values, ids, where={field: from_state})
    if changed != len(ids):
        raise InvalidTransition(
            f"{len(ids) - changed} of {len(ids)} records are no longer {from_state!r}",
            code="stale_state",
        )
    now = timezone.now()
    label = entity_label(model)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    reasons = reasons or {}
    insert_rows(
        StateEvent,
        ("entity", "object_id", "field", "from_state", "to_state", "actor", "reason",
         "created_at"),
        ((label, pk, field, from_state, to_state, actor_id, reasons.get(pk, reason), now)
         for pk in ids),
    )  # fmt: skip
    return changed


def history(obj: models.Model):
    return StateEvent.objects.filter(
        entity=entity_label(type(obj)), object_id=obj.pk
    ).select_related("actor")
