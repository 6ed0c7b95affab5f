"""The provider's appointments and freight space in the role matrix's world: a customer, a
hub with a drop-off slot, a published departure, a space booking and a pickup request, each
made through the services by the admin (the only seller-side role that holds the provider's
permissions)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tradelane.accounts import services as accounts
from tradelane.accounts.roles import HUB_DRIVER
from tradelane.forwarding.bookings import pickup_tasks
from tradelane.forwarding.bookings import services as bookings
from tradelane.forwarding.partners import services as partners

ADDRESS = {
    "address1": "1 Haibin Road", "city": "深圳市", "state": "广东省", "postcode": "518000",
    "country": "CN", "phone": "+86 755 8888 0000",
}  # fmt: skip


def seed_bookings(admin) -> dict:
    level = partners.create_level(admin, code="MXL", name="Matrix level")
    customer = partners.create_customer(admin, code="MXC", company="Matrix Co", level=level)
    hub = bookings.create_hub(admin, code="MXH", name="Matrix hub", address=ADDRESS)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = bookings.create_slot(admin, hub, date=tomorrow, start_time=dt.time(9),
                                end_time=dt.time(12), capacity=50)  # fmt: skip
    drop_off = bookings.book_slot(admin, slot, customer="MXC", pieces=2,
                                  estimated_weight_g=3000, contact_name="Li Lei",
                                  contact_phone="13800138000")  # fmt: skip
    departure = bookings.create_departure(
        admin, mode="sea", origin="CNSZX", destination="USLAX", vessel="MATRIX 001E",
        departure_date=timezone.localdate() + dt.timedelta(days=10),
        cutoff_at=timezone.now() + dt.timedelta(days=7), capacity_g=10_000_000,
        capacity_cm3=50_000_000,
    )  # fmt: skip
    space = bookings.book_space(admin, departure, customer="MXC", pieces=3, weight_g=30_000,
                                volume_cm3=1_000_000)  # fmt: skip
    # a driver's route: one pickup on it, one waiting (no area covers its postcode)
    driver = accounts.create_user(admin, username="mxdriver", password=None, roles=[HUB_DRIVER],
                                  check_password=False)  # fmt: skip
    pickup_tasks.create_area(admin, code="MXA", name="Matrix area", postcodes="518057",
                             driver=driver)  # fmt: skip
    address = {**ADDRESS, "name": "Li Lei", "postcode": "518057"}
    ask = {"customer": "MXC", "date": tomorrow, "window_start": dt.time(9),
           "window_end": dt.time(12), "pieces": 3, "estimated_weight_g": 9000}  # fmt: skip
    bookings.request_pickup(admin, address=address, **ask)
    waiting = bookings.request_pickup(admin, address={**address, "postcode": "510000"}, **ask)
    pickup_tasks.auto_assign(admin, tomorrow)
    task = driver.pickup_routes.get().tasks.get()
    return {
        "bk_customer": customer.code,
        "bk_hub": hub.pk,
        "bk_slot": slot.pk,
        "bk_drop_off": drop_off.pk,
        "bk_departure": departure.pk,
        "bk_space": space.pk,
        "bk_tomorrow": tomorrow.isoformat(),
        "bk_driver": driver.pk,
        "bk_task": task.pk,
        "bk_waiting": waiting.pk,
    }
