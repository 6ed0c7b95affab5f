"""Every model of the finance app, gathered from its sub-packages (one Django app, label
``finance``, split by concern)."""

from .fees.models import FeeItem, FeeSide, FeeStage, WaybillFeeLine
from .ledgers.models import Account, LedgerEntry
from .statements.models import (
    Receipt,
    ReceiptAllocation,
    Statement,
    StatementDispute,
    StatementLine,
)

__all__ = [
    "Account", "FeeItem", "FeeSide", "FeeStage", "LedgerEntry", "Receipt", "ReceiptAllocation",
    "Statement", "StatementDispute", "StatementLine", "WaybillFeeLine",
]  # fmt: skip
