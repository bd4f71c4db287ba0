"""Playwright on the system Chromium for the browser tests: a fresh page per test."""

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, HAS_CHROMIUM, NO_CHROMIUM, new_page


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
    with new_page(chromium, accept_downloads=True, viewport={"width": 1280, "height": 900}) as page:
        yield page
