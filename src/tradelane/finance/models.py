"""Every model of the finance app, gathered from its sub-packages (one Django app, label
``finance``, split by concern)."""

from .ledgers.models import Account, LedgerEntry

__all__ = ["Account", "LedgerEntry"]
