"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (``apt-get install
chromium fonts-noto-cjk``). Without it these tests skip, except in CI (``CI`` set), where a
missing browser is an error. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (seeding data) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("TRADELANE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own widgets (date pickers) as a Chinese user sees them
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _chromium_or_skip() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser():
    path = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser profile per test: a Chinese-speaking user on a desktop screen."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1440, "height": 900}, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.js_errors = errors
    # Every page of every browser test must pass the Content-Security-Policy: Chromium reports a
    # blocked script, style, eval or frame as a console error naming the policy.
    violations: list[str] = []
    tab.on(
        "console",
        lambda msg: (
            violations.append(f"{tab.url}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    tab.csp_violations = violations
    yield tab
    context.close()
    assert not violations, "pages broke the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def immediate_tasks(settings):
    """Jobs run inline in the request that starts them (no worker process in tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        if full_page:  # from the top, or sticky headers are drawn where the page was scrolled
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def settled():
    """Wait until htmx has swapped and settled (and so wired up) the content it just put in.

    htmx attaches the triggers of swapped-in elements when the swap settles (20 ms later, more
    on a loaded machine); an action a test takes before that (a select's change) is lost."""

    def wait(page) -> None:
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )

    return wait


@pytest.fixture
def fake():
    """A fake Shopify (GraphQL Admin API) on a local port, with the client's cost buckets
    emptied around it (they are per shop domain, and every fake uses the same one)."""
    from tradelane.integrations.stores.fakes.shopify import FakeShopify
    from tradelane.integrations.stores.shopify import client as shopify_client

    shopify_client._buckets.clear()
    server = FakeShopify().start()
    yield server
    server.stop()
    shopify_client._buckets.clear()
