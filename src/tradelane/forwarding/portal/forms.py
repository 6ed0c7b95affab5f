"""The portal's waybill form (下单): its fields as the page draws them, the posted form turned
into the dict ``waybills.validation.parse`` checks (kg and cm on screen, grams and millimetres
in the dict), a stored waybill turned back into form values (edit), and the checker's errors
placed under the inputs they name, in the reader's language.

Inputs are named after the dict's paths (``consignee.name``, ``pieces[0].weight_kg``,
``items[1].hs_code``), so an error's ``field`` finds its input by renaming the unit only.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from ..waybills.models import Incoterm, Waybill

ADDRESS = (
    ("name", _("Name"), True), ("company", _("Company"), False), ("phone", _("Phone"), False),
    ("email", _("Email"), False), ("address1", _("Address line 1"), True),
    ("address2", _("Address line 2"), False), ("city", _("City"), True),
    ("state", _("State / province"), False), ("postcode", _("Postcode"), False),
    ("country", _("Country"), True),
)  # fmt: skip
PIECE = (
    ("weight_kg", _("Weight (kg)"), True), ("length_cm", _("Length (cm)"), False),
    ("width_cm", _("Width (cm)"), False), ("height_cm", _("Height (cm)"), False),
)  # fmt: skip
ITEM = (
    ("name_zh", _("Chinese name"), False), ("name_en", _("English name"), True),
    ("quantity", _("Quantity"), True), ("unit_value", _("Unit value"), True),
    ("currency", _("Currency"), True), ("hs_code", _("HS code"), False),
    ("origin", _("Origin"), False), ("material", _("Material"), False),
)  # fmt: skip
FLAGS = (("battery", _("Battery")), ("liquid", _("Liquid")), ("magnet", _("Magnet")))
EXTRA = (
    ("reference", _("Your reference"), True), ("ioss", _("IOSS number"), False),
    ("vat_number", _("VAT number"), False), ("eori", _("EORI number"), False),
    ("insurance_value", _("Insured value"), False),
    ("insurance_currency", _("Insurance currency"), False), ("note", _("Note"), False),
)  # fmt: skip
MAX_ROWS = 20
INDEXED = re.compile(r"^(pieces|items)\[(\d+)\]\.(\w+)$")
UNIT_TO_FORM = {"weight_g": "weight_kg", "length_mm": "length_cm", "width_mm": "width_cm",
                "height_mm": "height_cm", "unit_weight_g": "unit_weight_kg"}  # fmt: skip


def _count(post, prefix: str, asked: str) -> int:
    """Rows on the form: as many as posted (at least one), one more when asked for."""
    found = {int(m[2]) for key in post for m in [INDEXED.match(key)] if m and m[1] == prefix}
    n = max(found, default=0) + 1 if found else 1
    if post.get("add") == asked:
        n += 1
    if post.get("remove") == asked and n > 1:
        n -= 1
    return min(n, MAX_ROWS)


def _scaled(raw: str, factor: int) -> int | str:
    """kg -> g or cm -> mm, rounded up; the raw text when it is not a number (the checker
    names it)."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return raw
    if not value.is_finite():
        return raw
    return int((value * factor).to_integral_value(rounding=ROUND_CEILING))


def payload(post) -> dict:
    """The posted form as the dict every door sends (grams, millimetres)."""

    def address(prefix: str) -> dict:
        return {key: post.get(f"{prefix}.{key}", "").strip() for key, _label, _req in ADDRESS}

    pieces = []
    for i in range(_count(post, "pieces", "piece")):
        p = {k: post.get(f"pieces[{i}].{k}", "") for k, _label, _req in PIECE}
        if not any(str(v).strip() for v in p.values()) and i:
            continue
        pieces.append(
            {
                "weight_g": _scaled(p["weight_kg"], 1000),
                "length_mm": _scaled(p["length_cm"], 10) or 0,
                "width_mm": _scaled(p["width_cm"], 10) or 0,
                "height_mm": _scaled(p["height_cm"], 10) or 0,
            }
        )
    items = []
    for i in range(_count(post, "items", "item")):
        it = {k: post.get(f"items[{i}].{k}", "").strip() for k, _label, _req in ITEM}
        if not any(it.values()) and i:
            continue
        for flag, _label in FLAGS:
            it[flag] = bool(post.get(f"items[{i}].{flag}"))
        it["unit_weight_g"] = 0
        items.append(it)
    data = {key: post.get(key, "").strip() for key, _label, _req in EXTRA}
    shipper = address("shipper")
    data.update(
        consignee=address("consignee"),
        shipper=shipper if any(shipper.values()) else {},
        pieces=pieces,
        items=items,
        channel=post.get("channel", "").strip(),
        incoterm=post.get("incoterm", Incoterm.DDU),
    )
    return data


