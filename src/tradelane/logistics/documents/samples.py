"""Sample documents for tests, benchmarks and looking at the layout (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .data import Address, CustomsDeclaration, CustomsItem, LabelData

DAY = dt.date(2025, 6, 15)

SENDER = Address(
    name="张伟 Zhang Wei",
    company="深圳市前海跨境电商有限公司",
    address1="南山区科技园南区高新南七道 18 号",
    address2="A 栋 1203 室",
    city="Shenzhen",
    state="Guangdong",
    postcode="518057",
    country="CN",
    phone="+86 755 8888 1234",
)
RECEIVER = Address(
    name="Jennifer Thompson-Williams",
    company="",
    address1="1600 Amphitheatre Parkway",
    address2="Apartment 4B, Building 7",
    city="Mountain View",
    state="CA",
    postcode="94043-1351",
    country="US",
    phone="+1 650 253 0000",
    email="jennifer@example.com",
)
ITEMS = (
    CustomsItem(
        name_zh="蓝牙耳机",
        name_en="Bluetooth earphones",
        hs_code="851830",
        quantity=2,
        unit_value=Decimal("12.50"),
        currency="USD",
        origin_country="CN",
        weight_g=180,
        sku="BT-EAR-01",
    ),
    CustomsItem(
        name_zh="手机壳",
        name_en="Phone case (silicone)",
        hs_code="392690",
        quantity=1,
        unit_value=Decimal("4.20"),
        currency="USD",
        origin_country="CN",
        weight_g=60,
        sku="CASE-9",
    ),
)
DECLARATION = CustomsDeclaration(
    items=ITEMS,
    currency="USD",
    category="sale_of_goods",
    incoterm="DDU",
    ioss_number="IM2760000742",
    date=DAY,
    signature_name="Zhang Wei",
    invoice_number="INV-2025-000123",
)


def sample_label(i: int = 0, *, postal: bool = True, tracking: str | None = None) -> LabelData:
    from tradelane.logistics.shipping.numbers import make_s10

    return LabelData(
        sender=SENDER,
        receiver=RECEIVER,
        tracking_number=tracking or make_s10("RR", 12345678 + i, "CN"),
        channel_code="CNPOST-R",
        service_name="China Post Registered Air Mail 中国邮政挂号小包",
        carrier_name="China Post",
        reference=f"SO-2025-{i:06d}",
        piece=1,
        pieces=1,
        weight_g=260,
        length_mm=200,
        width_mm=150,
        height_mm=50,
        date=DAY,
        postal=postal,
        customs=DECLARATION,
        sort_code="US-LAX",
    )
