"""The stock page through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tradelane.web.tests import data
from tradelane.web.tests.data import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return data.seed(12)


def test_stock_page_shows_available_and_low_stock(client, world):
    login(client, world["cs"])
    page = client.get(reverse("web:stock"))
    text = page.content.decode()
    assert "低库存预警" in text
    low = page.context["low_rows"]
    assert [(b.sku.code, b.warehouse.code, b.available_qty, b.short_by) for b in low] == [
        ("MUG-WHT", "LA", 3, 17)
    ]
    sz = world["warehouses"][0]
    page = client.get(reverse("web:stock"), {"warehouse": sz.pk})
    assert {b.warehouse.code for b in page.context["page"].object_list} == {"SZ"}
    assert page.context["low_rows"] == []
