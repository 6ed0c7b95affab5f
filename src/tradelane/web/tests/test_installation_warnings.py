"""The banner that tells admins the installation has no CJK font for its PDFs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tradelane.accounts import roles
from tradelane.logistics.documents import fonts
from tradelane.web.tests.data import login, user

pytestmark = pytest.mark.django_db

BANNER_ZH = "本服务器没有用于 PDF 的中文字体"


@pytest.fixture
def with_cjk_font():
    fonts.reset_for_tests()
    if not fonts.cjk_font().embedded:
        pytest.skip("no CJK TrueType font installed (fonts-wqy-microhei)")
    yield


def test_admin_sees_the_missing_font_banner_with_the_install_command(client, no_cjk_font):
    login(client, user(roles.ADMIN, "boss"))
    text = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="installation-warning"' in text
    assert BANNER_ZH in text and "sudo apt-get install fonts-wqy-microhei" in text
    assert "TRADELANE_CJK_FONT" in text
    client.post(reverse("web:set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("web:home")).content.decode()
    assert "This server has no Chinese (CJK) font for PDFs" in text


def test_other_roles_do_not_see_the_banner(client, no_cjk_font):
    login(client, user(roles.CUSTOMER_SERVICE, "cs"))
    text = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="installation-warning"' not in text and BANNER_ZH not in text


def test_no_banner_when_a_font_is_installed(client, with_cjk_font):
    login(client, user(roles.ADMIN, "boss"))
    assert fonts.cjk_font().embedded
    text = client.get(reverse("web:home")).content.decode()
    assert 'data-testid="installation-warning"' not in text
