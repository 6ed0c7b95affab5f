"""Customs in the role matrix's world: two waybills received at the hub, one of them in a
customs batch (the batch pages), the other free to put in a new one (the create form)."""

from __future__ import annotations

from decimal import Decimal

from tradelane.forwarding.declarations import batches
from tradelane.forwarding.models import Waybill, WaybillItem, WaybillPiece


def _received(customer, channel, number: str) -> Waybill:
    w = Waybill.objects.create(
        number=number, customer=customer, reference=f"R-{number}", channel=channel,
        source="api", status="received", consignee_name="Jane Doe",
        consignee_address1="350 Fifth Avenue", consignee_city="New York",
        consignee_state="NY", consignee_postcode="10118", consignee_country="US",
        declared_value=Decimal("10.00"), declared_currency="USD", forecast_weight_g=500,
        measured_weight_g=500, chargeable_weight_g=500, body_hash="matrix",
    )  # fmt: skip
    WaybillPiece.objects.create(waybill=w, seq=1, weight_g=500)
    WaybillItem.objects.create(waybill=w, seq=1, name_en="Mug", quantity=1, hs_code="691200",
                               unit_value=Decimal("10.00"), currency="USD")  # fmt: skip
    return w


def seed_customs(admin, customer, channel) -> dict:
    declared = _received(customer, channel, "TL2601010000901")
    free = _received(customer, channel, "TL2601010000902")
    batch = batches.create_batch(admin, [declared.pk], name="Matrix batch")
    return {"cb_batch": batch.number, "cb_waybill": declared.number, "cb_free": free.pk}