def _kg(grams: int) -> str:
    return f"{(Decimal(grams) / 1000).normalize():f}" if grams else ""


def cm(mm: int) -> str:
    return f"{(Decimal(mm) / 10).normalize():f}" if mm else ""


def values_of(w: Waybill) -> dict:
    """A stored waybill as posted form values (the edit page starts from them)."""
    out = {"reference": w.reference, "channel": w.channel.code, "incoterm": w.incoterm,
           "ioss": w.ioss, "vat_number": w.vat_number, "eori": w.eori, "note": w.note,
           "insurance_value": "" if w.insurance_value is None else str(w.insurance_value),
           "insurance_currency": w.insurance_currency}  # fmt: skip
    for key, _label, _req in ADDRESS:
        out[f"consignee.{key}"] = getattr(w, f"consignee_{key}")
        out[f"shipper.{key}"] = (w.shipper or {}).get(key, "")
    for i, p in enumerate(w.piece_rows.order_by("seq")):
        out.update({f"pieces[{i}].weight_kg": _kg(p.weight_g),
                    f"pieces[{i}].length_cm": cm(p.length_mm),
                    f"pieces[{i}].width_cm": cm(p.width_mm),
                    f"pieces[{i}].height_cm": cm(p.height_mm)})  # fmt: skip
    for i, it in enumerate(w.items.order_by("seq")):
        for key, _label, _req in ITEM:
            out[f"items[{i}].{key}"] = str(getattr(it, key))
        for flag, _label in FLAGS:
            if getattr(it, flag):
                out[f"items[{i}].{flag}"] = "on"
    return out


def input_name(error_field: str) -> str:
    """The input an error of ``parse`` belongs to (``pieces[0].weight_g`` -> ``…weight_kg``)."""
    head, _dot, last = error_field.rpartition(".")
    if last in UNIT_TO_FORM:
        return f"{head}.{UNIT_TO_FORM[last]}"
    return error_field


def error_messages(errors: list[dict], text) -> tuple[dict[str, list[str]], list[dict]]:
    """Errors by input name, each said by ``text(code, message, details)`` (the reader's
    language), and all of them for the list above the form."""
    by_input: dict[str, list[str]] = {}
    general = []
    for e in errors:
        details = {"country": e.get("message", "").rsplit(" ", 1)[-1], **e}
        said = text(e["code"], e.get("message", ""), details)
        name = input_name(e.get("field", ""))
        by_input.setdefault(name, []).append(said)
        general.append({"code": e["code"], "field": name, "message": said})
    return by_input, general


def _field(name: str, label, required: bool, values: dict, errors: dict, **kw) -> dict:
    return {"name": name, "label": label, "required": required, "value": values.get(name, ""),
            "errors": errors.get(name, []), **kw}  # fmt: skip


def layout(
    values: dict, errors: dict[str, list[str]], *, countries, reference_locked: bool = False
) -> dict:
    """The form's fields grouped as the page draws them, each with its value and errors;
    ``countries`` the destination choices [(code, name)]."""

    def address(prefix: str, required: bool) -> list[dict]:
        return [
            _field(f"{prefix}.{key}", label, required and req, values, errors,
                   choices=countries if key == "country" else None)
            for key, label, req in ADDRESS
        ]  # fmt: skip

    n_pieces = _count(values, "pieces", "piece")
    n_items = _count(values, "items", "item")
    pieces = [[_field(f"pieces[{i}].{k}", label, req, values, errors) for k, label, req in PIECE]
              for i in range(n_pieces)]  # fmt: skip
    items = []
    for i in range(n_items):
        row = [_field(f"items[{i}].{k}", label, req, values, errors) for k, label, req in ITEM]
        if not values.get(f"items[{i}].origin"):
            row[6]["value"] = "CN"
        flags = [
            {
                "name": f"items[{i}].{f}",
                "label": label,
                "checked": bool(values.get(f"items[{i}].{f}")),
            }
            for f, label in FLAGS
        ]
        items.append({"fields": row, "flags": flags})
    extra = {key: _field(key, label, req, values, errors) for key, label, req in EXTRA}
    if reference_locked:
        extra["reference"]["readonly"] = True
    return {
        "consignee": address("consignee", True),
        "shipper": address("shipper", False),
        "pieces": pieces,
        "items": items,
        "extra": extra,
        "incoterm": values.get("incoterm") or Incoterm.DDU,
        "incoterms": Incoterm.values,
        "channel": values.get("channel", ""),
        "channel_errors": errors.get("channel", []),
        "pieces_errors": errors.get("pieces", []),
        "items_errors": errors.get("items", []),
    }
