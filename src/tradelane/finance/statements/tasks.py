"""Thin, idempotent task wrapper: the statement run (``automation.run``)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from . import automation


@task()
def generate_due_statements(today: str | None = None, issue: bool = False) -> dict:
    return automation.run(today=dt.date.fromisoformat(today) if today else None, issue=issue)
