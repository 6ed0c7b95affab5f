"""The stock page: balances by warehouse and SKU, with the low-stock list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.web import labels
from tradelane.web.views.guards import int_or_none, permission_required

from . import selectors as stock

BALANCES_PER_PAGE = 50
LOW_STOCK_SHOWN = 50


@permission_required(P.STOCK_VIEW)
def stock_page(request):
    user = request.user
    warehouse_id = int_or_none(request.GET.get("warehouse"))
    sku = (request.GET.get("sku") or "").strip()[:64]
    low_only = request.GET.get("low") == "1"
    qs = stock.balances_for(user, warehouse_id=warehouse_id, sku=sku or None, low_only=low_only)
    page = Paginator(qs, BALANCES_PER_PAGE).get_page(request.GET.get("page"))
    low = stock.low_stock_for(user)
    if warehouse_id:
        low = low.filter(warehouse_id=warehouse_id)
    low_rows = list(low[: LOW_STOCK_SHOWN + 1])
    for row in low_rows:
        row.short_by = row.safety_stock - row.available_qty
    context = {
        "title": _("Stock"),
        "warehouses": list(stock.warehouses_for(user)),
        "warehouse_id": warehouse_id,
        "sku": sku,
        "low_only": low_only,
        "page": page,
        "low_rows": low_rows[:LOW_STOCK_SHOWN],
        "low_more": len(low_rows) > LOW_STOCK_SHOWN,
        "kinds": labels.WAREHOUSE_KIND,
    }
    if request.htmx and request.htmx.target == "stock-list":
        return render(request, "inventory/stock.html#stock-list", context)
    return render(request, "inventory/stock.html", context)


# --- settings: warehouses, and the stock operations (adjust, safety stock, transfer) --------


def _warehouse_fields(cleaned: dict) -> dict:
    fields = dict(cleaned)
    fields["code"] = fields["code"].strip()
    fields["country"] = fields["country"].strip().upper()
    return fields


@permission_required(P.WAREHOUSE_MANAGE)
def warehouses(request):
    """Every warehouse, and the form that adds one."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from tradelane.core.errors import DomainError
    from tradelane.web import form_errors

    from . import services
    from .forms import KIND_LABELS, WarehouseForm

    form = WarehouseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.save_warehouse(
                    request.user, **_warehouse_fields(form.cleaned_data)
                )
            except DomainError as exc:
                form_errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Warehouse %(code)s added.") % {"code": created.code})
                return redirect("web:warehouses")
        status = 422
    return render(
        request,
        "inventory/warehouses.html",
        {
            "title": _("Warehouses"),
            "warehouses": list(stock.warehouses_for(request.user)),
            "kinds": KIND_LABELS,
            "form": form,
            "open_form": request.method == "POST",
        },
        status=status,
    )


@permission_required(P.WAREHOUSE_MANAGE)
def warehouse_edit(request, pk: int):
    from django.contrib import messages
    from django.forms.models import model_to_dict
    from django.shortcuts import redirect

    from tradelane.core.errors import DomainError
    from tradelane.web import form_errors

    from . import services
    from .forms import WarehouseForm

    warehouse = stock.warehouse_detail(request.user, pk)
    form = WarehouseForm(request.POST or None, initial=model_to_dict(warehouse))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_warehouse(
                    request.user, warehouse=warehouse, **_warehouse_fields(form.cleaned_data)
                )
            except DomainError as exc:
                form_errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Warehouse %(code)s saved.") % {"code": warehouse.code})
                return redirect("web:warehouses")
        status = 422
    return render(
        request,
        "inventory/warehouse_edit.html",
        {"title": warehouse.code, "warehouse": warehouse, "form": form},
        status=status,
    )


_OPERATIONS = {
    # action: (form class name, permission)
    "receive": ("ReceiveForm", P.STOCK_RECEIVE),
    "adjust": ("AdjustForm", P.STOCK_ADJUST),
    "safety_stock": ("SafetyStockForm", P.STOCK_ADJUST),
    "transfer": ("TransferForm", P.STOCK_TRANSFER),
}


def _run_operation(user, action: str, data: dict):
    """Call the service for one operation; returns the success message."""
    from . import services

    sku_id = stock.sku_id_by_code(data["sku"])
    if action == "receive":
        services.receive(
            user, sku_id=sku_id, warehouse_id=data["warehouse"], quantity=data["quantity"],
            source_type="receipt" if data["reference"] else "manual",
            source_id=data["reference"], note=data["note"],
        )  # fmt: skip
        # the orders waiting for this SKU are allocated again once the receipt has committed
        return _("%(n)s × %(sku)s received. Orders waiting for it are allocated again.") % {
            "sku": data["sku"],
            "n": data["quantity"],
        }
    if action == "adjust":
        services.adjust(
            user, sku_id=sku_id, warehouse_id=data["warehouse"], delta=data["delta"],
            note=data["note"],
        )  # fmt: skip
        return _("Stock of %(sku)s adjusted by %(delta)+d.") % {
            "sku": data["sku"],
            "delta": data["delta"],
        }
    if action == "safety_stock":
        services.set_safety_stock(
            user, sku_id=sku_id, warehouse_id=data["warehouse"], quantity=data["quantity"]
        )
        return _("Safety stock of %(sku)s set to %(n)s.") % {
            "sku": data["sku"],
            "n": data["quantity"],
        }
    services.transfer(
        user, sku_id=sku_id, from_warehouse_id=data["from_warehouse"],
        to_warehouse_id=data["to_warehouse"], quantity=data["quantity"], note=data["note"],
    )  # fmt: skip
    return _("%(n)s × %(sku)s transferred.") % {"sku": data["sku"], "n": data["quantity"]}


@permission_required((P.STOCK_RECEIVE, P.STOCK_ADJUST, P.STOCK_TRANSFER))
def stock_operations(request):
    """Receive stock, adjust it after a count, set safety stock, move stock between warehouses:
    each form for the roles that may use it."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from tradelane.core.errors import DomainError
    from tradelane.web import form_errors

    from . import forms

    user = request.user
    allowed = {a for a, (_f, perm) in _OPERATIONS.items() if user.has_perm(perm)}
    bound = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in _OPERATIONS:
            messages.error(request, _("Unknown action."))
            return redirect("web:stock_operations")
        if action not in allowed:
            raise PermissionDenied(_OPERATIONS[action][1])
        form = getattr(forms, _OPERATIONS[action][0])(request.POST, prefix=action)
        bound[action] = form
        if form.is_valid():
            try:
                done = _run_operation(user, action, form.cleaned_data)
            except DomainError as exc:
                form_errors.add_to_form(form, exc)
            else:
                messages.success(request, done)
                return redirect(f"{request.path}#{action}")
        status = 422
    sections = [
        {"action": a, "form": bound.get(a) or getattr(forms, _OPERATIONS[a][0])(prefix=a)}
        for a in _OPERATIONS
        if a in allowed
    ]
    for section in sections:  # a transfer goes to another warehouse than the first
        form = section["form"]
        if section["action"] == "transfer" and not form.is_bound:
            choices = list(form.fields["to_warehouse"].choices)
            if len(choices) > 1:
                form.initial["to_warehouse"] = choices[1][0]
    recent = stock.movements_for(user).filter(
        kind__in=("receipt", "adjustment", "transfer_in", "transfer_out")
    )[:20]
    return render(
        request,
        "inventory/operations.html",
        {"title": _("Stock adjustments and transfers"), "sections": sections,
         "recent": list(recent)},
        status=status,
    )  # fmt: skip
