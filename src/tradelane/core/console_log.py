"""Filters for the console log handler (``settings.LOGGING``): the console of ``tradelane up``
is read by a person, so a refused request is one line and the task worker speaks only of
failures.

- ``OneLineClientErrors``: Django logs a 403 raised as ``PermissionDenied`` with the whole
  traceback; a 4xx is the client's mistake (or a role without a permission), not ours. It
  becomes one line: ``Forbidden (Permission denied): GET /orders/bulk/ (user service:
  orders.review_order)``. 5xx keep their traceback.
- ``TaskFailuresOnly``: the task worker (``db_worker``, ``rqworker``) logs every task's start
  and end at INFO and raises its loggers to INFO itself; below WARNING those lines are dropped
  unless ``TRADELANE_LOG_LEVEL`` asks for INFO or DEBUG. A failed task (ERROR, with its
  traceback) and the worker's warnings still show.
"""

from __future__ import annotations

import logging

TASK_LOGGERS = ("django_tasks", "django.tasks", "django_tasks_db", "django_tasks_rq", "rq")


class OneLineClientErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name != "django.request" or not isinstance(status, int):
            return True
        if not 400 <= status < 500 or not record.exc_info:
            return True
        exc = record.exc_info
        if isinstance(exc, tuple):
            exc = exc[1]
        request = getattr(record, "request", None)
        who = getattr(getattr(request, "user", None), "username", "") or "anonymous"
        message = record.getMessage()
        path = getattr(request, "path", None)
        method = getattr(request, "method", None)
        if path and method and message.endswith(path):
            message = f"{message[: -len(path)]}{method} {path}"
        detail = f"user {who}: {exc}" if str(exc or "") else f"user {who}"
        record.msg, record.args = f"{message} ({detail})", ()
        record.exc_info, record.exc_text = None, None
        return True


class TaskFailuresOnly(logging.Filter):
    def __init__(self, level: str | int = "WARNING") -> None:
        super().__init__()
        self.level = logging.getLevelName(level) if isinstance(level, str) else level
        if not isinstance(self.level, int):
            self.level = logging.WARNING

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or self.level < logging.WARNING:
            return True
        name = record.name
        return not any(name == n or name.startswith(f"{n}.") for n in TASK_LOGGERS)
