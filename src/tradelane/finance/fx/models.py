"""What a converted amount keeps (ARCHITECTURE.md rule 6): the amount it came from, the rate,
its source and its date. An abstract model: the tables of the rows that convert (ledger
entries, fee lines) carry these columns; the rates themselves are ``core.models.FxRate``."""

from __future__ import annotations

from django.db import models

from .conversion import MAX_RATE_DECIMALS, Conversion


class ConvertedFrom(models.Model):
    """Empty when the row's amount was given in its own currency."""

    original_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    original_currency = models.CharField(max_length=3, blank=True)
    # 1 original_currency = fx_rate of the row's currency
    fx_rate = models.DecimalField(
        max_digits=30, decimal_places=MAX_RATE_DECIMALS, null=True, blank=True
    )
    fx_rate_source = models.CharField(max_length=32, blank=True)
    fx_rate_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def conversion_fields(conversion: Conversion | None) -> dict:
        if conversion is None:
            return {}
        return {
            "original_amount": conversion.original.amount,
            "original_currency": conversion.original.currency,
            "fx_rate": conversion.rate,
            "fx_rate_source": conversion.rate_source,
            "fx_rate_date": conversion.rate_date,
        }
