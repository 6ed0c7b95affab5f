"""Refusals from services shown inside a Django form, in the reader's language.

A service's ``ValidationFailed`` naming a field (``details={"field": ...}``) lands under that
field when the form has it, every other refusal above the form. Codes the settings pages meet
that ``labels.ERROR`` does not know are translated here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from tradelane.core.errors import DomainError

from . import labels

FORM_ERROR = {
    "required": gettext_lazy("This field is required."),
    "duplicate_code": gettext_lazy("This code is already taken."),
    "duplicate_username": gettext_lazy("This user name is already taken."),
    "username_required": gettext_lazy("Give a user name."),
    "invalid_username": gettext_lazy(
        "A user name is at most 150 letters, digits and @ . + - _ characters."
    ),
    "unknown_role": gettext_lazy("Unknown role."),
    "weak_password": None,  # Django's validators already speak the reader's language
    "cannot_change_self": gettext_lazy(
        "You cannot do this to your own account; ask another admin."
    ),
    "invalid_password_link": gettext_lazy(
        "This link is wrong, already used or expired. Ask an admin for a new one."
    ),
    "invalid_currency": gettext_lazy("Unknown currency (use a three-letter ISO code)."),
    "invalid_country": gettext_lazy("Unknown country (use a two-letter ISO code)."),
    "invalid_hs_code": gettext_lazy("An HS code is 6 to 10 digits."),
    "invalid_code": gettext_lazy(
        "A code holds letters, digits, '.', '_', '-' and '/' and starts with a letter or digit."
    ),
    "invalid_url": gettext_lazy("This is not an http(s) address."),
    "invalid_amount": gettext_lazy("This amount has too many digits."),
    "negative_amount": gettext_lazy("This amount cannot be negative."),
    "invalid_measure": gettext_lazy("A whole number, 0 or more."),
    "invalid_time_zone": gettext_lazy("Unknown time zone."),
    "invalid_image": gettext_lazy("The file is not a PNG, JPEG, GIF or WebP image."),
    "image_too_large": gettext_lazy("The image is larger than %(limit_mb)s MB."),
    "same_warehouse": gettext_lazy("Pick two different warehouses."),
    "invalid_kind": gettext_lazy("Unknown warehouse kind."),
    "sku_not_found": gettext_lazy("The SKU does not exist."),
    "warehouse_not_found": gettext_lazy("The warehouse does not exist."),
}


def message(exc: DomainError) -> str:
    label = FORM_ERROR.get(exc.code)
    if label is None:
        return labels.domain_error(exc)["message"]
    text = str(label)
    if "%(" in text:
        try:
            return text % (exc.details or {})
        except (KeyError, TypeError, ValueError):
            return exc.message
    return text


def add_to_form(form, exc: DomainError) -> None:
    """Put the refusal under its field (if the form has it) or above the form."""
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    form.add_error(field if field in form.fields else None, message(exc))
