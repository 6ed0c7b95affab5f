"""The waybill list's filters: a date range reads local days, as ``created_at__date`` does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tradelane.forwarding.models import Waybill
from tradelane.forwarding.tests.factories import payload, provider
from tradelane.forwarding.waybills import selectors, services

pytestmark = pytest.mark.django_db


def test_the_date_range_takes_whole_local_days_like_a_date_lookup():
    p = provider()
    day = dt.date(2026, 11, 3)
    local = timezone.get_current_timezone()
    moments = {
        "before": dt.datetime(2026, 11, 2, 23, 59, 59, 999999, tzinfo=local),
        "first": dt.datetime(2026, 11, 3, 0, 0, 0, tzinfo=local),
        "last": dt.datetime(2026, 11, 4, 23, 59, 59, 999999, tzinfo=local),
        "after": dt.datetime(2026, 11, 5, 0, 0, 0, tzinfo=local),
    }
    for ref, when in moments.items():
        w, _ = services.create_waybill(p.acme_user, p.acme, payload(ref))
        Waybill.objects.filter(pk=w.pk).update(created_at=when)
    found = selectors.search(p.acme_user, created_from=day, created_to=day + dt.timedelta(days=1))
    assert [w.reference for w in found] == ["last", "first"]
    by_date = Waybill.objects.filter(
        created_at__date__gte=day, created_at__date__lte=day + dt.timedelta(days=1)
    ).order_by("-created_at")
    assert [w.reference for w in by_date] == ["last", "first"]
    assert [w.reference for w in selectors.search(p.acme_user, created_from=day)] == [
        "after", "last", "first",
    ]  # fmt: skip
    assert [w.reference for w in selectors.search(p.acme_user, created_to=day)] == [
        "first", "before",
    ]  # fmt: skip
    assert list(selectors.search(p.bolt_user, created_from=day)) == []
