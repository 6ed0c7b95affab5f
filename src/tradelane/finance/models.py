"""Every model of the finance app, gathered from its sub-packages (one Django app, label
``finance``, split by concern)."""

from .commissions.models import (
    CommissionAgreement,
    CommissionLine,
    CommissionStatement,
    CommissionTier,
)
from .fees.models import FeeItem, FeeSide, FeeStage, WaybillFeeLine
from .ledgers.models import Account, LedgerEntry
from .payables.models import PayableMapping, UpstreamBill, UpstreamBillLine
from .statements.models import (
    Receipt,
    ReceiptAllocation,
    Statement,
    StatementDispute,
    StatementLine,
)

__all__ = [
    "Account", "CommissionAgreement", "CommissionLine", "CommissionStatement", "CommissionTier",
    "FeeItem", "FeeSide", "FeeStage", "LedgerEntry", "PayableMapping", "Receipt",
    "ReceiptAllocation", "Statement", "StatementDispute", "StatementLine", "UpstreamBill",
    "UpstreamBillLine", "WaybillFeeLine",
]  # fmt: skip
