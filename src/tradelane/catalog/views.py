"""The products page: products with their SKUs and customs attributes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from tradelane.accounts.roles import P
from tradelane.web import labels
from tradelane.web.views.guards import permission_required

from . import selectors as catalog

PRODUCTS_PER_PAGE = 25


@permission_required(P.PRODUCT_VIEW)
def products(request):
    q = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status") or ""
    if status not in labels.PRODUCT_STATUS:
        status = ""
    qs = catalog.products_with_skus(catalog.products_for(request.user, q=q, status=status or None))
    page = Paginator(qs, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": _("Products"),
        "q": q,
        "status": status,
        "statuses": labels.PRODUCT_STATUS,
        "page": page,
    }
    if request.htmx and request.htmx.target == "product-list":
        return render(request, "catalog/products.html#product-list", context)
    return render(request, "catalog/products.html", context)


# --- create and edit products and SKUs (customs attributes, pictures) ----------------------


def _save(request, form, write) -> bool:
    """Run ``write(data, image_bytes_or_None_or_False)`` on a valid form; service refusals land
    in the form. ``False`` for the picture: leave it as it is."""
    from tradelane.core.errors import DomainError
    from tradelane.web import form_errors

    from .forms import service_fields

    if not form.is_valid():
        return False
    upload = form.cleaned_data.get("image")
    if upload:
        picture = upload.read()
    elif form.cleaned_data.get("remove_image"):
        picture = None
    else:
        picture = False
    try:
        if picture:  # check the picture before anything is written
            from . import images

            images.check(picture)
        write(service_fields(form), picture)
    except DomainError as exc:
        form_errors.add_to_form(form, exc)
        return False
    return True


def _new_sku_form():
    from .forms import SkuForm

    form = SkuForm(prefix="sku")
    form.fields.pop("remove_image")
    return form


@permission_required(P.PRODUCT_ADD)
def product_new(request):
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import services
    from .forms import ProductForm

    form = ProductForm(request.POST or None, request.FILES or None)
    form.fields.pop("remove_image")  # nothing to remove yet
    created = {}

    def write(fields, picture):
        created["product"] = services.create_product(request.user, **fields)
        if picture:
            services.set_image(request.user, created["product"], picture)

    if request.method == "POST":
        if _save(request, form, write):
            product = created["product"]
            messages.success(request, _("Product %(code)s created. Add its SKUs now.")
                             % {"code": product.code})  # fmt: skip
            return redirect("web:product_edit", product.pk)
    return render(
        request, "catalog/product_form.html",
        {"title": _("New product"), "form": form, "product": None},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@permission_required(P.PRODUCT_CHANGE)
def product_edit(request, pk: int):
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import services
    from .forms import ProductForm

    product = catalog.product_detail(request.user, pk)
    initial = {k: getattr(product, k) for k in ProductForm.SERVICE_FIELDS}
    form = ProductForm(request.POST or None, request.FILES or None, initial=initial)
    if not product.image:
        form.fields.pop("remove_image")

    def write(fields, picture):
        services.update_product(request.user, product, **fields)
        if picture is not False:
            services.set_image(request.user, product, picture)

    if request.method == "POST":
        if _save(request, form, write):
            messages.success(request, _("Product %(code)s saved.") % {"code": product.code})
            return redirect("web:product_edit", product.pk)
    return render(
        request, "catalog/product_form.html",
        {"title": product.code, "form": form, "product": product,
         "sku_form": _new_sku_form() if request.user.has_perm(P.PRODUCT_ADD) else None},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@permission_required(P.PRODUCT_ADD)
def sku_new(request, pk: int):
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import services
    from .forms import ProductForm, SkuForm

    product = catalog.product_detail(request.user, pk)
    sku_form = SkuForm(request.POST or None, request.FILES or None, prefix="sku")
    sku_form.fields.pop("remove_image")
    created = {}

    def write(fields, picture):
        created["sku"] = services.create_sku(request.user, product, **fields)
        if picture:
            services.set_image(request.user, created["sku"], picture)

    if request.method == "POST" and _save(request, sku_form, write):
        messages.success(request, _("SKU %(code)s added.") % {"code": created["sku"].code})
        return redirect("web:product_edit", product.pk)
    initial = {k: getattr(product, k) for k in ProductForm.SERVICE_FIELDS}
    form = ProductForm(initial=initial)
    if not product.image:
        form.fields.pop("remove_image")
    return render(
        request, "catalog/product_form.html",
        {"title": product.code, "form": form, "product": product,
         "sku_form": sku_form, "sku_open": True},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@permission_required(P.PRODUCT_CHANGE)
def sku_edit(request, pk: int):
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import services
    from .forms import SkuForm

    sku = catalog.sku_detail(request.user, pk)
    initial = {k: getattr(sku, k) for k in SkuForm.SERVICE_FIELDS}
    form = SkuForm(request.POST or None, request.FILES or None, initial=initial)
    if not sku.image:
        form.fields.pop("remove_image")

    def write(fields, picture):
        services.update_sku(request.user, sku, **fields)
        if picture is not False:
            services.set_image(request.user, sku, picture)

    if request.method == "POST" and _save(request, form, write):
        messages.success(request, _("SKU %(code)s saved.") % {"code": sku.code})
        return redirect("web:product_edit", sku.product_id)
    return render(
        request, "catalog/sku_form.html", {"title": sku.code, "form": form, "sku": sku},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@permission_required(P.PRODUCT_VIEW)
def image(request, kind: str, pk: int):
    """A product's or SKU's uploaded picture, for the roles that may see products."""
    from django.http import FileResponse, Http404

    from . import images

    obj = catalog.product_detail(request.user, pk) if kind == "product" else (
        catalog.sku_detail(request.user, pk))  # fmt: skip
    if not obj.image:
        raise Http404("no picture")
    try:
        handle = obj.image.open("rb")
    except OSError:
        raise Http404("the picture is gone") from None
    response = FileResponse(handle, content_type=images.content_type(obj.image.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
