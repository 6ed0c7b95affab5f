"""Pickup tasks: a day's requests go to the drivers of their areas in one set-based pass, a
driver collects with the count checked against the request or reports an exception, a
dispatcher reassigns or closes; every refusal changes nothing, and a driver never reaches
another driver's stop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradelane.accounts import roles
from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog, StateEvent
from tradelane.forwarding.models import (
    PickupRequest,
    PickupRoute,
    PickupTask,
    Waybill,
    WaybillEvent,
)
from tradelane.forwarding.tests.factories import payload, provider, user
from tradelane.forwarding.waybills import services as waybills

from .. import pickup_tasks as tasks
from .. import services
from .factories import PICKUP_ADDRESS, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = provider()
    ns.drv1 = user("drv1", roles.HUB_DRIVER, first_name="王师傅")
    ns.drv2 = user("drv2", roles.HUB_DRIVER, first_name="李师傅")
    ns.nanshan = tasks.create_area(ns.hub, code="NS", name="南山", city="深圳市",
                                   postcodes="518057 518052", districts="南山区",
                                   driver=ns.drv1)  # fmt: skip
    ns.futian = tasks.create_area(ns.hub, code="FT", name="福田", city="深圳",
                                  postcodes=["5180"], driver=ns.drv2)  # fmt: skip
    return ns


def ask(actor, *, postcode="518057", address1="88 Keyuan Road", pieces=5, start=9, city="深圳市",
        customer=None, waybills_=()):  # fmt: skip
    address = {**PICKUP_ADDRESS, "postcode": postcode, "address1": address1, "city": city}
    return services.request_pickup(
        actor, customer=customer, date=tomorrow(), window_start=dt.time(start),
        window_end=dt.time(start + 3), pieces=pieces, estimated_weight_g=10_000,
        address=address, waybills=waybills_,
    )  # fmt: skip


def state(task) -> tuple:
    task.refresh_from_db()
    return (task.status, task.collected_pieces, task.exception, task.pickup.status)


def test_areas_match_the_longest_postcode_then_a_district(p):
    areas = [p.futian, p.nanshan]
    match = tasks.area_for
    assert match(areas, postcode="518057", city="深圳市", text="") == p.nanshan
    assert match(areas, postcode="518031", city="深圳", text="") == p.futian  # 市 or not
    assert match(areas, postcode="", city="深圳市", text="南山区 科苑路 88号") == p.nanshan
    assert match(areas, postcode="518057", city="广州市", text="") is None
    assert (p.nanshan.postcodes, p.nanshan.districts) == (["518057", "518052"], ["南山区"])


def test_an_area_is_checked_and_a_refused_one_writes_nothing(p):
    with pytest.raises(ValidationFailed) as e:
        tasks.create_area(p.hub, code="X1", name="x", postcodes="51#", driver=p.drv1)
    assert e.value.code == "invalid_postcode"
    with pytest.raises(ValidationFailed) as e:
        tasks.create_area(p.hub, code="X1", name="x", driver=p.drv1)
    assert e.value.code == "area_empty"
    with pytest.raises(ValidationFailed) as e:  # a hub operator is no driver
        tasks.create_area(p.hub, code="X1", name="x", postcodes="5181", driver=p.hub)
    assert e.value.code == "not_a_driver"
    with pytest.raises(Conflict) as e:
        tasks.create_area(p.hub, code="NS", name="again", postcodes="5181", driver=p.drv1)
    assert e.value.code == "area_exists"
    with pytest.raises(PermissionDenied):  # sales do not dispatch
        tasks.create_area(p.sales1, code="X2", name="x", postcodes="5181", driver=p.drv1)
    assert sorted(tasks.DriverArea.objects.values_list("code", flat=True)) == ["FT", "NS"]


def test_auto_assign_routes_a_day_by_area_in_window_order(p):
    a = ask(p.acme_user, postcode="518057", start=14)
    b = ask(p.acme_user, postcode="518031", start=9)
    c = ask(p.bolt_user, postcode="518057", start=9)
    d = ask(p.bolt_user, postcode="518100", address1="南山区 科技园 1号", start=10)
    lost = ask(p.bolt_user, postcode="510000", city="广州市")
    with CaptureQueriesContext(connection) as q:
        result = tasks.auto_assign(p.hub, tomorrow())
    assert (result.assigned, result.unmatched, result.total) == (
        {"drv1": 3, "drv2": 1}, [lost.pk], 4)  # fmt: skip
    stops = list(PickupTask.objects.filter(route__driver=p.drv1).order_by("sequence")
                 .values_list("pickup_id", "sequence", "status", "requested_pieces"))  # fmt: skip
    assert stops == [(c.pk, 1, "assigned", 5), (d.pk, 2, "assigned", 5), (a.pk, 3, "assigned", 5)]
    assert PickupTask.objects.get(route__driver=p.drv2).pickup_id == b.pk
    assert dict(PickupRequest.objects.values_list("pk", "status")) == {
        a.pk: "scheduled", b.pk: "scheduled", c.pk: "scheduled", d.pk: "scheduled",
        lost.pk: "requested"}  # fmt: skip
    assert AuditLog.objects.filter(action="forwarding.pickup.assign").count() == 4
    # set-based: a fixed number of queries (areas, waiting, routes x2-3, sequences, tasks,
    # the bulk transition and its events, the audit rows, savepoints)
    assert len(q.captured_queries) <= 16
    # run again: nothing left to assign, nothing written
    again = tasks.auto_assign(p.hub, tomorrow())
    assert (again.assigned, again.unmatched) == ({}, [lost.pk])
    assert PickupTask.objects.count() == 4 and PickupRoute.objects.count() == 2


def test_the_pass_is_set_based_whatever_the_count(p):
    for i in range(30):
        ask(p.acme_user, postcode="518057" if i % 2 else "518031", start=8 + i % 10)
    with CaptureQueriesContext(connection) as q:
        result = tasks.auto_assign(p.hub, tomorrow())
    assert result.assigned == {"drv1": 15, "drv2": 15}
    assert len(q.captured_queries) <= 16


def test_the_driver_collects_and_the_waybills_are_picked_up(p):
    w1, _ = waybills.create_waybill(p.acme_user, p.acme, payload("R-1"))
    w2, _ = waybills.create_waybill(p.acme_user, p.acme, payload("R-2"))
    pu = ask(p.acme_user, waybills_=[w1.number, w2.number], pieces=2)
    tasks.auto_assign(p.hub, tomorrow())
    t = PickupTask.objects.get(pickup=pu)
    tasks.mark_collected(p.drv1, t, pieces=2)
    assert state(t) == ("collected", 2, "", "collected")
    assert (t.done_by, t.done_at is not None) == (p.drv1, True)
    assert pu.__class__.objects.get(pk=pu.pk).outcome_note == "2/2 · 王师傅"
    events = list(WaybillEvent.objects.filter(status="picked_up").order_by("waybill_id")
                  .values_list("waybill__number", "description", "location"))  # fmt: skip
    assert events == [(w1.number, "Picked up by our driver", "深圳市"),
                      (w2.number, "Picked up by our driver", "深圳市")]  # fmt: skip
    assert set(Waybill.objects.values_list("status", flat=True)) == {"created"}
    assert StateEvent.objects.filter(entity="forwarding.pickuptask", to_state="collected",
                                     actor=p.drv1).count() == 1  # fmt: skip


def test_more_pieces_than_requested_are_refused_and_nothing_changes(p):
    ask(p.acme_user, pieces=3)
    tasks.auto_assign(p.hub, tomorrow())
    t = PickupTask.objects.get()
    events, audits = StateEvent.objects.count(), AuditLog.objects.count()
    with pytest.raises(Conflict) as e:
        tasks.mark_collected(p.drv1, t, pieces=4)
    assert (e.value.code, e.value.details) == (
        "pieces_over_requested", {"requested": 3, "counted": 4})  # fmt: skip
    with pytest.raises(ValidationFailed) as e:
        tasks.mark_collected(p.drv1, t, pieces=0)
    assert e.value.code == "out_of_range"
    assert state(t) == ("assigned", None, "", "scheduled")
    assert (StateEvent.objects.count(), AuditLog.objects.count()) == (events, audits)


def test_fewer_pieces_are_an_exception_unless_confirmed(p):
    ask(p.acme_user, pieces=5)
    ask(p.bolt_user, pieces=5, start=12)
    tasks.auto_assign(p.hub, tomorrow())
    short, confirmed = PickupTask.objects.order_by("sequence")
    tasks.mark_collected(p.drv1, short, pieces=3)
    assert state(short) == ("exception", 3, "fewer_pieces", "scheduled")
    tasks.mark_collected(p.drv1, confirmed, pieces=4, confirm_fewer=True)
    assert state(confirmed) == ("collected", 4, "", "collected")
    # the dispatcher accepts the short count
    assert [x.pk for x in tasks.selectors.open_exceptions(p.hub)] == [short.pk]
    tasks.accept_count(p.hub, short)
    assert state(short) == ("collected", 3, "fewer_pieces", "collected")
    assert short.pickup.outcome_note == "3/5 · 王师傅"


def test_an_exception_is_reassigned_or_closed(p):
    pu = ask(p.acme_user)
    other = ask(p.bolt_user, start=13)
    tasks.auto_assign(p.hub, tomorrow())
    t, t2 = PickupTask.objects.order_by("sequence")
    tasks.report_exception(p.drv1, t, reason="nobody_there", note="打电话无人接")
    assert state(t) == ("exception", None, "nobody_there", "scheduled")
    later = tomorrow() + dt.timedelta(days=1)
    new = tasks.reassign(p.hub, t, p.drv2, date=later, note="明天再去")
    assert state(t) == ("reassigned", None, "nobody_there", "scheduled")
    assert (new.route.driver, new.route.date, new.sequence, new.status) == (
        p.drv2, later, 1, "assigned")  # fmt: skip
    assert [s.pickup_id for s in tasks.selectors.driver_stops(p.drv2, later)] == [pu.pk]
    assert tasks.selectors.driver_stops(p.drv1, tomorrow()) == [t2]
    tasks.report_exception(p.drv1, t2, reason="address_wrong")
    tasks.close_task(p.hub, t2, note="客户地址有误")
    assert state(t2) == ("closed", None, "address_wrong", "failed")
    assert PickupRequest.objects.get(pk=other.pk).outcome_note == "address_wrong: 客户地址有误"
    # a closed stop takes nothing more
    with pytest.raises(Conflict) as e:
        tasks.mark_collected(p.hub, t2, pieces=5)
    assert e.value.code == "task_closed"
    with pytest.raises(Conflict) as e:
        tasks.close_task(p.hub, new)
    assert e.value.code == "task_not_exception"


def test_a_driver_never_reaches_another_drivers_stop(p):
    ask(p.acme_user, postcode="518031")  # futian: drv2's
    tasks.auto_assign(p.hub, tomorrow())
    t = PickupTask.objects.get()
    events = StateEvent.objects.count()
    for call in (lambda: tasks.mark_collected(p.drv1, t, pieces=5),
                 lambda: tasks.report_exception(p.drv1, t, reason="refused")):  # fmt: skip
        with pytest.raises(NotFound) as e:
            call()
        assert e.value.code == "pickup_task_not_found"
    with pytest.raises(NotFound):
        tasks.selectors.task(p.drv1, t.pk)
    assert tasks.selectors.driver_stops(p.drv1, tomorrow()) == []
    # a driver does not dispatch, a portal customer neither
    for actor in (p.drv1, p.acme_user):
        with pytest.raises(PermissionDenied):
            tasks.reassign(actor, t, p.drv1)
        with pytest.raises(PermissionDenied):
            tasks.auto_assign(actor, tomorrow())
    assert state(t) == ("assigned", None, "", "scheduled")
    assert StateEvent.objects.count() == events


def test_manual_assign_and_a_cancel_takes_the_stop_off_the_list(p):
    pu = ask(p.acme_user, postcode="510000", city="广州市")  # no area covers it
    t = tasks.assign(p.service, pu, p.drv2)
    assert (t.route.driver, t.route.date, t.sequence) == (p.drv2, tomorrow(), 1)
    with pytest.raises(Conflict) as e:
        tasks.assign(p.service, pu, p.drv1)
    assert e.value.code == "pickup_assigned"
    with pytest.raises(Conflict) as e:  # the board's old buttons are refused while it has a driver
        services.record_outcome(p.hub, pu, collected=True)
    assert e.value.code == "pickup_task_open"
    services.cancel_pickup(p.acme_user, pu, reason="不用了")
    assert state(t) == ("closed", None, "", "cancelled")
    assert tasks.selectors.driver_stops(p.drv2, tomorrow())[0].status == "closed"


def test_a_reassignment_in_the_past_is_refused(p):
    ask(p.acme_user)
    tasks.auto_assign(p.hub, tomorrow())
    t = PickupTask.objects.get()
    with pytest.raises(ValidationFailed) as e:
        tasks.reassign(p.hub, t, p.drv2, date=dt.date(2020, 1, 1))
    assert e.value.code == "date_in_past"
    assert state(t) == ("assigned", None, "", "scheduled")
    assert PickupTask.objects.count() == 1


def test_an_area_is_edited_and_a_refused_edit_changes_nothing(p):
    edited = tasks.update_area(p.hub, p.nanshan, name="南山 西", city="深圳市",
                               postcodes="518057 518054", districts="南山区 蛇口",
                               driver=p.drv2)  # fmt: skip
    assert (edited.code, edited.name, edited.postcodes, edited.districts, edited.driver,
            edited.active) == ("NS", "南山 西", ["518057", "518054"], ["南山区", "蛇口"],
                               p.drv2, True)  # fmt: skip
    row = AuditLog.objects.get(action="forwarding.pickup_area.update")
    assert row.changes["driver"] == ["drv1", "drv2"]
    assert row.changes["postcodes"] == [["518057", "518052"], ["518057", "518054"]]
    # the next pass routes by the edited area
    a = ask(p.acme_user, postcode="518054")
    assert tasks.auto_assign(p.hub, tomorrow()).assigned == {"drv2": 1}
    assert PickupTask.objects.get(pickup=a).route.driver == p.drv2
    # refused: nothing changes, no audit row
    before = list(tasks.DriverArea.objects.order_by("pk").values())
    for kwargs, code in (
        ({"name": "x", "postcodes": "51#", "driver": p.drv1}, "invalid_postcode"),
        ({"name": "x", "driver": p.drv1}, "area_empty"),
        ({"name": "", "postcodes": "5181", "driver": p.drv1}, "required"),
        ({"name": "x", "postcodes": "5181", "driver": p.hub}, "not_a_driver"),
    ):
        with pytest.raises(ValidationFailed) as e:
            tasks.update_area(p.hub, p.nanshan, **kwargs)
        assert e.value.code == code
    with pytest.raises(PermissionDenied):
        tasks.update_area(p.sales1, p.nanshan, name="x", postcodes="5181", driver=p.drv1)
    assert list(tasks.DriverArea.objects.order_by("pk").values()) == before
    assert AuditLog.objects.filter(action="forwarding.pickup_area.update").count() == 1
    # an area out of use routes nothing
    tasks.update_area(p.hub, p.futian, name="福田", city="深圳", postcodes="5180",
                      driver=p.drv2, active=False)  # fmt: skip
    b = ask(p.acme_user, postcode="518031")
    assert tasks.auto_assign(p.hub, tomorrow()).unmatched == [b.pk]


def test_a_stop_moves_up_and_down_its_route(p):
    a, b, c = (ask(p.acme_user, postcode="518057", start=h) for h in (8, 9, 10))
    tasks.auto_assign(p.hub, tomorrow())

    def order():
        return list(PickupTask.objects.filter(route__driver=p.drv1)
                    .order_by("sequence").values_list("pickup_id", "sequence"))  # fmt: skip

    assert order() == [(a.pk, 1), (b.pk, 2), (c.pk, 3)]
    tc = PickupTask.objects.get(pickup=c)
    assert tasks.move_stop(p.hub, tc, "up").sequence == 2
    assert order() == [(a.pk, 1), (c.pk, 2), (b.pk, 3)]
    tasks.move_stop(p.hub, tc, "up")
    assert order() == [(c.pk, 1), (a.pk, 2), (b.pk, 3)]
    tasks.move_stop(p.hub, tc, "up")  # the first stays first, nothing written
    assert order() == [(c.pk, 1), (a.pk, 2), (b.pk, 3)]
    assert AuditLog.objects.filter(action="forwarding.pickup.move_stop").count() == 2
    tasks.move_stop(p.hub, PickupTask.objects.get(pickup=a), "down")
    assert order() == [(c.pk, 1), (b.pk, 2), (a.pk, 3)]
    with pytest.raises(ValidationFailed) as e:
        tasks.move_stop(p.hub, tc, "left")
    assert e.value.code == "invalid_choice"
    with pytest.raises(PermissionDenied):  # a driver keeps the dispatcher's order
        tasks.move_stop(p.drv1, tc, "down")
    assert order() == [(c.pk, 1), (b.pk, 2), (a.pk, 3)]


def test_the_customer_is_told_of_the_pickup_by_webhook(p):
    from tradelane.core.models import OutboxMessage

    p.acme.webhook_url = "https://erp.example/hooks"
    p.acme.save(update_fields=["webhook_url"])
    w1, _ = waybills.create_waybill(p.acme_user, p.acme, payload("R-1"))
    pu = ask(p.acme_user, waybills_=[w1.number], pieces=1)
    tasks.auto_assign(p.hub, tomorrow())
    OutboxMessage.objects.all().delete()
    tasks.mark_collected(p.drv1, PickupTask.objects.get(pickup=pu), pieces=1)
    (msg,) = OutboxMessage.objects.filter(topic="forwarding.customer_webhook")
    body = msg.payload["body"]
    assert (body["event"], body["changes"], body["waybill"]["number"],
            body["waybill"]["status"]) == ("waybill.picked_up", {"location": "深圳市"},
                                           w1.number, "created")  # fmt: skip
