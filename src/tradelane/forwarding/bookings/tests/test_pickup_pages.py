"""The pickup pages: the dispatcher's board of a day (assign by area, one by one, reassign,
decide exceptions), the driver's own list (another driver's stop is 404 and stays as it
was), a refused count shown in Chinese, and the customer reading its stop's state."""

from __future__ import annotations

import pytest

from tradelane.accounts import roles
from tradelane.core.models import StateEvent
from tradelane.forwarding.models import PickupTask
from tradelane.forwarding.tests.factories import provider, signed_in, user

from .. import pickup_tasks as tasks
from .factories import tomorrow
from .test_pickup_tasks import ask, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    ns.drv1 = user("drv1", roles.HUB_DRIVER, first_name="王师傅")
    ns.drv2 = user("drv2", roles.HUB_DRIVER, first_name="李师傅")
    tasks.create_area(ns.hub, code="NS", name="南山", postcodes="518057", driver=ns.drv1)
    tasks.create_area(ns.hub, code="FT", name="福田", postcodes="5180", driver=ns.drv2)
    return ns


def test_the_dispatcher_assigns_a_day_by_area_and_by_hand(p):
    a = ask(p.acme_user, postcode="518057")
    b = ask(p.bolt_user, postcode="510000", city="广州市")  # no area
    c = signed_in(p.hub)
    day = tomorrow().isoformat()
    board = c.get(f"/bookings/pickups/?day={day}").content.decode()
    assert (
        f'data-testid="unassigned-{a.pk}"' in board and f'data-testid="unassigned-{b.pk}"' in board
    )
    answer = c.post("/bookings/pickups/dispatch/", {"action": "auto", "day": day})
    assert answer.status_code == 302 and answer["Location"] == f"/bookings/pickups/?day={day}"
    board = c.get(answer["Location"]).content.decode()
    assert "1 pickups assigned; 1 no area covers." in board
    assert f'data-testid="unassigned-{a.pk}"' not in board
    assert 'data-testid="route-drv1"' in board
    c.post("/bookings/pickups/dispatch/", {"action": "assign", "day": day, "pickup": b.pk,
                                           "driver": p.drv2.pk})  # fmt: skip
    t = PickupTask.objects.get(pickup=b)
    assert (t.route.driver, t.sequence, t.assigned_by) == (p.drv2, 1, p.hub)
    # reassign to drv1; a driver who is not one is refused with the form's error
    refused = c.post("/bookings/pickups/dispatch/", {"action": "reassign", "day": day,
                                                     "task": t.pk, "driver": p.hub.pk})  # fmt: skip
    assert refused.status_code == 422 and 'data-error-code="not_a_driver"' in (
        refused.content.decode())  # fmt: skip
    assert state(t)[0] == "assigned"
    c.post("/bookings/pickups/dispatch/", {"action": "reassign", "day": day, "task": t.pk,
                                           "driver": p.drv1.pk})  # fmt: skip
    assert state(t)[0] == "reassigned"
    assert PickupTask.objects.get(pickup=b, status="assigned").route.driver == p.drv1


def test_the_board_is_for_dispatchers(p):
    ask(p.acme_user)
    assert (
        signed_in(p.sales1).post("/bookings/pickups/dispatch/", {"action": "auto"}).status_code
        == 403
    )
    assert (
        signed_in(p.drv1).post("/bookings/pickups/dispatch/", {"action": "auto"}).status_code == 403
    )
    assert (
        'data-testid="dispatch"'
        not in signed_in(p.acme_user).get("/bookings/pickups/").content.decode()
    )
    assert PickupTask.objects.count() == 0


def test_a_driver_sees_and_collects_only_its_own_stops(p):
    mine = ask(p.acme_user, postcode="518057", pieces=4)
    theirs = ask(p.bolt_user, postcode="518031", pieces=2)
    tasks.auto_assign(p.hub, tomorrow())
    t1, t2 = PickupTask.objects.get(pickup=mine), PickupTask.objects.get(pickup=theirs)
    c = signed_in(p.drv1, "zh-hans")
    assert c.get("/").url == "/bookings/driver/"  # a driver lands on its list
    page = c.get(f"/bookings/driver/?day={tomorrow().isoformat()}").content.decode()
    assert f'data-testid="stop-{t1.pk}"' in page and f'data-testid="stop-{t2.pk}"' not in page
    assert 'href="tel:+8613800138000"' in page and "88 Keyuan Road" in page
    assert "我的取件" in page and "已揽收" in page  # the page and its button in Chinese
    events = StateEvent.objects.count()
    assert (
        c.post(
            f"/bookings/driver/tasks/{t2.pk}/", {"action": "collected", "pieces": "2"}
        ).status_code
        == 404
    )
    assert (
        c.post(
            f"/bookings/driver/tasks/{t2.pk}/", {"action": "exception", "reason": "refused"}
        ).status_code
        == 404
    )
    assert state(t2) == ("assigned", None, "", "scheduled")
    assert StateEvent.objects.count() == events
    # more than requested: refused in Chinese, nothing changes
    over = c.post(f"/bookings/driver/tasks/{t1.pk}/", {"action": "collected", "pieces": "5"})
    assert over.status_code == 409
    html = over.content.decode()
    assert 'data-error-code="pieces_over_requested"' in html
    assert "件数多于预约（4 件）：请客户为其余包裹另约取件。" in html
    assert state(t1) == ("assigned", None, "", "scheduled")
    done = c.post(f"/bookings/driver/tasks/{t1.pk}/", {"action": "collected", "pieces": "4"})
    assert done.status_code == 302
    assert state(t1) == ("collected", 4, "", "collected")


