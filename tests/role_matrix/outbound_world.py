"""The outbound side of the matrix's world: an open bag with nothing in it and an open truck
dispatch (forwarding.outbound), made by the admin through the services."""

from __future__ import annotations

from tradelane.forwarding.outbound import bags, dispatches


def seed_outbound(admin, channel_code: str) -> dict:
    bag = bags.open_bag(admin, channel=channel_code, destination="US")
    dispatch = dispatches.create_dispatch(admin, channel=channel_code, mode="truck",
                                          truck_plate="粤B12345")  # fmt: skip
    return {"ob_bag": bag.pk, "ob_dispatch": dispatch.pk, "ob_channel": channel_code}
