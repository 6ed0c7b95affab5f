"""The forms of the warehouse and stock-operation pages (input only: the services check and
write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Warehouse

KIND_LABELS = {
    "own": _("Own"),
    "overseas": _("Overseas"),
    "third_party": _("Third party"),
    "platform": _("Platform fulfilled (e.g. FBA)"),
}


class WarehouseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=pgettext_lazy("of a warehouse", "Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k, KIND_LABELS.get(k, k)) for k in Warehouse.Kind.values]
    )
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2)
    state = forms.CharField(label=_("State / province"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    priority = forms.IntegerField(
        label=_("Priority"), initial=100, min_value=-(2**31), max_value=2**31 - 1,
        help_text=_("Lower is preferred when orders are allocated."),
    )  # fmt: skip
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


def _warehouse_choices():
    return [(w.pk, f"{w.code} · {w.name}") for w in Warehouse.objects.filter(is_active=True)]


class _SkuWarehouse(forms.Form):
    sku = forms.CharField(label=_("SKU code"), max_length=64)
    warehouse = forms.TypedChoiceField(label=_("Warehouse"), coerce=int, choices=_warehouse_choices)


class ReceiveForm(_SkuWarehouse):
    quantity = forms.IntegerField(label=_("Quantity received"), min_value=1, max_value=2**31 - 1)
    reference = forms.CharField(
        label=_("Reference"), max_length=64, required=False,
        help_text=_("The purchase order or delivery note, if there is one."),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class AdjustForm(_SkuWarehouse):
    delta = forms.IntegerField(
        label=_("Change (+ or −)"), min_value=-(2**31 - 1), max_value=2**31 - 1,
        help_text=_("The difference a count found: −3 for three missing units."),
    )  # fmt: skip
    note = forms.CharField(label=_("Reason"), max_length=300)


class SafetyStockForm(_SkuWarehouse):
    quantity = forms.IntegerField(
        label=_("Safety stock"), min_value=0, max_value=2**31 - 1,
        help_text=_("Below this many available units the SKU is listed as low."),
    )  # fmt: skip


class TransferForm(forms.Form):
    sku = forms.CharField(label=_("SKU code"), max_length=64)
    from_warehouse = forms.TypedChoiceField(
        label=_("From warehouse"), coerce=int, choices=_warehouse_choices
    )
    to_warehouse = forms.TypedChoiceField(
        label=_("To warehouse"), coerce=int, choices=_warehouse_choices
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=2**31 - 1)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