def test_a_short_count_and_a_door_exception_from_the_phone(p):
    a = ask(p.acme_user, postcode="518057", pieces=5)
    b = ask(p.acme_user, postcode="518057", pieces=5, start=13)
    tasks.auto_assign(p.hub, tomorrow())
    ta, tb = PickupTask.objects.get(pickup=a), PickupTask.objects.get(pickup=b)
    c = signed_in(p.drv1)
    c.post(f"/bookings/driver/tasks/{ta.pk}/", {"action": "collected", "pieces": "3"})
    assert state(ta) == ("exception", 3, "fewer_pieces", "scheduled")
    c.post(f"/bookings/driver/tasks/{tb.pk}/", {"action": "exception", "reason": "nobody_there",
                                                "note": "门口无人"})  # fmt: skip
    assert state(tb) == ("exception", None, "nobody_there", "scheduled")
    board = signed_in(p.hub).get("/bookings/pickups/").content.decode()
    assert f'data-testid="exception-{ta.pk}"' in board and "Accept the count" in board
    signed_in(p.hub).post("/bookings/pickups/dispatch/", {"action": "accept", "task": ta.pk})
    signed_in(p.hub).post("/bookings/pickups/dispatch/", {"action": "close", "task": tb.pk,
                                                       "note": "客户改约"})  # fmt: skip
    assert state(ta) == ("collected", 3, "fewer_pieces", "collected")
    assert state(tb) == ("closed", None, "nobody_there", "failed")


def test_the_customer_reads_its_stops_state(p):
    a = ask(p.acme_user, postcode="518057", pieces=5)
    tasks.auto_assign(p.hub, tomorrow())
    t = PickupTask.objects.get(pickup=a)
    c = signed_in(p.acme_user, "zh-hans")
    html = c.get("/bookings/pickups/").content.decode()
    assert f'data-testid="task-status-{a.pk}"' in html and "已派司机" in html and "王师傅" in html
    tasks.mark_collected(p.drv1, t, pieces=5)
    html = c.get("/bookings/pickups/").content.decode()
    assert "已取件 5 / 5" in html
    assert 'data-testid="task-status-' not in signed_in(p.bolt_user).get(
        "/bookings/pickups/").content.decode()  # fmt: skip


def test_the_board_reorders_stops_and_edits_an_area_in_chinese(p):
    a, b = (ask(p.acme_user, postcode="518057", start=h) for h in (8, 9))
    tasks.auto_assign(p.hub, tomorrow())
    c = signed_in(p.hub, "zh-hans")
    day = tomorrow().isoformat()
    tb = PickupTask.objects.get(pickup=b)
    board = c.get(f"/bookings/pickups/?day={day}").content.decode()
    assert "上移" in board and "顺序" in board and 'data-testid="area-edit-NS"' in board
    moved = c.post("/bookings/pickups/dispatch/", {"action": "up", "day": day, "task": tb.pk})
    assert moved.status_code == 302
    assert list(PickupTask.objects.order_by("sequence").values_list("pickup_id", flat=True)) == [
        b.pk, a.pk]  # fmt: skip
    area = tasks.DriverArea.objects.get(code="NS")
    form = {
        "action": "area_update",
        "day": day,
        "area": area.pk,
        "name": "南山区",
        "postcodes": "518057 518058",
        "districts": "",
        "driver": p.drv2.pk,
        "active": "1",
    }
    assert c.post("/bookings/pickups/dispatch/", form).status_code == 302
    area.refresh_from_db()
    assert (area.name, area.postcodes, area.driver, area.active) == (
        "南山区", ["518057", "518058"], p.drv2, True)  # fmt: skip
    refused = c.post("/bookings/pickups/dispatch/", {**form, "postcodes": "51#"})
    assert refused.status_code == 422 and 'data-error-code="invalid_postcode"' in (
        refused.content.decode())  # fmt: skip
    missing = c.post("/bookings/pickups/dispatch/", {**form, "area": 999999})
    assert missing.status_code == 404 and "司机片区不存在" in missing.content.decode()
    area.refresh_from_db()
    assert area.postcodes == ["518057", "518058"]
