"""The fee items (费用项) in code: what each is called in both languages, whether it is billed
to the customer (receivable), paid to the upstream line (payable) or both, and whether it is
taxable. ``services.seed_fee_items`` writes them to ``FeeItem`` (after every migrate, so the
table is never without them), and the rate engine's charge lines map onto them here.
"""

from __future__ import annotations

from typing import NamedTuple

from tradelane.logistics.rates.descriptions import (
    CHARGE_FREIGHT,
    CHARGE_FUEL,
    CHARGE_REGISTRATION,
    SUR_BATTERY,
    SUR_FIXED,
    SUR_LIQUID,
    SUR_MAGNET,
    SUR_OVERSIZE,
    SUR_OVERWEIGHT,
    SUR_REMOTE,
)


class FeeItemSpec(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    receivable: bool = True
    payable: bool = True
    taxable: bool = False


FREIGHT = "freight"
REGISTRATION = "registration"
FUEL = "fuel"
REMOTE_AREA = "remote_area"
OVERSIZE = "oversize"
OVERWEIGHT = "overweight"
BATTERY = "battery"
LIQUID = "liquid"
MAGNET = "magnet"
SURCHARGE = "surcharge"
CUSTOMS_DECLARATION = "customs_declaration"
INSPECTION = "inspection"
DUTY = "duty"
VAT = "vat"
DDP_HANDLING = "ddp_handling"
INSURANCE = "insurance"
PICKUP = "pickup"
STORAGE = "storage"
HOLD_RETURN = "hold_return"
RELABEL = "relabel"
MANUAL = "manual"

FEE_ITEMS: tuple[FeeItemSpec, ...] = (
    FeeItemSpec(FREIGHT, "运费", "Freight"),
    FeeItemSpec(REGISTRATION, "挂号费", "Registration fee"),
    FeeItemSpec(FUEL, "燃油附加费", "Fuel surcharge"),
    FeeItemSpec(REMOTE_AREA, "偏远附加费", "Remote area surcharge"),
    FeeItemSpec(OVERSIZE, "超长附加费", "Oversize surcharge"),
    FeeItemSpec(OVERWEIGHT, "超重附加费", "Overweight surcharge"),
    FeeItemSpec(BATTERY, "带电附加费", "Battery surcharge"),
    FeeItemSpec(LIQUID, "液体附加费", "Liquid surcharge"),
    FeeItemSpec(MAGNET, "带磁附加费", "Magnet surcharge"),
    FeeItemSpec(SURCHARGE, "其他附加费", "Other surcharge"),
    FeeItemSpec(CUSTOMS_DECLARATION, "报关费", "Customs declaration fee"),
    FeeItemSpec(INSPECTION, "查验费", "Inspection fee"),
    FeeItemSpec(DUTY, "关税", "Import duty"),
    FeeItemSpec(VAT, "增值税", "VAT", taxable=False),
    FeeItemSpec(DDP_HANDLING, "DDP 操作费", "DDP handling fee", taxable=True),
    FeeItemSpec(INSURANCE, "保险费", "Insurance"),
    FeeItemSpec(PICKUP, "上门揽收费", "Pickup fee", payable=False, taxable=True),
    FeeItemSpec(STORAGE, "仓储费", "Storage fee", payable=False, taxable=True),
    FeeItemSpec(HOLD_RETURN, "扣件/退件费", "Hold and return fee", taxable=True),
    FeeItemSpec(RELABEL, "换标费", "Re-label fee", payable=False, taxable=True),
    FeeItemSpec(MANUAL, "手工调整", "Manual adjustment"),
)
FEE_ITEM_CODES = frozenset(item.code for item in FEE_ITEMS)
BY_CODE = {item.code: item for item in FEE_ITEMS}

# A rate engine charge line's fee item: the base charges by their code, surcharges by their
# kind (a sheet may code a remote-area surcharge "RAS"; its kind is still "remote").
CHARGE_ITEMS = {
    CHARGE_FREIGHT: FREIGHT,
    CHARGE_REGISTRATION: REGISTRATION,
    CHARGE_FUEL: FUEL,
}
SURCHARGE_ITEMS = {
    SUR_REMOTE: REMOTE_AREA,
    SUR_OVERSIZE: OVERSIZE,
    SUR_OVERWEIGHT: OVERWEIGHT,
    SUR_BATTERY: BATTERY,
    SUR_LIQUID: LIQUID,
    SUR_MAGNET: MAGNET,
    SUR_FIXED: SURCHARGE,
}
# The items a rate sheet prices: a re-rating owns these (it posts their deltas) and leaves
# every other item (duty, storage, manual...) as it is.
RATED_ITEMS = frozenset(CHARGE_ITEMS.values()) | frozenset(SURCHARGE_ITEMS.values())
