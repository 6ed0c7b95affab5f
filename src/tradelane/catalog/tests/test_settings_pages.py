"""Creating and editing products and SKUs in the UI: customs attributes, pictures (checked,
served only to those who may see products), refusals in the form that write nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tradelane.accounts import roles
from tradelane.accounts.models import User
from tradelane.catalog.models import Product, Sku

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(role: str) -> Client:
    user = User.objects.create_user(username=f"u_{role}", password="x")
    user.groups.set(Group.objects.filter(name=role))
    client = Client()
    client.force_login(user)
    return client


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


SKU = {
    "sku-code": "MUG-WHT", "sku-name": "白色杯", "sku-status": "active", "sku-weight_g": "420",
    "sku-length_mm": "120", "sku-width_mm": "90", "sku-height_mm": "100",
    "sku-cost_amount": "12.50", "sku-cost_currency": "cny", "sku-declared_name_zh": "陶瓷杯",
    "sku-declared_name_en": "Ceramic mug", "sku-hs_code": "6912.00", "sku-declared_value": "4",
    "sku-declared_currency": "USD", "sku-origin_country": "cn", "sku-has_magnet": "on",
}  # fmt: skip


def test_purchasing_creates_a_product_with_a_picture_and_a_sku_with_customs_attributes():
    client = _client(roles.PURCHASING)
    r = client.post(reverse("web:product_new"), {"code": "P-MUG", "name": "马克杯",
                    "status": "active", "image": _file("mug.png", _png())})  # fmt: skip
    product = Product.objects.get(code="P-MUG")
    assert r.status_code == 302 and r["Location"] == reverse("web:product_edit", args=[product.pk])
    assert product.image.name.startswith("catalog/products/")
    picture = client.get(reverse("web:product_image", args=[product.pk]))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert b"".join(picture.streaming_content) == _png()

    r = client.post(reverse("web:sku_new", args=[product.pk]), SKU)
    assert r.status_code == 302
    sku = Sku.objects.get(code="MUG-WHT")
    assert (sku.weight_g, sku.length_mm, sku.hs_code, sku.cost_currency, sku.origin_country) == (
        420,
        120,
        "691200",
        "CNY",
        "CN",
    )
    assert (sku.declared_name_en, sku.has_magnet, sku.has_battery) == ("Ceramic mug", True, False)


def test_a_bad_picture_or_hs_code_is_refused_in_the_form_and_nothing_is_written(tmp_path):
    client = _client(roles.PURCHASING)
    fake = client.post(reverse("web:product_new"), {"code": "P-X", "name": "x", "status": "active",
                       "image": _file("x.png", b"<html>not a picture</html>")})  # fmt: skip
    assert fake.status_code == 422 and "不是 PNG、JPEG、GIF 或 WebP 图片" in fake.content.decode()
    assert not Product.objects.exists() and not any(tmp_path.rglob("*.*"))
    product = Product.objects.create(code="P", name="p")
    bad = client.post(reverse("web:sku_new", args=[product.pk]), {**SKU, "sku-hs_code": "12"})
    assert bad.status_code == 422 and 'data-field-error="hs_code"' in bad.content.decode()
    assert not Sku.objects.exists()


def test_sales_edits_but_may_not_create_and_the_boss_does_neither():
    product = Product.objects.create(code="P", name="p")
    sku = Sku.objects.create(product=product, code="S1", name="s")
    sales = _client(roles.SALES)
    assert sales.get(reverse("web:product_new")).status_code == 403
    page = sales.get(reverse("web:product_edit", args=[product.pk])).content.decode()
    assert 'data-testid="sku-form"' not in page  # no "add a SKU" for sales
    form = {k.removeprefix("sku-"): v for k, v in SKU.items()}
    assert (
        sales.post(reverse("web:sku_edit", args=[sku.pk]), {**form, "code": "S1"}).status_code
        == 302
    )
    assert Sku.objects.get(pk=sku.pk).hs_code == "691200"

    boss = _client(roles.BOSS)
    assert boss.post(reverse("web:sku_edit", args=[sku.pk]), {**form, "code": "S1",
                     "hs_code": "111111"}).status_code == 403  # fmt: skip
    assert Sku.objects.get(pk=sku.pk).hs_code == "691200"
    assert boss.get(reverse("web:product_image", args=[product.pk])).status_code == 404


def test_removing_a_picture_deletes_the_file_after_commit(
    tmp_path, django_capture_on_commit_callbacks
):
    client = _client(roles.ADMIN)
    product = Product.objects.create(code="P", name="p")
    form = {"code": "P", "name": "p", "status": "active"}
    client.post(reverse("web:product_edit", args=[product.pk]),
                {**form, "image": _file("a.png", _png())})  # fmt: skip
    product.refresh_from_db()
    stored = tmp_path / product.image.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:product_edit", args=[product.pk]), {**form, "remove_image": "on"})
    product.refresh_from_db()
    assert not product.image and not stored.exists()
