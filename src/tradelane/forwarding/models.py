"""Every model of the forwarding (provider) app, gathered from its sub-packages; the app is
one Django app (label ``forwarding``) split by concern, as the logistics kernel is."""

from .bookings.models import (
    Departure,
    DepartureStatus,
    DriverArea,
    FreightMode,
    Hub,
    HubSlot,
    PickupKind,
    PickupRequest,
    PickupRoute,
    PickupStatus,
    PickupTask,
    SlotUnit,
    SpaceBooking,
    SpaceStatus,
    TaskException,
    TaskStatus,
)
from .declarations.models import (
    CustomsBatch,
    CustomsBatchStatus,
    CustomsBatchWaybill,
    DestinationTaxRate,
    TaxKind,
    WaybillDutyLine,
)
from .hub.models import HOLD_REASONS, ProblemOutcome, ProblemParcel, ProblemReason
from .partners.models import (
    Agent,
    CommissionMode,
    CustomerAccount,
    CustomerLevel,
    PartnerStatus,
    PaymentTerms,
    PortalMembership,
    SettlementMode,
    UpstreamLine,
)
from .waybills.models import (
    Incoterm,
    TrackingStatus,
    Waybill,
    WaybillEvent,
    WaybillItem,
    WaybillPiece,
    WaybillSeries,
    WaybillSource,
    WaybillStatus,
)

__all__ = [
    "Departure", "DepartureStatus", "FreightMode", "Hub", "HubSlot", "PickupKind",
    "PickupRequest", "PickupStatus", "SlotUnit", "SpaceBooking", "SpaceStatus", "DriverArea",
    "PickupRoute", "PickupTask", "TaskException", "TaskStatus",
    "Agent", "CommissionMode", "CustomerAccount", "CustomerLevel", "Incoterm", "PartnerStatus",
    "PaymentTerms", "PortalMembership", "SettlementMode", "TrackingStatus", "UpstreamLine",
    "Waybill", "WaybillEvent", "WaybillItem", "WaybillPiece", "WaybillSeries", "WaybillSource",
    "WaybillStatus", "HOLD_REASONS", "ProblemOutcome", "ProblemParcel", "ProblemReason",
    "CustomsBatch", "CustomsBatchStatus", "CustomsBatchWaybill", "DestinationTaxRate",
    "TaxKind", "WaybillDutyLine",
]  # fmt: skip
