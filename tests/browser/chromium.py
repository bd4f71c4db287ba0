"""The system Chromium the browser tests drive: where it is, its flags, the mark that skips a test
without it, and a page that fails its test on a JavaScript error."""

from contextlib import contextmanager
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
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)


@contextmanager
def new_page(browser, **context_options):
    """A page in a context of its own (`context_options`: Playwright's new_context arguments),
    failing fast on a hang; on leaving, asserts the page raised no JavaScript error."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
