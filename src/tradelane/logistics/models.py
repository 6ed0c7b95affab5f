"""Every model of the logistics app, gathered from its sub-packages.

The kernel is one Django app (label ``logistics``) split into sub-packages by concern; each
keeps its models in its own ``models.py``. Importing them here registers them with Django (the
app label does not depend on the module), so migrations did not change when the models moved,
and ``tradelane.logistics.models`` stays the one import for code outside the kernel.
"""

from .carriers.models import CarrierAccount
from .customs.models import CustomsThreshold, StoreCustomsNumber
from .rates.models import (
    MONEY,
    Bracket,
    Channel,
    FuelRate,
    PlaceRule,
    RateSheet,
    RemoteAreaRule,
    Surcharge,
    Zone,
    ZoneRule,
)
from .shipping.models import (
    Manifest,
    S10Series,
    Shipment,
    ShipmentDocument,
    ShipmentItem,
    ShipmentOrder,
    ShipmentParcel,
    ShipmentStatus,
)
from .shopping.models import (
    SHOP_CHEAPEST,
    SHOP_CHEAPEST_WITHIN,
    SHOP_FASTEST,
    SHOP_STRATEGIES,
    RateChoice,
    ShippingRule,
)
from .tracking.models import InboundTracking, TrackingEvent, TrackingException

__all__ = [
    "MONEY", "SHOP_CHEAPEST", "SHOP_CHEAPEST_WITHIN", "SHOP_FASTEST", "SHOP_STRATEGIES",
    "Bracket", "CarrierAccount", "Channel", "CustomsThreshold", "FuelRate", "InboundTracking",
    "Manifest", "PlaceRule", "RateChoice", "RateSheet", "RemoteAreaRule", "S10Series",
    "Shipment", "ShipmentDocument", "ShipmentItem", "ShipmentOrder", "ShipmentParcel",
    "ShipmentStatus", "ShippingRule", "StoreCustomsNumber", "Surcharge", "TrackingEvent",
    "TrackingException", "Zone", "ZoneRule",
]  # fmt: skip
