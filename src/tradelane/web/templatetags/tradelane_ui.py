"""Template filters for the UI: money with its currency, statuses and codes as words."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from tradelane.core.money import quantize

from .. import code_labels, labels

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """``1234.5, "USD"`` -> ``1,234.50 USD`` (rounded to the currency's minor units)."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
        if currency:
            value = quantize(value, currency)
    except (InvalidOperation, ValueError, Exception):
        return f"{amount} {currency}".strip()
    return f"{value:,} {currency}".strip()


@register.filter
def status_label(code: str) -> str:
    return labels.status_label(code or "")


@register.filter
def verdict_text(code: str) -> str:
    return labels.verdict_text(code or "")


@register.filter
def warehouse_kind(code: str) -> str:
    return str(labels.WAREHOUSE_KIND.get(code, code))


@register.filter
def product_status(code: str) -> str:
    return str(labels.PRODUCT_STATUS.get(code, code))


@register.filter
def package_label(code: str) -> str:
    return str(labels.PACKAGE.get(code, code))


@register.filter
def grams(value) -> str:
    """Integer grams at rest -> ``350 g`` / ``1.25 kg``."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return ""
    if value >= 1000:
        kg = (Decimal(value) / 1000).quantize(Decimal("0.001")).normalize()
        return f"{kg:f} kg"
    return f"{value} g"


@register.simple_tag
def dims(length_mm, width_mm, height_mm) -> str:
    """Integer millimetres at rest -> ``12 × 9 × 10 cm`` (one decimal where needed)."""
    parts = []
    for mm in (length_mm, width_mm, height_mm):
        cm = (Decimal(int(mm or 0)) / 10).normalize()
        parts.append(f"{cm:f}")
    if not any(int(m or 0) for m in (length_mm, width_mm, height_mm)):
        return "—"
    return " × ".join(parts) + " cm"


@register.filter
def code(value, kind: str) -> str:
    """A stored or raised code by its label in the active language:
    ``{{ event.source|code:"event_source" }}`` (kinds: ``labels.REGISTRY``)."""
    return labels.code_label(value, kind)


@register.filter
def country(value) -> str:
    """``DE`` -> ``德国`` / ``Germany``: pycountry's name in the active language."""
    return code_labels.country_label(value or "")


@register.filter
def rate_explanation(lines) -> list[str]:
    """A stored rate-shop explanation (list of lines) in the active language."""
    return [code_labels.explanation_line(line) for line in lines or []]


@register.filter
def import_error(code, message: str = "") -> str:
    """An import row's error code by its label; the importer's own message if it has none."""
    return labels.import_error_text(code or "", message or "")
