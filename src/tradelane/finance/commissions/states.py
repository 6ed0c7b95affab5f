"""A commission statement's states: draft (re-runs replace it) -> confirmed (fixed, checked)
-> settled (credited to the agent's ledger, or paid to the salesperson). A confirmed statement
may go back to draft for a correction; a settled one never changes."""

from .models import StatementStatus as S

STATEMENT_TRANSITIONS = {
    S.DRAFT: {S.CONFIRMED},
    S.CONFIRMED: {S.SETTLED, S.DRAFT},
    S.SETTLED: set(),
}
