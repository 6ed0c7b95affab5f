"""Every code the domain raises or stores has a label in both languages (``labels.REGISTRY``).

The codes are found where they are made, not copied into the test: the error codes raised in
``src`` (an ``ast`` scan of every ``DomainError`` and its subclasses), the import row errors and
fields, the rate engine's refusal reasons, the reasons services write on state events, and the
registries of tracking statuses, sub-statuses, event sources and customs terms. A new code
without a zh-Hans label fails here.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest
from django.template import Context, Template
from django.utils import translation

from tradelane.integrations.tracking_hooks import mapping as hooks
from tradelane.logistics.customs import decisions
from tradelane.logistics.documents import data as documents
from tradelane.logistics.shipping.models import ShipmentStatus
from tradelane.logistics.shopping import configuration
from tradelane.logistics.shopping.models import SHOP_STRATEGIES
from tradelane.logistics.tracking import codes as tc
from tradelane.logistics.tracking import services as tracking
from tradelane.web import code_labels, labels

SRC = Path(__file__).resolve().parents[2]  # src/tradelane
CJK = re.compile(r"[\u4e00-\u9fff]")
# labels that read the same in Chinese
SAME_IN_BOTH = {"SKU", "API"}

ERROR_CLASSES = {
    "DomainError", "ValidationFailed", "NotFound", "PermissionDenied", "Conflict",
    "InvalidTransition", "CarrierError", "InsufficientStock", "DecryptionFailed",
    "FileLimitExceeded",
}  # fmt: skip
# helpers that build an error from a code they are given: (function name, index of the code)
ERROR_HELPERS = {"_whole": 4, "_field_error": 2, "_company_error": 2, "_count_error": 1}


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings(node: ast.expr) -> list[str]:
    """The codes an expression can be: a constant, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def raised_error_codes() -> set[str]:
    codes: set[str] = set()
    for _path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & ERROR_CLASSES:
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and getattr(stmt.targets[0], "id", "") == "code"
                    ):
                        codes.update(_strings(stmt.value))
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name in ERROR_CLASSES:
                for kw in node.keywords:
                    if kw.arg == "code":
                        codes.update(_strings(kw.value))
            elif name in ERROR_HELPERS and len(node.args) > ERROR_HELPERS[name]:
                codes.update(_strings(node.args[ERROR_HELPERS[name]]))
    # ``shopping.configuration.get`` raises f"{what}_not_found" for each kind it keeps
    codes.update(f"{what}_not_found" for what in configuration.MODELS)
    return codes


def import_row_errors() -> tuple[set[str], set[str]]:
    """(codes, fields) of the import row errors (``_err(field, code, message)``)."""
    codes: set[str] = set()
    fields: set[str] = set()
    for _path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "_err" and len(node.args) >= 2:
                codes.update(_strings(node.args[1]))
                fields.update(f for f in _strings(node.args[0]) if f)
    return codes, fields


def refusal_codes() -> set[str]:
    codes: set[str] = set()
    for _path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "Reason" and node.args:
                codes.update(_strings(node.args[0]))
    return codes


def history_reasons() -> set[str]:
    """The fixed reasons services write on state events: ``reason="..."`` and the reason
    argument of ``change_status(actor, order, status, reason)``."""
    reasons: set[str] = set()
    for path, tree in _modules():
        if path.parent.name in ("views", "demo") or path.name == "views.py":
            continue  # pages pass on what people typed; the demo writes bilingual reasons
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg == "reason":
                    reasons.update(_strings(kw.value))
            if _name(node.func) == "change_status" and len(node.args) >= 4:
                reasons.update(_strings(node.args[3]))
    return {r for r in reasons if r}


def _zh_and_en(render) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(render())
    with translation.override("en"):
        en = str(render())
    return zh, en


def _untranslated(codes, render) -> list[tuple[str, str]]:
    """Codes whose zh-Hans label is the code itself, or is the English one (no translation)."""
    bad = []
    for code in sorted(codes):
        zh, en = _zh_and_en(lambda code=code: render(code))
        if zh in SAME_IN_BOTH and zh != code:
            continue
        if zh == code or zh == en or not CJK.search(zh):
            bad.append((code, zh))
    return bad


