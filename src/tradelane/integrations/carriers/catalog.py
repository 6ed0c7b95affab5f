"""The karrio carriers Tradelane connects to, described without importing karrio.

``apps.py`` registers each of them with the gateway contract at start-up from this list; the
karrio SDK itself is loaded by the first carrier call (``apps.load_gateway``), in whichever
process makes it (normally the task worker, which delivers the label and tracking outbox
messages). Listing carriers for a page costs nothing.
"""

from __future__ import annotations

from tradelane.logistics.carriers.contract import CarrierInfo

CARRIERS = ("dhl_express", "fedex", "ups", "usps_international")

# Whether a lost label purchase can be found again at the real carrier by its reference
# (gateway.py says how each carrier does it; USPS international offers no such lookup).
REAL_LOOKUP = {"ups": True, "fedex": True, "dhl_express": True, "usps_international": False}

INFOS = {
    # MyDHL API cancels pickups, not shipments: an unused DHL Express label lapses, nothing to void
    "dhl_express": CarrierInfo(
        "dhl_express", "DHL Express (MyDHL API)", ("rate", "label", "track"), True
    ),
    "fedex": CarrierInfo("fedex", "FedEx", finds_lost_labels=True),
    "ups": CarrierInfo("ups", "UPS", finds_lost_labels=True),
    "usps_international": CarrierInfo("usps_international", "USPS International"),
}
