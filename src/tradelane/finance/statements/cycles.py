"""Settlement cycles: the period a day falls in, by the customer's settlement mode.

Weekly: Monday to Sunday. Half-monthly: the 1st to the 15th, the 16th to the month's end.
Monthly: the calendar month. A customer settling per waybill gets a monthly statement of what
it was billed (the record of its charges; there is no shorter cycle)."""

from __future__ import annotations

import calendar
import datetime as dt

from tradelane.forwarding.partners.models import SettlementMode as M


def period_of(mode: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the cycle of ``mode`` that ``day`` is in."""
    if mode == M.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    if mode == M.HALF_MONTHLY:
        if day.day <= 15:
            return day.replace(day=1), day.replace(day=15)
        return day.replace(day=16), day.replace(day=last)
    return day.replace(day=1), day.replace(day=last)


def last_closed_period(mode: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest cycle that ended before ``today``."""
    start, _ = period_of(mode, today)
    return period_of(mode, start - dt.timedelta(days=1))
