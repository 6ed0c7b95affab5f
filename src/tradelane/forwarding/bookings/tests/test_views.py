"""The pages: a portal customer sees published departures with the space left and books it in
kg and m³, a refusal is shown in Chinese and changes nothing, another customer's booking is
"not found"; staff list the bookings of a departure and a slot."""

from __future__ import annotations

import pytest

from tradelane.forwarding.models import Departure, HubSlot, PickupRequest, SpaceBooking
from tradelane.forwarding.tests.factories import provider, signed_in

from .. import services
from .factories import PICKUP_ADDRESS, departure, hub, slot, tomorrow

pytestmark = pytest.mark.django_db
M3 = 1_000_000


@pytest.fixture
def p():
    return provider()


def test_a_customer_sees_the_space_left_and_books_it(p):
    d = departure(p.admin, capacity_g=2_000_000, capacity_cm3=10 * M3)
    draft = departure(p.admin, vessel="DRAFT 1", publish=False)
    c = signed_in(p.acme_user)
    page = c.get("/bookings/departures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "COSCO SHIPPING ARIES 045E" in html and "DRAFT 1" not in html
    # free / capacity, as a board shows them: grouped, no trailing zeros
    assert '2,000 <span class="muted">/ 2,000</span>' in html
    assert '10 <span class="muted">/ 10</span>' in html
    assert c.get(f"/bookings/departures/{draft.pk}/").status_code == 404

    answer = c.post(f"/bookings/departures/{d.pk}/", {
        "pieces": "12", "weight_kg": "750.5", "volume_m3": "3.25", "reference": "PO-9",
    })  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == f"/bookings/departures/{d.pk}/"
    b = SpaceBooking.objects.get()
    assert (b.customer, b.pieces, b.weight_g, b.volume_cm3, b.reference, b.created_by) == (
        p.acme, 12, 750_500, 3_250_000, "PO-9", p.acme_user)  # fmt: skip
    detail = c.get(f"/bookings/departures/{d.pk}/").content.decode()
    assert 'data-testid="left-m3">6.75 / 10' in detail
    assert 'data-testid="left-kg">1,249.5 / 2,000' in detail


def test_a_refused_booking_is_shown_in_chinese_and_changes_nothing(p):
    d = departure(p.admin, capacity_cm3=10 * M3)
    services.book_space(p.bolt_user, d, pieces=1, weight_g=1000, volume_cm3=9 * M3)
    c = signed_in(p.acme_user, "zh-hans")
    answer = c.post(f"/bookings/departures/{d.pk}/", {
        "pieces": "1", "weight_kg": "1", "volume_m3": "1.5"})  # fmt: skip
    assert answer.status_code == 409
    html = answer.content.decode()
    assert 'data-error-code="departure_full_volume"' in html
    assert "该航次剩余体积不足：仅余 1000000 立方厘米。" in html
    d.refresh_from_db()
    assert (d.booked_cm3, SpaceBooking.objects.count()) == (9 * M3, 1)
    # a form that does not parse: refused before any service call
    answer = c.post(f"/bookings/departures/{d.pk}/", {
        "pieces": "1", "weight_kg": "lots", "volume_m3": "0.1"})  # fmt: skip
    assert answer.status_code == 422 and 'data-error-code="invalid_number"' in (
        answer.content.decode())  # fmt: skip
    assert SpaceBooking.objects.count() == 1


def test_another_customers_booking_is_not_found(p):
    d = departure(p.admin)
    b = services.book_space(p.acme_user, d, pieces=1, weight_g=1000, volume_cm3=M3)
    c = signed_in(p.bolt_user)
    assert c.post(f"/bookings/space/{b.pk}/cancel/").status_code == 404
    assert "booking-" not in c.get(f"/bookings/departures/{d.pk}/").content.decode()
    assert SpaceBooking.objects.get().status == "booked"
    # its owner cancels it and the space is free again
    assert signed_in(p.acme_user).post(f"/bookings/space/{b.pk}/cancel/").status_code == 302
    assert Departure.objects.values_list("booked_cm3", flat=True).get() == 0


def test_staff_see_every_booking_of_a_departure_and_a_slot(p):
    d = departure(p.admin)
    a = services.book_space(p.acme_user, d, pieces=1, weight_g=1000, volume_cm3=M3)
    b = services.book_space(p.bolt_user, d, pieces=2, weight_g=2000, volume_cm3=M3)
    html = signed_in(p.service).get(f"/bookings/departures/{d.pk}/").content.decode()
    assert f'data-testid="booking-{a.pk}"' in html and f'data-testid="booking-{b.pk}"' in html
    html = signed_in(p.sales1).get(f"/bookings/departures/{d.pk}/").content.decode()
    assert f'data-testid="booking-{a.pk}"' in html and f'data-testid="booking-{b.pk}"' not in html

    s = slot(p.admin, hub(p.admin), capacity=10)
    c = signed_in(p.acme_user)
    answer = c.post(f"/bookings/slots/{s.pk}/", {
        "pieces": "3", "weight_kg": "9", "contact_name": "Li Lei",
        "contact_phone": "13800138000"})  # fmt: skip
    assert answer.status_code == 302
    drop = PickupRequest.objects.get()
    assert (drop.customer, drop.slot_units, drop.estimated_weight_g) == (p.acme, 3, 9000)
    assert HubSlot.objects.get().booked == 3
    html = signed_in(p.hub).get(f"/bookings/slots/{s.pk}/").content.decode()
    assert f'data-testid="pickup-{drop.pk}"' in html
    assert signed_in(p.bolt_user).get(f"/bookings/slots/{s.pk}/").content.decode().count(
        'data-testid="pickup-') == 0  # fmt: skip
    # too many pieces: refused, the slot unchanged
    answer = c.post(f"/bookings/slots/{s.pk}/", {
        "pieces": "8", "weight_kg": "9", "contact_name": "Li Lei",
        "contact_phone": "13800138000"})  # fmt: skip
    assert answer.status_code == 409 and 'data-error-code="slot_full"' in answer.content.decode()
    assert HubSlot.objects.get().booked == 3 and PickupRequest.objects.count() == 1


def test_a_customer_requests_a_pickup_and_staff_schedule_it(p):
    c = signed_in(p.acme_user)
    form = {**PICKUP_ADDRESS, "date": tomorrow().isoformat(), "window_start": "14:00",
            "window_end": "17:00", "pieces": "2", "weight_kg": "15"}  # fmt: skip
    assert c.post("/bookings/pickups/", form).status_code == 302
    pickup = PickupRequest.objects.get()
    assert (pickup.kind, pickup.status, pickup.estimated_weight_g) == ("pickup", "requested",
                                                                        15_000)  # fmt: skip
    # the customer cannot schedule; the salesperson can
    assert c.post(f"/bookings/pickups/{pickup.pk}/action/",
                  {"action": "schedule"}).status_code == 403  # fmt: skip
    assert PickupRequest.objects.get().status == "requested"
    assert signed_in(p.sales1).post(f"/bookings/pickups/{pickup.pk}/action/",
                                 {"action": "schedule"}).status_code == 302  # fmt: skip
    assert PickupRequest.objects.get().status == "scheduled"
    assert signed_in(p.bolt_user).post(f"/bookings/pickups/{pickup.pk}/action/",
                                    {"action": "cancel"}).status_code == 404  # fmt: skip
    assert PickupRequest.objects.get().status == "scheduled"


def test_the_pages_speak_chinese(p):
    d = departure(p.admin)
    s = slot(p.admin, hub(p.admin), capacity=10)
    c = signed_in(p.acme_user, "zh-hans")
    html = c.get("/bookings/departures/").content.decode()
    assert "<h1>船期航班</h1>" in html and "<td>海运</td>" in html and "<td>已发布</td>" in html
    assert "剩余（立方米）" in html
    html = c.get(f"/bookings/departures/{d.pk}/").content.decode()
    assert "<h2>订舱</h2>" in html and "箱数" in html
    html = c.get("/bookings/pickups/").content.decode()
    assert "<h1>揽收与送仓预约</h1>" in html and "预约上门揽收" in html
    assert f'data-testid="slot-{s.pk}"' in html and "10 / 10 件数" in html
