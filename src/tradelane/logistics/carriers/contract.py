"""Our own carrier contract: what the logistics domain asks of a real carrier API.

The domain never imports a carrier SDK (ARCHITECTURE.md, layering). Integrations
(``tradelane.integrations.carriers``) implement ``CarrierGateway`` on top of karrio (DHL
Express, FedEx, UPS, USPS, ...) or a Tradelane provider's HTTP API, and ``register`` a factory
per carrier name when their app is ready. Services then call ``gateway_for(account.carrier)``.

All values are our own units: grams, millimetres, ``Money``; statuses are
``tracking.codes``. A gateway raises ``CarrierError`` for a refusal or a failure;
``retryable`` says whether trying again may succeed (429, 5xx, connection refused), and
``outcome_unknown`` that the request may have been carried out (a timeout after sending): a
label purchase must then be looked up with the same ``idempotency_key``, never bought again.

"Number later" is an answer, not a failure: a provider may accept the shipment and give its
tracking number (and so its label) only later. ``LabelResult.number_pending`` says so; the
result then carries the provider's shipment id and no number, and the shipment waits for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.core.money import Money


class CarrierError(DomainError):
    status = 502
    code = "carrier_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        retryable: bool = False,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ):
        super().__init__(message, code=code, details=details)
        self.retryable = retryable
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


@dataclass(frozen=True, slots=True)
class Account:
    """A carrier account as the gateway needs it (credentials decrypted, in memory only)."""

    code: str
    carrier: str
    credentials: dict[str, Any]
    test_mode: bool = False
    base_url: str = ""


@dataclass(frozen=True, slots=True)
class PartyAddress:
    name: str
    address1: str
    city: str
    country: str
    postcode: str = ""
    state: str = ""
    address2: str = ""
    company: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class PieceSpec:
    weight_g: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0


@dataclass(frozen=True, slots=True)
class CustomsLine:
    description: str  # English
    quantity: int
    unit_value: Money
    weight_g: int  # per unit
    hs_code: str = ""
    origin_country: str = "CN"
    description_zh: str = ""
    sku: str = ""


@dataclass(frozen=True, slots=True)
class RateRequest:
    service_code: str
    shipper: PartyAddress
    recipient: PartyAddress
    pieces: tuple[PieceSpec, ...]
    declared_value: Money | None = None


@dataclass(frozen=True, slots=True)
class RateResult:
    service_code: str
    total: Money
    transit_days: int | None = None
    charges: tuple[tuple[str, Money], ...] = ()


@dataclass(frozen=True, slots=True)
class LabelRequest:
    idempotency_key: str  # the same key twice must never buy two labels
    service_code: str
    shipper: PartyAddress
    recipient: PartyAddress
    pieces: tuple[PieceSpec, ...]
    reference: str = ""
    lines: tuple[CustomsLine, ...] = ()
    declared_value: Money | None = None
    incoterm: str = "DDU"  # DDU or DDP
    customs_category: str = "sale_of_goods"
    ioss_number: str = ""
    vat_number: str = ""
    eori_number: str = ""
    label_format: str = "PDF"  # PDF or ZPL
    label_size: str = "4x6"


@dataclass(frozen=True, slots=True)
class LabelResult:
    tracking_number: str
    label: bytes
    label_format: str  # PDF or ZPL
    carrier_shipment_id: str = ""
    piece_tracking_numbers: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    # accepted, the number (and the label) come later: ``tracking_number`` is empty
    number_pending: bool = False
    # what the carrier charges for it, when its answer says (a provider's sale price)
    charge: Money | None = None


@dataclass(frozen=True, slots=True)
class TrackEvent:
    occurred_at: dt.datetime  # aware
    status: str  # a tracking_codes status
    raw_code: str = ""
    raw_text: str = ""
    city: str = ""
    country: str = ""
    location: str = ""


@dataclass(frozen=True, slots=True)
class TrackResult:
    tracking_number: str
    events: tuple[TrackEvent, ...]
    delivered: bool = False
    estimated_delivery: dt.date | None = None
    # the carrier handed the parcel to another (last-mile) carrier and says so
    last_mile_carrier: str = ""
    last_mile_tracking_number: str = ""


class CarrierGateway(Protocol):
    def rate(self, account: Account, request: RateRequest) -> list[RateResult]: ...

    def create_label(self, account: Account, request: LabelRequest) -> LabelResult: ...

    def void(self, account: Account, carrier_shipment_id: str, tracking_number: str) -> None: ...

    def track(self, account: Account, tracking_numbers: list[str]) -> list[TrackResult]: ...


@dataclass(frozen=True, slots=True)
class CarrierInfo:
    """What a page may say about an installed carrier without loading its SDK.

    ``capabilities`` names the contract methods the carrier's API really carries out
    (``rate``, ``label``, ``void``, ``track``); ``finds_lost_labels`` says whether a label
    purchase whose answer was lost can be looked up at the carrier by its idempotency key.
    """

    name: str
    title: str
    capabilities: tuple[str, ...] = ("rate", "label", "void", "track")
    finds_lost_labels: bool = False


_factories: dict[str, Callable[[], CarrierGateway]] = {}
_infos: dict[str, CarrierInfo] = {}


def register(
    carrier: str, factory: Callable[[], CarrierGateway], info: CarrierInfo | None = None
) -> None:
    """``factory`` is called on each ``gateway_for``: it may import the carrier's SDK then,
    so that listing carriers (``registered``, ``carriers``) never does."""
    _factories[carrier] = factory
    _infos[carrier] = info or CarrierInfo(name=carrier, title=carrier)


def registered() -> list[str]:
    return sorted(_factories)


def carriers() -> list[CarrierInfo]:
    """The installed carriers, by name, for pages and the API."""
    return [_infos[name] for name in registered()]


def gateway_for(carrier: str) -> CarrierGateway:
    try:
        factory = _factories[carrier]
    except KeyError:
        raise ValidationFailed(
            f"No carrier connection for {carrier!r} is installed",
            code="carrier_not_supported",
            details={"carrier": carrier, "supported": registered()},
        ) from None
    return factory()
