"""Plain, frozen input data for labels, customs documents and manifests.

No models here: services map their rows to these dataclasses, and the renderers turn them into
bytes (PDF) or text (ZPL, CSV). Weights are integer grams, dimensions integer millimetres,
money ``Decimal`` with an ISO 4217 currency (DOMAIN.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money, check_currency, to_decimal

GIFT = "gift"
COMMERCIAL_SAMPLE = "commercial_sample"
DOCUMENTS = "documents"
RETURNED_GOODS = "returned_goods"
SALE_OF_GOODS = "sale_of_goods"
OTHER = "other"
CATEGORIES = (GIFT, COMMERCIAL_SAMPLE, DOCUMENTS, RETURNED_GOODS, SALE_OF_GOODS, OTHER)
# Printed names (UPU CN22/CN23 wording) with the Chinese used on Chinese postal forms.
CATEGORY_LABELS = {
    GIFT: ("Gift", "礼品"),
    COMMERCIAL_SAMPLE: ("Commercial sample", "商品货样"),
    DOCUMENTS: ("Documents", "文件"),
    RETURNED_GOODS: ("Returned goods", "退回物品"),
    SALE_OF_GOODS: ("Sale of goods", "销售货物"),
    OTHER: ("Other", "其他"),
}
INCOTERMS = ("DDP", "DDU")
SIZES = ("4x6", "100x100")


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    name: str
    address1: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    company: str = ""
    address2: str = ""
    state: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""

    def city_line(self) -> str:
        """``City, State Postcode`` as most carriers print it (empty parts left out)."""
        head = ", ".join(p for p in (self.city, self.state) if p)
        return f"{head} {self.postcode}".strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomsItem:
    name_en: str
    quantity: int
    unit_value: Decimal
    currency: str
    weight_g: int  # the weight of all ``quantity`` pieces of this line, net
    name_zh: str = ""
    hs_code: str = ""
    origin_country: str = "CN"
    sku: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise ValidationFailed("Quantity is a whole number", code="invalid_quantity")
        if self.quantity <= 0:
            raise ValidationFailed("Quantity must be positive", code="invalid_quantity")
        if isinstance(self.weight_g, bool) or not isinstance(self.weight_g, int):
            raise ValidationFailed("Weight is whole grams", code="invalid_weight")
        if self.weight_g < 0:
            raise ValidationFailed("Weight cannot be negative", code="invalid_weight")
        value = to_decimal(self.unit_value)
        if value < 0:
            raise ValidationFailed("Unit value cannot be negative", code="invalid_amount")
        object.__setattr__(self, "unit_value", value)
        object.__setattr__(self, "currency", check_currency(self.currency))

    @property
    def line_value(self) -> Decimal:
        return self.unit_value * self.quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomsDeclaration:
    """What the sender declares. ``total_value`` and ``total_weight_g`` default to the sums of
    the items; items must be in the declaration's currency (convert before, with a stored
    rate: the renderer never converts)."""

    items: tuple[CustomsItem, ...]
    currency: str
    category: str = SALE_OF_GOODS
    total_value: Decimal | None = None
    total_weight_g: int | None = None
    incoterm: str = "DDU"
    ioss_number: str = ""
    vat_number: str = ""
    eori_number: str = ""
    sender_reference: str = ""  # the sender's customs reference (CN23)
    importer_reference: str = ""  # the importer's reference: tax code, VAT or importer code
    importer_phone: str = ""
    importer_email: str = ""
    invoice_number: str = ""
    licence_numbers: tuple[str, ...] = ()
    certificate_numbers: tuple[str, ...] = ()
    postal_charges: Decimal | None = None  # postal charges / fees (CN23)
    explanation: str = ""  # "Other": explanation; also reason for export on the invoice
    comments: str = ""  # e.g. goods subject to quarantine or other restrictions
    date: dt.date | None = None
    signature_name: str = ""

    def __post_init__(self) -> None:
        items = tuple(self.items)
        object.__setattr__(self, "items", items)
        if not items:
            raise ValidationFailed("A customs declaration needs an item", code="no_items")
        currency = check_currency(self.currency)
        object.__setattr__(self, "currency", currency)
        if self.category not in CATEGORIES:
            raise ValidationFailed(
                f"Unknown customs category {self.category!r}",
                code="invalid_category",
                details={"allowed": list(CATEGORIES)},
            )
        if self.incoterm not in INCOTERMS:
            raise ValidationFailed(
                f"Incoterm must be DDP or DDU, not {self.incoterm!r}", code="invalid_incoterm"
            )
        for item in items:
            if item.currency != currency:
                raise ValidationFailed(
                    f"Item {item.name_en!r} is in {item.currency}, the declaration in "
                    f"{currency}: convert first",
                    code="currency_mismatch",
                )
        if self.total_value is None:
            object.__setattr__(self, "total_value", sum((i.line_value for i in items), Decimal(0)))
        else:
            object.__setattr__(self, "total_value", to_decimal(self.total_value))
        if self.total_weight_g is None:
            object.__setattr__(self, "total_weight_g", sum(i.weight_g for i in items))
        if self.postal_charges is not None:
            object.__setattr__(self, "postal_charges", to_decimal(self.postal_charges))

    @property
    def total(self) -> Money:
        return Money(self.total_value, self.currency)


@dataclass(frozen=True, slots=True, kw_only=True)
class CN22Limits:
    """The CN22 ceiling a channel uses (dated configuration held by the caller; DOMAIN.md:
    up to 300 SDR and about 2 kg). ``max_value`` must be in the declaration's currency."""

    max_value: Money
    max_weight_g: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelData:
    sender: Address
    receiver: Address
    tracking_number: str
    channel_code: str = ""
    service_name: str = ""
    carrier_name: str = ""
    reference: str = ""
    piece: int = 1
    pieces: int = 1
    weight_g: int = 0
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    date: dt.date | None = None
    postal: bool = False
    customs: CustomsDeclaration | None = None
    # With limits, the CN22 block is printed only within them; without, the caller has
    # already decided the item travels under CN22 (postal and a declaration suffice).
    cn22_limits: CN22Limits | None = None
    sort_code: str = ""  # routing / sort code printed large (e.g. a last-mile hub)
    return_address: Address | None = None

    def __post_init__(self) -> None:
        if not self.tracking_number or not self.tracking_number.isascii():
            raise ValidationFailed(
                "A label needs an ASCII tracking number", code="invalid_tracking_number"
            )
        if not 1 <= self.piece <= self.pieces:
            raise ValidationFailed(
                f"Piece {self.piece} of {self.pieces} is impossible", code="invalid_pieces"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestRow:
    tracking_number: str
    receiver_name: str
    city: str
    country: str
    weight_g: int
    declared_value: Decimal
    currency: str
    reference: str = ""
    pieces: int = 1


def totals_by_currency(values: Iterable[tuple[str, object]]) -> tuple[tuple[str, Decimal], ...]:
    """``(currency, amount)`` pairs totalled per currency (never added across currencies),
    sorted by currency: what a manifest prints as its declared value."""
    out: dict[str, Decimal] = {}
    for currency, value in values:
        out[currency] = out.get(currency, Decimal(0)) + to_decimal(value)
    return tuple(sorted(out.items()))


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestData:
    """One channel's handover list for one day. Totals are computed from the rows; declared
    values are totalled per currency (never added across currencies)."""

    number: str  # the manifest number (printed as a Code128 barcode)
    channel: str
    date: dt.date
    rows: tuple[ManifestRow, ...]
    shipper: str = ""
    carrier_name: str = ""
    total_pieces: int = field(init=False)
    total_weight_g: int = field(init=False)
    total_values: tuple[tuple[str, Decimal], ...] = field(init=False)

    def __post_init__(self) -> None:
        rows = tuple(self.rows)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "total_pieces", sum(r.pieces for r in rows))
        object.__setattr__(self, "total_weight_g", sum(r.weight_g for r in rows))
        values = totals_by_currency((r.currency, r.declared_value) for r in rows)
        object.__setattr__(self, "total_values", values)
