"""Every model of the finance app, gathered from its sub-packages (one Django app, label
``finance``, split by concern)."""

from .fees.models import FeeItem, FeeSide, FeeStage, WaybillFeeLine  # noqa: F401
