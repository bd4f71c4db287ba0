"""axe-core (vendored from the npm package axe-core: tests/browser/axe.min.js, MPL-2.0, see
axe-core-LICENSE.txt) finds no WCAG 2 A/AA violation on the main pages."""

import json
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.browser.chromium import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]

AXE = (Path(__file__).parent / "axe.min.js").read_text(encoding="utf-8")
PAGES = [
    "/",
    "/cases/",
    "/cases/?country=ca&theme=space-exploration",
    "/cases/deep-space-food-challenge/",
    "/countries/",
    "/countries/ca/",
    "/challenges/",
    "/success-factors/",
    "/themes/",
    "/approaches/",
    "/organisations/",
    "/documents/",
    "/topics/",
    "/sources/",
    "/about/",
    "/matrix/",
    "/submit/",
]


@pytest.fixture
def seeded(transactional_db):
    import_module("cases.migrations.0002_countries").load_countries(apps, None)
    call_command("load_seed", verbosity=0)


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_have_no_axe_violations(seeded, live_server, chromium, width):
    # The page's CSP forbids inline script, so axe is evaluated through the DevTools protocol.
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    found = {}
    for url in PAGES:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        page.evaluate(AXE)
        violations = page.evaluate(
            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations"
            ".map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )
        if violations:
            found[url] = violations
    # axe did run: an image without a text alternative, added here, is reported.
    page.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x.png'}))"
    )
    planted = page.evaluate("async () => (await axe.run(document, {runOnly: ['image-alt']})).violations.length")
    context.close()
    assert planted == 1
    assert found == {}, json.dumps(found, indent=1)
