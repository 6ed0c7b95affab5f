"""What the scan does beyond receiving: the weight difference (re-rated and flagged, or a
problem), the channel that refuses the parcel as measured (prompt, problem, cheapest), and
the tolerance of a customer, a channel and the hub."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.forwarding.models import InboundPiece, ProblemParcel, Waybill
from tradelane.forwarding.partners import services as partners
from tradelane.forwarding.tests.factories import channel, numbered, payload
from tradelane.forwarding.waybills import services as waybills

from .. import tolerance
from .helpers import counts, hub_provider, scan, webhooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def p():
    ns = hub_provider()
    ns.w = numbered(ns, "R1", "TRK0001")
    return ns


def test_within_the_tolerance_no_difference_is_flagged(p):
    out = scan(p, p.w.number, weight_g=1300)  # 100 g more: the hub's 100 g
    assert (out["result"], out["weight_difference"]) == ("ok", None)


def test_a_customers_tolerance_comes_before_the_channels_and_the_hubs(p):
    tolerance.set_tolerance(p.admin, channel=p.us, grams=0, percent=50)
    assert tolerance.tolerance_for(p.w) == (0, Decimal(50))
    tolerance.set_tolerance(p.admin, customer=p.acme, grams=2000, percent="0")
    assert tolerance.tolerance_for(p.w) == (2000, Decimal(0))
    assert scan(p, p.w.number, weight_g=3100)["weight_difference"] is None
    with pytest.raises(ValidationFailed) as e:
        tolerance.set_tolerance(p.admin, customer=p.acme, grams=1, percent=101)
    assert e.value.code == "invalid_tolerance"
    with pytest.raises(ValidationFailed) as e:
        tolerance.set_tolerance(p.admin, grams=1, percent=1)
    assert e.value.code == "tolerance_owner"
    with pytest.raises(PermissionDenied):
        tolerance.set_tolerance(p.hub, customer=p.acme, grams=0, percent=0)
    assert tolerance.tolerance_for(p.w) == (2000, Decimal(0))


@override_settings(TRADELANE_HUB_WEIGHT_DIFFERENCE="problem")
def test_problem_mode_sends_a_weight_difference_to_the_queue_and_keeps_it_received(p):
    out = scan(p, p.w.number, weight_g=2500)
    p.w.refresh_from_db()
    assert (out["result"], out["reason"], p.w.status) == (
        "problem",
        "weight_difference",
        "received",
    )
    assert out["weight_difference"]["difference_g"] == 1300
    assert out["message"] == (f"Problem (Weight difference): {p.w.number} goes to the "
                              "problem shelf")  # fmt: skip
    (problem,) = ProblemParcel.objects.filter(waybill=p.w)
    assert (problem.reason, problem.note, problem.opened_by) == (
        "weight_difference",
        "chargeable 1200 g -> 2500 g",
        p.hub,
    )
    assert [b["changes"]["problem"]["reason"] for b in webhooks("waybill.problem_opened")] == [
        "weight_difference"
    ]


@pytest.fixture
def light(p):
    """A customer whose waybill is on LIGHT (at most 1.5 kg, our own S10 numbers), with
    USLINE and EUPOST open by its level."""
    from tradelane.logistics.shipping.services import add_s10_series

    add_s10_series(p.admin, "LX", "CN", 1, 1000)
    channel(p.admin, "LIGHT", max_weight_g=1500, s10_prefix="LX", s10_country="CN")
    cust = partners.create_customer(p.admin, code="LITE", company="Lite Co", level=p.std,
                                    extra_channels=["LIGHT"])  # fmt: skip
    partners.set_webhook(p.admin, cust, "https://lite.example/hooks")
    user = partners.create_portal_user(p.admin, username="lite", password="pw-Tradelane-1",
                                       customer=cust)  # fmt: skip
    w, _ = waybills.create_waybill(user, cust, payload("L1", channel="LIGHT"))
    assert w.tracking_number.startswith("LX") and w.tracking_number.endswith("CN")
    return w


def test_prompt_mode_lists_the_accepting_channels_and_writes_no_receipt(p, light):
    before = counts()
    out = scan(p, light.number, weight_g=2500)
    light.refresh_from_db()
    assert (out["result"], out["reason"], out["received"]) == ("problem", "channel_change", False)
    assert [(c["channel"], c["price"]) for c in out["channels"]] == [("USLINE", "160.00")]
    assert out["refusals"][0]["code"] == "overweight"
    assert light.status == "created" and light.channel.code == "LIGHT"
    assert counts() == {**before, "scans": before["scans"] + 1}
    # the operator picks USLINE: switched, received, the LIGHT number taken back
    out = scan(p, light.number, weight_g=2500, channel="USLINE")
    light.refresh_from_db()
    assert (out["result"], out["channel"], out["sort_key"]) == ("ok", "USLINE", "USLINE/US")
    assert (light.status, light.channel.code, light.tracking_number, light.tracking_status) == (
        "received",
        "USLINE",
        "",
        "pending",
    )
    assert light.sale_amount == Decimal("160.00")
    assert InboundPiece.objects.filter(waybill=light).count() == 1


def test_a_picked_channel_that_refuses_the_parcel_is_refused(p, light):
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        scan(p, light.number, weight_g=2500, channel="EUPOST")
    assert (e.value.code, e.value.details["accepting"]) == ("channel_refuses_parcel", ["USLINE"])
    assert counts() == before
    assert Waybill.objects.get(pk=light.pk).channel.code == "LIGHT"


@override_settings(TRADELANE_HUB_CHANNEL_CHANGE="cheapest")
def test_cheapest_mode_switches_by_rule(p, light):
    out = scan(p, light.number, weight_g=2500)
    light.refresh_from_db()
    assert (out["result"], out["channel"], light.channel.code, light.status) == (
        "ok",
        "USLINE",
        "USLINE",
        "received",
    )


@override_settings(TRADELANE_HUB_CHANNEL_CHANGE="problem")
def test_problem_mode_receives_on_its_channel_and_opens_a_channel_change(p, light):
    out = scan(p, light.number, weight_g=2500)
    light.refresh_from_db()
    assert (out["result"], out["reason"], light.channel.code, light.status) == (
        "problem",
        "channel_change",
        "LIGHT",
        "received",
    )
    (problem,) = ProblemParcel.objects.filter(waybill=light)
    assert problem.reason == "channel_change" and problem.note.startswith("LIGHT refuses")
