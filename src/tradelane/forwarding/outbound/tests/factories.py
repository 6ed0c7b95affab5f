"""Received parcels and postal routes for the outbound tests, through the real services."""

from __future__ import annotations

from tradelane.forwarding.tests.factories import payload
from tradelane.forwarding.waybills import services

from ..models import PostalRoute


def received(p, reference: str, *, weight_g: int = 1000, customer=None, user=None, **over):
    """A waybill of ACME (or ``customer``) scanned in and weighed at the hub."""
    w, _ = services.create_waybill(user or p.acme_user, customer or p.acme,
                                   payload(reference, **over))  # fmt: skip
    return services.receive(p.hub, w, weight_g=weight_g)


def make_postal(p, channel=None, destination: str = "GB", **over) -> PostalRoute:
    """EUPOST as a postal channel, exchanging CNSHAA -> GBLONA (air, letters UN)."""
    from tradelane.logistics.models import Channel

    ch = channel or p.eu
    Channel.objects.filter(pk=ch.pk).update(service_type="postal")
    ch.refresh_from_db()
    fields = {"origin_office": "CNSHAA", "destination_office": "GBLONA", "mail_category": "A",
              "mail_subclass": "UN", "registered_flag": "0", **over}  # fmt: skip
    return PostalRoute.objects.create(channel=ch, destination=destination, **fields)
