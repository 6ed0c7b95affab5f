"""The statement run that no person starts: the worker's job and the management command act
as the system user ``statements`` (its own permissions only, named on every audit row)."""

from __future__ import annotations

import datetime as dt

from tradelane.accounts.roles import P
from tradelane.accounts.system_users import system_user

from . import services

PERMISSIONS = (P.STATEMENT_MANAGE, P.FEE_ADJUST, P.LEDGER_POST)


def statements_user():
    return system_user("statements", "Statement run", PERMISSIONS)


def run(*, today: dt.date | None = None, issue: bool = False) -> dict:
    """Draft every due statement (``services.generate_statements``); ``issue``: issue the
    drafts too. Running it twice drafts and issues nothing more."""
    actor = statements_user()
    made = services.generate_statements(actor, today=today)
    issued = services.issue_many(actor, made) if issue else []
    return {"drafted": len(made), "issued": len(issued),
            "numbers": [s.number for s in made]}  # fmt: skip
