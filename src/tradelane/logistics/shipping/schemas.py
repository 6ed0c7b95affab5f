"""The parcel as the API speaks it: kilograms and centimetres, rounded up to the whole grams
and millimetres of the parcel columns (four and two decimals, as the catalog takes them)."""

from __future__ import annotations

from decimal import Decimal

from tradelane.api.types import BodySchema, Int, centimetres, column_decimal, kilograms
from tradelane.core.units import to_grams, to_mm

from ..rates.parcels import Measured
from .models import Shipment, ShipmentParcel

ParcelKg = kilograms(ShipmentParcel, "weight_g", places=4, positive=True)
MeasuredKg = kilograms(ShipmentParcel, "weight_g", places=4)
LengthCm = centimetres(ShipmentParcel, "length_mm", places=2)
WidthCm = centimetres(ShipmentParcel, "width_mm", places=2)
HeightCm = centimetres(ShipmentParcel, "height_mm", places=2)
DeclaredValue = column_decimal(Shipment, "declared_value")


class MeasuredIn(BodySchema):
    weight_kg: MeasuredKg
    length_cm: LengthCm = Decimal(0)
    width_cm: WidthCm = Decimal(0)
    height_cm: HeightCm = Decimal(0)
    pieces: Int(1, 99) = 1

    def measured(self) -> Measured:
        return Measured(
            to_grams(self.weight_kg, "kg"), to_mm(self.length_cm, "cm"), to_mm(self.width_cm, "cm"),
            to_mm(self.height_cm, "cm"),
            self.pieces,
        )  # fmt: skip
