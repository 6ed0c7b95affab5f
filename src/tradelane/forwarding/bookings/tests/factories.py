"""A hub with a slot and a published sea departure, made through the services, on top of the
provider of ``forwarding.tests.factories``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .. import services

HUB_ADDRESS = {
    "address1": "1 Haibin Road", "city": "深圳市", "state": "广东省", "postcode": "518000",
    "country": "CN", "phone": "+86 755 8888 0000",
}  # fmt: skip
PICKUP_ADDRESS = {
    "name": "Li Lei", "company": "Acme Trading", "phone": "+86 138 0013 8000",
    "address1": "88 Keyuan Road", "city": "深圳市", "state": "广东省", "postcode": "518057",
    "country": "CN",
}  # fmt: skip


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def hub(admin, code: str = "SZX1"):
    return services.create_hub(admin, code=code, name="Shenzhen hub", address=HUB_ADDRESS)


def slot(admin, the_hub, *, capacity: int = 10, unit: str = "pieces", start=(9, 0), end=(11, 0)):
    return services.create_slot(
        admin, the_hub, date=tomorrow(), start_time=dt.time(*start), end_time=dt.time(*end),
        capacity=capacity, unit=unit,
    )  # fmt: skip


def departure(admin, **over):
    data = {
        "mode": "sea", "origin": "CNSZX", "destination": "USLAX", "carrier": "COSCO",
        "vessel": "COSCO SHIPPING ARIES 045E", "departure_date": timezone.localdate()
        + dt.timedelta(days=10), "cutoff_at": timezone.now() + dt.timedelta(days=7),
        "capacity_g": 20_000_000, "capacity_cm3": 10_000_000,
    }  # fmt: skip
    data.update(over)
    return services.create_departure(admin, **data)
