"""The statement's states: draft → issued → confirmed / disputed → settled (when paid)."""

from __future__ import annotations

from .models import StatementStatus as S

STATEMENT_TRANSITIONS = {
    S.DRAFT: {S.ISSUED},
    S.ISSUED: {S.CONFIRMED, S.DISPUTED, S.SETTLED},
    S.CONFIRMED: {S.DISPUTED, S.SETTLED},
    # a resolved dispute returns the statement to the customer (issued), or it is paid
    S.DISPUTED: {S.ISSUED, S.SETTLED},
    S.SETTLED: set(),
}
# a statement the customer may still pay, confirm or dispute
OPEN = frozenset({S.ISSUED, S.CONFIRMED, S.DISPUTED})
