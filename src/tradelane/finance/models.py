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

__all__ = [
    "Account", "CommissionAgreement", "CommissionLine", "CommissionStatement", "CommissionTier",
    "FeeItem", "FeeSide", "FeeStage", "LedgerEntry", "PayableMapping", "UpstreamBill",
    "UpstreamBillLine", "WaybillFeeLine",
]  # fmt: skip
