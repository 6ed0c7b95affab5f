"""The columns of a waybill upload (批量下单): one row per declared goods line, the waybill's
cells repeated on each of its rows (or left empty after the first), rows grouped into one
waybill by ``customer`` + ``reference``; with the header names Chinese forwarders' templates use.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

WAYBILL_COLUMNS: tuple[tuple[str, object, bool, tuple[str, ...]], ...] = (
    ("customer", _("Customer code"), False, ("客户代码", "客户编号", "客户")),
    ("reference", _("Customer reference"), True,
     ("客户单号", "参考号", "订单号", "reference no", "reference_no", "ref")),
    ("channel", _("Channel"), False, ("渠道", "渠道代码", "运输方式", "产品", "shipping method")),
    ("consignee_name", _("Consignee"), True, ("收件人", "收件人姓名", "consignee", "name")),
    ("consignee_company", _("Consignee company"), False, ("收件人公司", "公司", "company")),
    ("consignee_phone", _("Phone"), False, ("电话", "收件人电话", "手机", "phone")),
    ("consignee_email", _("Email"), False, ("邮箱", "收件人邮箱", "email")),
    ("consignee_address1", _("Address"), True,
     ("地址", "地址1", "收件地址", "详细地址", "address", "address1", "street")),
    ("consignee_address2", _("Address line 2"), False, ("地址2", "address2")),
    ("consignee_city", _("City"), True, ("城市", "city")),
    ("consignee_state", _("State or province"), False, ("州", "省", "州/省", "state", "province")),
    ("consignee_postcode", _("Postcode"), False, ("邮编", "邮政编码", "zip", "postcode")),
    ("consignee_country", _("Country"), True, ("国家", "国家代码", "目的国", "country")),
    ("pieces", _("Pieces"), False, ("件数", "箱数", "pieces")),
    ("weight_kg", _("Weight (kg)"), True,
     ("重量", "重量kg", "预报重量", "总重量", "weight", "weight kg")),
    ("length_cm", _("Length (cm)"), False, ("长", "长cm", "length")),
    ("width_cm", _("Width (cm)"), False, ("宽", "宽cm", "width")),
    ("height_cm", _("Height (cm)"), False, ("高", "高cm", "height")),
    ("incoterm", _("DDP or DDU"), False, ("贸易条款", "税费支付", "incoterm")),
    ("ioss", "IOSS", False, ("ioss号", "ioss")),
    ("vat_number", _("VAT number"), False, ("vat", "vat号", "税号")),
    ("eori", "EORI", False, ("eori号",)),
    ("insurance_value", _("Insurance value"), False, ("保险金额", "投保金额")),
    ("insurance_currency", _("Insurance currency"), False, ("保险币种",)),
    ("note", _("Note"), False, ("备注", "note", "remark")),
    ("item_name_en", _("English name"), True, ("英文品名", "申报英文名", "english name")),
    ("item_name_zh", _("Chinese name"), False, ("中文品名", "申报中文名", "chinese name")),
    ("item_quantity", _("Quantity"), True, ("数量", "申报数量", "qty", "quantity")),
    ("item_unit_value", _("Unit value"), True, ("申报单价", "单价", "unit value", "price")),
    ("item_currency", _("Currency"), True, ("币种", "申报币种", "currency")),
    ("item_unit_weight_kg", _("Unit weight (kg)"), False, ("单件重量", "申报重量", "unit weight")),
    ("item_hs_code", _("HS code"), False, ("海关编码", "hs编码", "hs code", "hscode")),
    ("item_origin", _("Origin"), False, ("原产地", "origin")),
    ("item_material", _("Material"), False, ("材质", "material")),
    ("item_sku", "SKU", False, ("sku", "商品sku")),
    ("item_sales_url", _("Sales URL"), False, ("销售链接", "url")),
    ("battery", _("Battery"), False, ("带电", "含电池", "battery")),
    ("liquid", _("Liquid"), False, ("液体", "liquid")),
    ("magnet", _("Magnet"), False, ("带磁", "magnet")),
)  # fmt: skip
