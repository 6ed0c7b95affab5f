"""What many labels share for their customs part: the FX rates and the CN22 threshold of each
day, read once, and the CN22 limits (value, weight) in a declaration's currency. The seller's
shipment labels (``shipping.printing``) and the provider's waybill labels
(``forwarding.waybills.printing``) print through one ``LabelCustoms``."""

from __future__ import annotations

import datetime as dt

from tradelane.core.fx import Rates
from tradelane.core.money import Money

from ..documents import CN22Limits
from . import decisions


class LabelCustoms:
    def __init__(self, rates: Rates | None = None) -> None:
        self.rates = rates or Rates()
        self._thresholds: dict[dt.date, object] = {}

    def cn22_threshold(self, on: dt.date):
        """The CN22 threshold in force on ``on`` (one query per day however many labels)."""
        if on not in self._thresholds:
            self._thresholds[on] = decisions.cn22_limit(on)
        return self._thresholds[on]

    def document_kind(self, service_type: str, value: Money, weight_g: int, on: dt.date) -> str:
        """cn22, cn23 or invoice, as ``decisions.document_kind`` decides on that day."""
        return decisions.document_kind(
            service_type, value, weight_g, on_date=on, rates=self.rates,
            limit=self.cn22_threshold(on),
        )  # fmt: skip

    def cn22_limits(self, currency: str, on: dt.date) -> CN22Limits | None:
        """The CN22 value and weight limits in ``currency`` (an SDR threshold through USD when
        no SDR rate is kept); None when there is no threshold or no rate to convert it."""
        t = self.cn22_threshold(on)
        if t is None or t.max_weight_g is None:
            return None
        value = self.rates.convert(Money(t.amount, t.currency), currency)
        if value is None and t.currency == "XDR":
            value = self.rates.convert(Money(t.amount * decisions.SDR_IN_USD, "USD"), currency)
        if value is None:
            return None
        return CN22Limits(max_value=value, max_weight_g=t.max_weight_g)
