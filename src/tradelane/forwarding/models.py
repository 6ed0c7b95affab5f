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
from .hub.models import (
    HOLD_REASONS,
    InboundPiece,
    InboundScan,
    ProblemOutcome,
    ProblemParcel,
    ProblemReason,
    ScanResult,
    UnknownParcel,
    WeightTolerance,
)
from .lastmile.models import (
    AssignmentSource,
    LastMileAssignment,
    LastMileEvent,
    LastMileRequest,
    RequestStatus,
)
from .outbound.models import (
    Bag,
    BagItem,
    BagKind,
    BagStatus,
    Dispatch,
    DispatchMode,
    DispatchStatus,
    MailCategory,
    OutboundSeries,
    PostalRoute,
)
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
    "InboundPiece", "InboundScan", "ScanResult", "UnknownParcel", "WeightTolerance",
    "Bag", "BagItem", "BagKind", "BagStatus", "Dispatch", "DispatchMode", "DispatchStatus",
    "MailCategory", "OutboundSeries", "PostalRoute",
    "AssignmentSource", "LastMileAssignment", "LastMileEvent", "LastMileRequest", "RequestStatus",
    "CustomsBatch", "CustomsBatchStatus", "CustomsBatchWaybill", "DestinationTaxRate",
    "TaxKind", "WaybillDutyLine",
]  # fmt: skip
