"""The products page through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tradelane.web.tests import data
from tradelane.web.tests.data import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return data.seed(12)


def test_products_page_lists_skus_with_customs_attributes(client, world):
    login(client, world["cs"])
    text = client.get(reverse("web:products"), {"q": "LAMP"}).content.decode()
    assert "LAMP-01" in text and "940520" in text and "1.25 kg" in text
    assert "40 × 15 × 12 cm" in text and "带电" in text
    assert "MUG-WHT" not in text
