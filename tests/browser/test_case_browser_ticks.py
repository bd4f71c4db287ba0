"""A visitor ticks options, then sorts, searches and pages: no action drops a tick, with JavaScript
(a tick applies at once) and without it (every control submits the one filter form)."""

import re
from importlib import import_module

import pytest
from django.apps import apps

from tests.browser.chromium import needs_chromium
from tests.pages_library import build_library

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def library(transactional_db):
    """45 published cases in three countries each: enough for three pages of 20."""
    import_module("cases.migrations.0002_countries").load_countries(apps, None)
    build_library(cases=45, quotes_per_case=0)


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def browser_page(request, chromium):
    context = chromium.new_context(java_script_enabled=request.param, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.scripted = request.param
    yield page
    context.close()


def apply_if_needed(page):
    """Without JavaScript a tick waits for a submit button; with it the page reloads at once."""
    if not page.scripted:
        with page.expect_navigation():
            page.locator(".browser__apply button").click()
    else:
        page.wait_for_load_state()


def reveal(page, value):
    """Unfold the country facet's further options if the option is among them."""
    if not page.locator(f"#facet-country-{value}").is_visible():
        page.locator("#facet-country details summary").click()


def ticked(page, facet):
    return sorted(
        page.locator(f"#facet-{facet} input[type=checkbox]:checked").evaluate_all(
            "boxes => boxes.map(box => box.value)"
        )
    )


def test_ticks_survive_sort_search_and_paging(library, live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/cases/")
    # Tick two countries: by the box, then by the name (the label does the same).
    with page.expect_navigation() if page.scripted else _nothing():
        page.locator("#facet-country-ca").check()
    reveal(page, "us")
    with page.expect_navigation() if page.scripted else _nothing():
        page.locator("label[for=facet-country-us]").click()
    if not page.scripted:
        assert ticked(page, "country") == ["ca", "us"]  # pending, not yet applied
        # Sorting submits the same form: the pending ticks go along.
        page.locator("#browser-sort").select_option("-year")
        with page.expect_navigation():
            page.locator(".results-bar__sort button").click()
    else:
        with page.expect_navigation():
            page.locator("#browser-sort").select_option("-year")
    assert ticked(page, "country") == ["ca", "us"]
    assert "sort=-year" in page.url

    # Tick a third country (pending without JavaScript), then search: the search keeps it all.
    reveal(page, "fr")
    with page.expect_navigation() if page.scripted else _nothing():
        page.locator("#facet-country-fr").check()
    page.locator("#browser-q").fill("case")
    with page.expect_navigation():
        page.locator("#browser-q").press("Enter")
    assert ticked(page, "country") == ["ca", "fr", "us"]
    assert "q=case" in page.url and "sort=-year" in page.url
    count = int(re.match(r"\d+", page.locator("#results-heading").inner_text()).group())
    assert count > 20

    # Tick a case for comparison, page on: the countries, the sort and the compare tick remain.
    page.locator('.case-result input[name="cases"]').first.check()
    compared = page.locator('.case-result input[name="cases"]').first.get_attribute("value")
    with page.expect_navigation():
        page.locator(".pagination button", has_text="Next").click()
    assert "page=2" in page.url
    assert ticked(page, "country") == ["ca", "fr", "us"]
    assert "sort=-year" in page.url
    assert page.locator(f'.compare-bar__others input[value="{compared}"]').is_checked()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_sources_fit_a_phone_and_the_browser_controls_are_at_least_24_pixels(library, live_server, chromium):
    from cases.models import Source

    Source.objects.create(
        kind="video",
        title="A rather long webinar title " * 4,
        slug="abcdefghijk",
        youtube_id="abcdefghijk",
        channel="OECD Observatory of Public Sector Innovation",
    )
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/sources/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/cases/")
    sizes = page.locator(".facet__option input, .case-result__compare input, .facet__more > summary").evaluate_all(
        "inputs => inputs.filter(i => i.offsetParent).map(i => [i.offsetWidth, i.offsetHeight])"
    )
    assert sizes and all(width >= 24 and height >= 24 for width, height in sizes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".facet__more > summary").count()  # folded options were measured too
    slugs = page.locator(".case-result__compare input").evaluate_all("inputs => inputs.map(i => i.value)")[:2]
    page.goto(f"{live_server.url}/compare/?cases={slugs[0]}&cases={slugs[1]}")
    sizes = page.locator(".compare__remove").evaluate_all("links => links.map(a => [a.offsetWidth, a.offsetHeight])")
    assert len(sizes) == 2 and all(width >= 24 and height >= 24 for width, height in sizes)
    context.close()
