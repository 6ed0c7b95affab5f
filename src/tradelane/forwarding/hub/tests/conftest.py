"""The hub's service answers carry a message in the user's language; with no request the
default (zh-hans) would apply, so these tests read them in English unless a client asks for
another (the pages' tests set the language cookie)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
