"""Playwright on the system Chromium for the browser tests: a fresh page per test."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HAS_CHROMIUM = Path(CHROMIUM).exists()
NO_CHROMIUM = "needs the system Chromium at /usr/bin/chromium (apt-get install chromium)"


@pytest.fixture(scope="module")
def chromium():
    """Chromium for one test module.

    Playwright's sync API keeps an event loop running in this thread while it is started;
    Django would then refuse every ORM call (fixtures, flushes) as if it came from async
    code. They are plain synchronous calls, so the guard is lifted, for this module only, and
    the loop is stopped at its end so the rest of the suite runs unaffected.
    """
    if not HAS_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(chromium):
    """A page in its own context (cookies, downloads), desktop-sized, failing fast on a hang."""
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
