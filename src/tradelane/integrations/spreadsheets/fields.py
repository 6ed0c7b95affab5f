"""Our fields per entity (what a column can be mapped to), their labels, and header aliases
used to suggest a mapping from a file's headers (English and common Chinese headers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tradelane.orders.importing.readers import CSV_COLUMNS

from .waybill_fields import WAYBILL_COLUMNS


@dataclass(frozen=True)
class Field:
    key: str
    label: object
    required: bool = False
    aliases: tuple[str, ...] = ()


_ORDER_ALIASES = {
    "store": ("店铺", "店铺代码", "店铺编码", "shop", "store code"),
    "external_id": (
        "订单号",
        "平台订单号",
        "订单编号",
        "order id",
        "order no",
        "order number",
        "外部订单号",
    ),
    "number": ("订单显示号", "display number"),
    "placed_at": ("下单时间", "订单时间", "付款时间", "order date", "created at", "date"),
    "currency": ("币种", "货币"),
    "payment_status": ("付款状态", "支付状态"),
    "buyer_name": ("买家", "买家姓名", "buyer"),
    "buyer_email": ("邮箱", "买家邮箱", "email"),
    "buyer_phone": ("买家电话",),
    "ship_name": ("收件人", "收货人", "收件人姓名", "recipient", "ship to name", "name"),
    "ship_company": ("公司", "收件人公司", "company"),
    "ship_address1": ("地址", "地址1", "收件地址", "详细地址", "address", "address 1", "street"),
    "ship_address2": ("地址2", "address 2"),
    "ship_city": ("城市", "city"),
    "ship_state": ("州", "省", "州/省", "省份", "state", "province"),
    "ship_postcode": ("邮编", "邮政编码", "postcode", "zip", "postal code", "zip code"),
    "ship_country": ("国家", "国家代码", "收件国家", "country", "country code"),
    "ship_phone": ("电话", "收件人电话", "手机", "phone", "telephone"),
    "items_total": ("商品总额",),
    "shipping_total": ("运费", "shipping"),
    "tax_total": ("税费", "税", "tax"),
    "discount_total": ("折扣", "优惠", "discount"),
    "grand_total": ("订单金额", "总金额", "total"),
    "store_sku": ("sku", "店铺sku", "平台sku", "seller sku"),
    "title": ("商品名称", "标题", "品名", "product name", "item"),
    "quantity": ("数量", "qty"),
    "unit_price": ("单价", "价格", "price", "unit price"),
    "note": ("备注", "买家留言", "notes", "remark"),
}
_ORDER_REQUIRED = {"store", "external_id", "store_sku", "quantity"}

ORDER_FIELDS = tuple(
    Field(key, key, key in _ORDER_REQUIRED, _ORDER_ALIASES.get(key, ())) for key in CSV_COLUMNS
)

PRODUCT_FIELDS = (
    Field(
        "product_code",
        _("Product code"),
        True,
        ("产品编码", "产品代码", "产品编号", "spu", "product", "product code"),
    ),
    Field("product_name", _("Product name"), False, ("产品名称", "产品名", "中文名称")),
    Field("product_name_en", _("Product name (English)"), False, ("英文名称", "产品英文名")),
    Field("code", _("SKU"), True, ("sku", "sku编码", "sku code", "sku代码", "商品编码")),
    Field("name", _("SKU name"), False, ("sku名称", "商品名称", "品名", "sku name")),
    Field("variant", _("Variant"), False, ("规格", "变体", "属性", "variant")),
    Field(
        "weight_kg",
        _("Weight (kg)"),
        False,
        ("重量", "重量kg", "重量(kg)", "重量（kg）", "weight", "weight kg"),
    ),
    Field("weight_g", _("Weight (g)"), False, ("重量g", "重量(g)", "重量（g）", "克重")),
    Field("length_cm", _("Length (cm)"), False, ("长", "长度", "长cm", "长(cm)", "length")),
    Field("width_cm", _("Width (cm)"), False, ("宽", "宽度", "宽cm", "宽(cm)", "width")),
    Field("height_cm", _("Height (cm)"), False, ("高", "高度", "高cm", "高(cm)", "height")),
    Field("cost", _("Cost"), False, ("成本", "采购价", "成本价", "进价", "cost amount")),
    Field("cost_currency", _("Cost currency"), False, ("成本币种", "采购币种")),
    Field(
        "declared_name_zh",
        _("Declared name (zh)"),
        False,
        ("申报中文名", "中文申报名", "报关中文名"),
    ),
    Field(
        "declared_name_en",
        _("Declared name (en)"),
        False,
        ("申报英文名", "英文申报名", "报关英文名"),
    ),
    Field("hs_code", _("HS code"), False, ("海关编码", "hs编码", "hs", "海关编码hs", "商品编码hs")),
    Field("declared_value", _("Declared value"), False, ("申报价值", "申报价格", "申报金额")),
    Field("declared_currency", _("Declared currency"), False, ("申报币种",)),
    Field("origin_country", _("Origin country"), False, ("原产国", "原产地", "origin")),
    Field("has_battery", _("Battery"), False, ("带电", "含电池", "电池", "battery")),
    Field("has_liquid", _("Liquid"), False, ("液体", "含液体", "liquid")),
    Field("has_magnet", _("Magnet"), False, ("磁性", "带磁", "含磁", "magnet")),
    Field("status", _("Status"), False, ("状态",)),
)

STOCK_FIELDS = (
    Field("sku", _("SKU"), True, ("sku", "sku编码", "sku code", "商品编码")),
    Field("warehouse", _("Warehouse"), True, ("仓库", "仓库代码", "仓库编码", "warehouse code")),
    Field(
        "quantity",
        _("Quantity"),
        True,
        ("库存", "数量", "盘点数量", "实盘数量", "在库数量", "on hand", "qty", "stock", "count"),
    ),
)

WAYBILL_FIELDS = tuple(
    Field(key, label, required, aliases) for key, label, required, aliases in WAYBILL_COLUMNS
)

FIELDS = {
    "orders": ORDER_FIELDS,
    "products": PRODUCT_FIELDS,
    "stock": STOCK_FIELDS,
    "waybills": WAYBILL_FIELDS,
}
ENTITIES = tuple(FIELDS)


def field_keys(entity: str) -> tuple[str, ...]:
    return tuple(f.key for f in FIELDS[entity])


def _norm(text: object) -> str:
    """Lower case without blanks, underscores, hyphens, dots and brackets (both widths)."""
    return re.sub(r"[\s_\-.()（）:：*]+", "", str(text or "").lower())


def suggest_mapping(entity: str, headers: list[str]) -> dict[str, str]:
    """{our field: their header} for each header that names one of our fields (its key, its
    English label or a known alias, Chinese included); each header is used at most once."""
    by_norm: dict[str, str] = {}
    for header in headers:
        if header:
            by_norm.setdefault(_norm(header), header)
    out: dict[str, str] = {}
    used: set[str] = set()
    for field in FIELDS[entity]:
        names = (field.key, str(field.label), *field.aliases)
        for name in names:
            header = by_norm.get(_norm(name))
            if header is not None and header not in used:
                out[field.key] = header
                used.add(header)
                break
    return out
