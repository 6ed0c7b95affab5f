"""Signing in through the login form, as every browser test under ``tests/browser`` does."""

from __future__ import annotations

from .data import PASSWORD


def log_in(page, live_server, username: str, password: str = PASSWORD, *, wait: bool = True):
    """Fill the Chinese login form and submit it; with ``wait`` (the default) return once the
    workbench has loaded. ``wait=False`` for tests of a refused sign-in (lockout, bad password)."""
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    if wait:
        page.wait_for_url(f"{live_server.url}/")