def test_the_scan_finds_the_codes_it_should():
    # the scanners themselves: a few codes each must find (so an empty scan cannot pass)
    errors = raised_error_codes()
    assert {"channel_refused", "invalid_weight", "rule_not_found", "carrier_rate_limited",
            "carrier_unavailable", "permission_denied", "insufficient_stock",
            "invalid_hs_code"} <= errors  # fmt: skip
    assert len(errors) > 150
    codes, fields = import_row_errors()
    assert {"invalid_quantity", "unknown_store", "invalid_value"} <= codes
    assert {"placed_at", "shipping_address.country", "totals.grand"} <= fields
    assert {"battery_not_accepted", "no_zone", "too_slow", "excluded_by_rule"} <= (refusal_codes())
    assert {"carrier: delivered", "handed over", "allocated by merge"} <= history_reasons()


def test_every_raised_error_code_has_a_chinese_label():
    # messages with places (``%(limit)s``) are filled from the error's details
    details = defaultdict(lambda: "7")
    render = lambda code: labels.error_text(code, "", details)  # noqa: E731
    assert _untranslated(raised_error_codes(), render) == []


def test_every_import_row_error_and_field_has_a_chinese_label():
    codes, fields = import_row_errors()
    assert _untranslated(codes, labels.import_error_text) == []
    from tradelane.orders import importing

    columns = set(importing.CSV_COLUMNS) | fields | {"lines[0].quantity", "lines[2]"}
    assert _untranslated(columns, code_labels.import_field_label) == []
    with translation.override("zh-hans"):
        assert code_labels.import_field_label("lines[0].quantity") == "第 1 个商品行：数量"
        assert code_labels.import_field_label("ship_country") == "国家"
    with translation.override("en"):
        assert code_labels.import_field_label("lines[0].quantity") == "Line 1: Quantity"


def test_every_rate_shop_refusal_and_strategy_has_a_chinese_label():
    refusals = refusal_codes() - {""}
    assert refusals <= set(code_labels.REFUSAL)
    assert _untranslated(refusals, lambda c: labels.code_label(c, "refusal")) == []
    assert _untranslated(SHOP_STRATEGIES, lambda c: labels.code_label(c, "strategy")) == []


def test_every_reason_a_service_writes_has_a_chinese_label():
    assert _untranslated(history_reasons(), labels.event_reason) == []
    # the reasons with a value in them (a shipment number, a carrier)
    with translation.override("zh-hans"):
        assert labels.event_reason("shipment S-0001") == "已加入发货单 S-0001"
        assert labels.event_reason("label bought from DHL") == "已向 DHL 购买面单"
        assert labels.event_reason("三次恶意拒付") == "三次恶意拒付"  # typed by a person: kept


def test_every_stored_tracking_code_source_and_customs_term_has_a_chinese_label():
    kinds = {
        "tracking_status": set(tc.STATUSES),
        "tracking_substatus": set(hooks.SUB_STATUS) | set(hooks.STAGE)
        | {tracking.LAST_MILE_CODE, tracking.EXPIRED_CODE, "manual"},
        "event_source": set(tracking.SOURCES),
        "shipment_status": set(ShipmentStatus.values),
        "customs": set(decisions.KINDS) | set(documents.CATEGORIES) | set(documents.INCOTERMS)
        | {decisions.DOC_NONE, decisions.DOC_CN22, decisions.DOC_CN23, decisions.DOC_INVOICE},
        "order_source": {"api", "import", "push", "spreadsheet", "shopify", "woocommerce",
                         "amazon", "manual", "demo"},
    }  # fmt: skip
    for kind, codes in kinds.items():
        assert codes <= set(labels.REGISTRY[kind]), kind
        assert _untranslated(codes, lambda c, kind=kind: labels.code_label(c, kind)) == [], kind


def test_every_table_of_the_registry_is_translated():
    for kind, table in labels.REGISTRY.items():
        bad = [
            (code, zh)
            for code, label in table.items()
            for zh, en in [_zh_and_en(lambda label=label: label)]
            if (zh == en and en not in SAME_IN_BOTH) or zh == code
        ]
        assert bad == [], kind


def test_an_unknown_code_reads_as_itself_and_an_unknown_kind_is_a_mistake():
    with translation.override("zh-hans"):
        assert labels.code_label("DHL_42", "tracking_substatus") == "DHL_42"
        assert labels.code_label(None, "event_source") == ""
        with pytest.raises(KeyError):
            labels.code_label("x", "no_such_kind")


