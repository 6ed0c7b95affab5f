"""The forms of the product and SKU pages (input only: ``catalog.services`` checks and writes).
Weights are grams and sizes millimetres here, as at rest; money is a decimal with its currency."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Status

STATUS_LABELS = {"active": _("Active"), "inactive": _("Inactive")}
_STATUSES = [(s, STATUS_LABELS.get(s, s)) for s in Status.values]
_INT = {"min_value": 0, "max_value": 2**31 - 1}


class _ImageFields(forms.Form):
    image = forms.FileField(
        label=_("Picture"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )  # fmt: skip
    remove_image = forms.BooleanField(label=_("Remove the picture"), required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _("PNG, JPEG, GIF or WebP, at most %(mb)s MB.") % {
            "mb": f"{settings.CATALOG_IMAGE_MAX_MB:g}"
        }


class ProductForm(_ImageFields):
    code = forms.CharField(label=_("Product code"), max_length=64)
    name = forms.CharField(label=pgettext_lazy("of a product or SKU", "Name"), max_length=300)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_STATUSES, initial="active")
    field_order = ["code", "name", "name_en", "status", "image", "remove_image"]

    SERVICE_FIELDS = ("code", "name", "name_en", "status")


class SkuForm(_ImageFields):
    code = forms.CharField(label=_("SKU code"), max_length=64)
    name = forms.CharField(label=pgettext_lazy("of a product or SKU", "Name"), max_length=300)
    variant = forms.CharField(label=_("Variant"), max_length=200, required=False,
                              help_text=_("e.g. Red / XL"))  # fmt: skip
    barcode = forms.CharField(label=_("Barcode (GTIN / EAN / UPC)"), max_length=64,
                              required=False)  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), choices=_STATUSES, initial="active")
    weight_g = forms.IntegerField(label=_("Weight (g)"), initial=0, **_INT)
    length_mm = forms.IntegerField(label=_("Length (mm)"), initial=0, **_INT)
    width_mm = forms.IntegerField(label=_("Width (mm)"), initial=0, **_INT)
    height_mm = forms.IntegerField(label=_("Height (mm)"), initial=0, **_INT)
    cost_amount = forms.DecimalField(
        label=_("Cost"), initial=0, min_value=0, max_digits=18, decimal_places=4
    )
    cost_currency = forms.CharField(label=_("Cost currency"), max_length=3, initial="CNY")
    declared_name_zh = forms.CharField(
        label=_("Declared name (Chinese)"), max_length=200, required=False
    )
    declared_name_en = forms.CharField(
        label=_("Declared name (English)"), max_length=200, required=False
    )
    hs_code = forms.CharField(label=_("HS code"), max_length=14, required=False,
                              help_text=_("6 to 10 digits"))  # fmt: skip
    declared_value = forms.DecimalField(
        label=_("Declared value"), initial=0, min_value=0, max_digits=18, decimal_places=4
    )
    declared_currency = forms.CharField(label=_("Declared currency"), max_length=3, initial="USD")
    origin_country = forms.CharField(label=_("Country of origin"), max_length=2, initial="CN")
    has_battery = forms.BooleanField(label=_("Contains a battery"), required=False)
    has_liquid = forms.BooleanField(label=_("Contains liquid"), required=False)
    has_magnet = forms.BooleanField(label=_("Contains a magnet"), required=False)

    SERVICE_FIELDS = (
        "code", "name", "variant", "barcode", "status", "weight_g", "length_mm", "width_mm",
        "height_mm", "cost_amount", "cost_currency", "declared_name_zh", "declared_name_en",
        "hs_code", "declared_value", "declared_currency", "origin_country", "has_battery",
        "has_liquid", "has_magnet",
    )  # fmt: skip
    field_order = [*SERVICE_FIELDS, "image", "remove_image"]
    GROUPS = (
        (_("SKU"), ("code", "name", "variant", "barcode", "status", "image", "remove_image")),
        (_("Weight, size and cost"),
         ("weight_g", "length_mm", "width_mm", "height_mm", "cost_amount", "cost_currency")),
        (_("Customs"), ("declared_name_zh", "declared_name_en", "hs_code", "declared_value",
                        "declared_currency", "origin_country", "has_battery", "has_liquid",
                        "has_magnet")),
    )  # fmt: skip

    def groups(self) -> list[tuple[str, list]]:
        """(title, bound fields) for fieldsets, without fields the view took out."""
        return [
            (title, [self[n] for n in names if n in self.fields]) for title, names in self.GROUPS
        ]


def service_fields(form) -> dict:
    return {k: form.cleaned_data[k] for k in form.SERVICE_FIELDS}
