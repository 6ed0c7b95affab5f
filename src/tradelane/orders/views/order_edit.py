"""Editing an order on its page (``orders/_edit.html``): buyer, address, phones, the buyer's
note and the lines, through ``orders.editing.edit_order``; and the history's text of an edit
(each changed field with its before and after)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tradelane.accounts.roles import P
from tradelane.core.errors import DomainError, ValidationFailed
from tradelane.orders import selectors
from tradelane.orders.editing import (
    ADDRESS_FIELDS,
    BUYER_FIELDS,
    EDIT_EVENT,
    EDITABLE_FIELDS,
    can_edit,
    edit_changes,
    edit_order,
)
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

FIELD_LABELS = {
    "buyer_name": gettext_lazy("Buyer name"),
    "buyer_email": gettext_lazy("Buyer email"),
    "buyer_phone": gettext_lazy("Buyer phone"),
    "ship_name": gettext_lazy("Recipient"),
    "ship_company": gettext_lazy("Company"),
    "ship_address1": gettext_lazy("Address line 1"),
    "ship_address2": gettext_lazy("Address line 2"),
    "ship_city": gettext_lazy("City"),
    "ship_state": gettext_lazy("State or province"),
    "ship_postcode": gettext_lazy("Postcode"),
    "ship_country": gettext_lazy("Country"),
    "ship_phone": gettext_lazy("Recipient phone"),
    "note": gettext_lazy("Buyer note"),
    "lines": gettext_lazy("Lines"),
}
NEW_LINE_ROWS = 2  # blank rows for lines to add


def edit_form(user, order, lines, *, data=None, error=None) -> dict | None:
    """The edit panel's context, or None when the user may not edit or the order has left.
    ``data``: the form as the user sent it, when the edit was refused."""
    if not user.has_perm(P.ORDER_CHANGE) or not can_edit(order):
        return None

    def value(name):
        return data.get(name, "") if data is not None else getattr(order, name)

    def group(names):
        return [{"name": n, "label": FIELD_LABELS[n], "value": value(n)} for n in names]

    removed = set(data.getlist("line_remove")) if data is not None else set()
    rows = []
    for line in lines:
        sku = line.sku.code if line.sku else ""
        if data is not None:
            sku = data.get(f"line_sku_{line.pk}", sku)
        rows.append(
            {
                "line": line,
                "sku": sku,
                "quantity": data.get(f"line_qty_{line.pk}", line.quantity)
                if data is not None
                else line.quantity,
                "removed": str(line.pk) in removed,
            }
        )
    new_rows = [
        {
            "index": i,
            "sku": data.get(f"new_sku_{i}", "") if data is not None else "",
            "quantity": data.get(f"new_qty_{i}", "") if data is not None else "",
        }
        for i in range(NEW_LINE_ROWS)
    ]
    return {
        "buyer": group(BUYER_FIELDS),
        "address": group(ADDRESS_FIELDS) + group(("ship_phone",)),
        "note": value("note"),
        "reason": data.get("edit_reason", "") if data is not None else "",
        "lines": rows,
        "new_lines": new_rows,
        "error": error,
        "open": error is not None,
        "allocated": order.status in ("pending_shipment", "pending_purchase"),
    }


def _quantity(raw: str, where: str) -> int:
    try:
        return int((raw or "").strip())
    except ValueError:
        raise ValidationFailed(
            "Quantities are whole numbers from 1", code="invalid_quantity", details={"line": where}
        ) from None


def parse_edit(post, lines) -> tuple[dict, list[dict] | None]:
    """The fields and lines the form sent. Lines only when the form carried the lines table."""
    fields = {name: post[name] for name in EDITABLE_FIELDS if name in post}
    if "lines_form" not in post:
        return fields, None
    removed = set(post.getlist("line_remove"))
    wanted = []
    for line in lines:
        if str(line.pk) in removed:
            continue
        wanted.append(
            {
                "id": line.pk,
                "sku": post.get(f"line_sku_{line.pk}", ""),
                "quantity": _quantity(post.get(f"line_qty_{line.pk}", ""), str(line.line_no)),
            }
        )
    for i in range(NEW_LINE_ROWS):
        sku = (post.get(f"new_sku_{i}") or "").strip()
        qty = (post.get(f"new_qty_{i}") or "").strip()
        if sku or qty:
            wanted.append({"id": None, "sku": sku, "quantity": _quantity(qty or "1", f"new {i}")})
    return fields, wanted


@require_POST
@permission_required(P.ORDER_CHANGE)
def order_edit(request, pk: int):
    from .workbench import _detail_context, _safe_back

    order = selectors.order_detail(request.user, pk)
    lines = list(order.lines.select_related("sku").order_by("line_no"))
    try:
        fields, wanted = parse_edit(request.POST, lines)
        edited = edit_order(
            request.user, order, fields=fields, lines=wanted,
            reason=request.POST.get("edit_reason", ""),
        )  # fmt: skip
    except DomainError as exc:
        context = _detail_context(
            request, order, edit={"data": request.POST, "error": labels.domain_error(exc)}
        )
        context["back"] = _safe_back(request.GET.get("back", ""))
        return render(request, "orders/detail.html", context, status=exc.status)
    messages.success(
        request,
        _("Order saved; review ran again: %(status)s")
        % {"status": labels.status_label(edited.status)},
    )
    return redirect("web:order", pk=pk)


def history_text(event) -> str:
    """An edit's line on the order's history: "Field: before → after; ..." and the note."""
    changes, note = edit_changes(event.reason)
    parts = [
        f"{FIELD_LABELS.get(name, name)}: {before or '—'} → {after or '—'}"
        for name, (before, after) in changes.items()
    ]
    text = "; ".join(parts)
    return f"{text} ({note})" if note else text


def with_edits(events: list[dict]) -> list[dict]:
    """The history rows, with an edit's label and its before/after text."""
    for row in events:
        if row["event"].field == EDIT_EVENT:
            row.update(to_label=_("Edited"), to_class="edit", reason=history_text(row["event"]))
    return events
