"""Writes of exchange rates: the ECB's reference rates imported from a file (the command
``import_ecb_rates``, the demo, the worker's scheduled fetch) and manual rates.

An import is idempotent: a rate already there with the same value is left alone, a new one is
added, and one the ECB has since corrected is updated (and counted as such); everything in one
transaction, so a file that does not parse writes nothing (``ecb.parse`` refuses it first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core import audit
from tradelane.core.errors import ValidationFailed
from tradelane.core.models import FxRate
from tradelane.core.money import check_currency, to_decimal

from . import ecb
from .conversion import MANUAL

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "eurofxref-hist-90d.xml"
RATE_DECIMALS = 10  # FxRate.rate


@dataclass
class ImportReport:
    """What an import did, one row per fixing (date, added, unchanged, corrected)."""

    added: int = 0
    unchanged: int = 0
    corrected: int = 0
    days: list[tuple[dt.date, int, int, int]] = field(default_factory=list)

    @property
    def first(self) -> dt.date | None:
        return self.days[0][0] if self.days else None

    @property
    def last(self) -> dt.date | None:
        return self.days[-1][0] if self.days else None

    def as_dict(self) -> dict:
        return {
            "fixings": len(self.days), "added": self.added, "unchanged": self.unchanged,
            "corrected": self.corrected,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
        }  # fmt: skip


def import_ecb_rates(data: bytes | str, *, actor=None, origin: str = "") -> ImportReport:
    """Import an eurofxref file (daily, 90-day or full history). ``actor`` is None for the
    system (the worker's fetch, the demo); ``origin`` (a file name, a URL) goes in the audit."""
    fixings = ecb.parse(data)
    for fixing in fixings:
        for currency, rate in fixing.rates.items():
            if rate != round(rate, RATE_DECIMALS) or rate.adjusted() >= 20 - RATE_DECIMALS:
                raise ValidationFailed(
                    f"The rate {rate} of {currency} on {fixing.date} does not fit the rate "
                    f"column ({RATE_DECIMALS} decimals)",
                    code="ecb_file_invalid",
                )
    report = ImportReport()
    with transaction.atomic():
        existing = {
            (row.date, row.quote): row
            for row in FxRate.objects.filter(
                base=ecb.BASE, source=ecb.SOURCE, date__in=[f.date for f in fixings]
            )
        }
        new: list[FxRate] = []
        for fixing in fixings:
            added = unchanged = corrected = 0
            for currency, rate in sorted(fixing.rates.items()):
                row = existing.get((fixing.date, currency))
                if row is None:
                    new.append(FxRate(base=ecb.BASE, quote=currency, rate=rate,
                                      date=fixing.date, source=ecb.SOURCE))  # fmt: skip
                    added += 1
                elif row.rate == rate:
                    unchanged += 1
                else:
                    FxRate.objects.filter(pk=row.pk).update(rate=rate)
                    corrected += 1
            report.days.append((fixing.date, added, unchanged, corrected))
            report.added += added
            report.unchanged += unchanged
            report.corrected += corrected
        # a second importer at the same moment (two workers) may have added the same rows
        FxRate.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        if report.added or report.corrected:
            audit.record(actor, "fx.ecb_import", None, {**report.as_dict(), "origin": origin},
                         entity="core.fxrate")  # fmt: skip
    return report


def import_ecb_file(path: str | Path, *, actor=None) -> ImportReport:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc.strerror}", code="file_unreadable")
    return import_ecb_rates(data, actor=actor, origin=path.name)


def import_shipped_rates() -> ImportReport:
    """The ECB file shipped with Tradelane (a 90-day history), so that a fresh installation
    (the demo) has rates before its first fetch."""
    return import_ecb_file(SHIPPED_FILE)


def set_manual_rate(actor, base: str, quote: str, rate: object, on: dt.date) -> FxRate:
    """1 ``base`` = ``rate`` ``quote`` on ``on``, entered by hand. It comes before the ECB's
    rate of the same date (``conversion.rate_on``); entering it again that day replaces it."""
    require(actor, P.FX_RATE_MANAGE)
    base, quote = check_currency(base), check_currency(quote)
    if base == quote:
        raise ValidationFailed("A rate needs two different currencies", code="fx_same_currency")
    value = to_decimal(rate)
    if value <= 0 or value != round(value, RATE_DECIMALS) or value.adjusted() >= 10:
        raise ValidationFailed(
            f"The rate {rate} is not a positive number with at most {RATE_DECIMALS} decimals",
            code="fx_rate_invalid",
        )
    with transaction.atomic():
        row = (
            FxRate.objects.select_for_update()
            .filter(base=base, quote=quote, date=on, source=MANUAL)
            .first()
        )
        old = row.rate if row else None
        if row is None:
            row = FxRate.objects.create(base=base, quote=quote, rate=value, date=on,
                                        source=MANUAL)  # fmt: skip
        elif row.rate != value:
            FxRate.objects.filter(pk=row.pk).update(rate=value)
            row.rate = value
        audit.record(actor, "fx.manual_rate", row,
                     {"base": base, "quote": quote, "date": on, "rate": [old, value]})  # fmt: skip
    return row
