"""The provider's hub in the demo: a morning's work at the Shenzhen hub, through the hub's
services, so that every hub page opens on something real: scans at two stations (one parcel
with no forecast, one far heavier than forecast), a problem for customer service, a customer's
intercept held, bags per sort key (one sealed, postal with its S9 id), an air dispatch with its
load scan, and the dispatch's customs batch."""

from __future__ import annotations

import datetime as dt

# the offices of exchange of the postal channel: Shenzhen -> London, Frankfurt (UPU codes)
POSTAL_ROUTES = (("GB", "CNSZXA", "GBLONA"), ("DE", "CNSZXA", "DEFRAA"))
MAWB = "784-12345675"  # China Southern's prefix 784; the check digit is the serial mod 7


def load(staff: dict, customers: dict, portal_of: dict) -> dict:
    from django.utils import timezone

    from ..forwarding.declarations import batches
    from ..forwarding.hub import inbound, problems
    from ..forwarding.hub.models import ProblemReason
    from ..forwarding.outbound import bags, dispatches
    from ..forwarding.outbound.models import PostalRoute
    from ..forwarding.waybills import services as waybills
    from ..forwarding.waybills.models import Waybill, WaybillStatus
    from ..logistics.models import Channel

    hub, service = staff["fwd.hub"], staff["fwd.service"]
    postal = Channel.objects.get(code="SZ-EUPOST")
    for country, origin, destination in POSTAL_ROUTES:
        PostalRoute.objects.create(channel=postal, destination=country, origin_office=origin,
                                   destination_office=destination, mail_category="A",
                                   mail_subclass="UN", registered_flag="1")  # fmt: skip
    # this morning's scans: waybills still forecast, not linked to a pickup
    waiting = list(
        Waybill.objects.filter(status=WaybillStatus.CREATED, pickup_requests__isnull=True)
        .select_related("customer").order_by("number")[:6]
    )  # fmt: skip
    scanned = []
    for i, w in enumerate(waiting):
        extra = 1600 if i == 0 else 120  # the first is far heavier than its forecast
        out = inbound.scan(hub, code=w.number, station=("A1" if i % 2 else "A2"),
                           weight_g=w.forecast_weight_g + extra, length_mm=300, width_mm=220,
                           height_mm=120)  # fmt: skip
        scanned.append((w, out))
    inbound.scan(hub, code="SF1468102345678", station="A1", weight_g=2350, length_mm=400,
                 width_mm=300, height_mm=200)  # no forecast: an unknown parcel  # fmt: skip
    received = [w for w, out in scanned if out["result"] in ("ok", "problem")]
    if received:
        received[-1].refresh_from_db()
        problems.open_problem(service, received[-1], ProblemReason.ADDRESS,
                              "门牌号缺失 / the house number is missing")  # fmt: skip
    # a customer stops one parcel after inbound: the hub holds it at the next scan
    held = 0
    for w in received[1:]:
        w.refresh_from_db()
        actor = portal_of.get(w.customer.code, service)
        waybills.request_intercept(actor, w, "买家取消订单 / the buyer cancelled the order")
        held = 1
        break
    # bags: every received parcel of the hub, one open bag per sort key
    loose = Waybill.objects.filter(status=WaybillStatus.RECEIVED, bag_item__isnull=True,
                                   problems__isnull=True).select_related("channel")  # fmt: skip
    opened: dict[str, object] = {}
    for w in loose:
        key = f"{w.channel.code}/{w.consignee_country}"
        if key not in opened:
            opened[key] = bags.open_bag(hub, channel=w.channel, destination=w.consignee_country)
        bags.scan_into_bag(hub, opened[key], w.number)
    dispatch = None
    us_bag = next((b for k, b in opened.items() if k.startswith("SZ-USLINE/")), None)
    if us_bag is not None:
        us_bag.refresh_from_db()
        bags.weigh_bag(hub, us_bag, max(us_bag.parcels_weight_g, 1) + 400)
        sealed = bags.seal_bag(hub, us_bag)
        dispatch = dispatches.create_dispatch(
            hub, channel="SZ-USLINE", mode="air", mawb=MAWB, flight="CZ327",
            departure_date=timezone.localdate() + dt.timedelta(days=1), origin_airport="SZX",
            destination_airport="LAX",
        )  # fmt: skip
        dispatches.add_bag(hub, dispatch, sealed)
        batches.batch_for_dispatch(hub, dispatch.pk)
    return {"scanned": len(scanned) + 1, "bags": len(opened), "held": held,
            "dispatch": dispatch.number if dispatch else None}  # fmt: skip