def test_the_rate_shop_explanation_is_translated_line_by_line():
    stored = [
        "no rule matched: cheapest",
        "chosen YW-EXPRESS: 46.00 CNY",
        "refused CNPOST-RSP: the channel does not carry batteries [battery_not_accepted]; "
        "the channel does not serve IE [destination_not_served]",
        "refused EMS: something new [brand_new_code]",
        "... 7 more refused",
        "rule 'EU small' (to EU): cheapest_within_days 7 days",
    ]
    with translation.override("zh-hans"):
        assert [code_labels.explanation_line(line) for line in stored] == [
            "没有匹配的物流规则：选最便宜的渠道",
            "选用 YW-EXPRESS：46.00 CNY",
            "不可用 CNPOST-RSP：该渠道不收带电货; 该渠道不到这个国家",
            "不可用 EMS：something new [brand_new_code]",  # an unknown code is shown as it is
            "…另有 7 个渠道不可用",
            "规则 EU small：限时最便宜",
        ]
    with translation.override("en"):
        assert code_labels.explanation_line(stored[2]) == (
            "Refused CNPOST-RSP: The channel does not carry batteries; "
            "The channel does not serve this country"
        )


def test_country_names_come_from_pycountry_in_the_active_language():
    with translation.override("zh-hans"):
        assert [code_labels.country_label(c) for c in ("DE", "US", "GB", "JP", "KR", "EU")] == [
            "德国", "美国", "英国", "日本", "韩国", "欧盟",
        ]  # fmt: skip
        assert code_labels.country_label("XX") == "XX"
        assert code_labels.country_label("") == ""
        # every country pycountry knows has a Chinese name
        english = [c.alpha_2 for c in pycountry.countries
                   if not CJK.search(code_labels.country_label(c.alpha_2))]  # fmt: skip
        assert english == []
    with translation.override("en"):
        assert code_labels.country_label("de") == "Germany"
        assert code_labels.country_label("KR") == "South Korea"


def test_the_filters_render_codes_by_their_labels():
    template = Template(
        "{% load tradelane_ui %}{{ source|code:'event_source' }}"
        "|{{ status|code:'tracking_status' }}"
        "|{{ sub|code:'tracking_substatus' }}|{{ country|country }}|{{ doc|code:'customs' }}"
        "|{{ field|code:'import_field' }}|{{ err|import_error:'own words' }}"
        "|{% for line in lines|rate_explanation %}{{ line }}{% endfor %}"
    )
    context = Context({
        "source": "manual", "status": "in_transit", "sub": "InTransit_PickedUp", "country": "FR",
        "doc": "cn23", "field": "lines[1].unit_price", "err": "brand_new", "lines": [
            "no channel can carry this parcel"],
    })  # fmt: skip
    with translation.override("zh-hans"):
        assert template.render(context) == (
            "手工录入|运输中|已揽收|法国|CN23 报关单|第 2 个商品行：单价|own words"
            "|没有渠道能承运这个包裹"
        )


def test_a_quote_explanation_and_the_customs_reason_are_translated():
    stored = [
        "channel CNPOST-RSP, cost price on 2026-12-03",
        "actual weight 0.405 kg",
        "no volumetric weight on this channel",
        "chargeable weight 0.405 kg",
        "rate sheet: sale VIP sheet from 2026-01-01 (2026 挂号小包)",
        "zone AP by country AU",
        "freight: 0.405 kg in bracket 0.000 kg–2.000 kg: 72.0000/kg × 0.405 kg = 29.16 CNY",
        "registration: 16.0000 per piece × 1 = 16.00 CNY",
        "cannot ship: the channel does not carry liquids [liquid_not_accepted]",
        "total 45.16 CNY",
    ]
    with translation.override("zh-hans"):
        assert [code_labels.explanation_line(line) for line in stored] == [
            "渠道 CNPOST-RSP，2026-12-03 的成本价",
            "实重 0.405 kg",
            "该渠道不计材积重",
            "计费重 0.405 kg",
            "价格表：售价表 VIP，自 2026-01-01 起 (2026 挂号小包)",
            "分区 AP，匹配依据 国家 澳大利亚",
            "运费: 0.405 kg 在重量段 0.000 kg–2.000 kg：72.0000/kg × 0.405 kg = 29.16 CNY",
            "挂号费: 每件 16.0000 × 1 = 16.00 CNY",
            "无法承运：该渠道不收液体",
            "合计 45.16 CNY",
        ]
        reasons = [
            "IOSS: 120.00 EUR up to 150 EUR",
            "UK VAT at sale: 80.00 GBP up to 135 GBP",
            "DDP by the shipping rule",
            "duties and taxes paid by the buyer",
        ]
        assert [labels.code_label(r, "customs_reason") for r in reasons] == [
            "IOSS：120.00 EUR，未超过 150 EUR",
            "英国增值税已在销售时代收：80.00 GBP，未超过 135 GBP",
            "DDP（按物流规则）",
            "关税和税费由买家支付",
        ]
        assert labels.code_label("fuel", "charge") == "燃油附加费"
