"""A visitor in Chromium: filters the case browser, removes a chip, downloads the CSV, opens a case."""

import csv
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.browser.chromium import needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),  # live_server needs a transactional database
]


@pytest.fixture
def seeded(transactional_db):
    """The curated seed library, loaded as `make run` loads it.

    The countries come from a data migration, which the flush after an earlier transactional
    test empties: they are loaded again as the migration loads them.
    """
    import_module("cases.migrations.0002_countries").load_countries(apps, None)
    call_command("load_seed", verbosity=0)


def heading(page):
    return page.locator("#results-heading").inner_text()


def result_links(page):
    return page.locator(".case-results .case-result h3 a")


def test_filter_remove_a_chip_download_the_csv_and_open_a_case(seeded, live_server, page, tmp_path):
    page.goto(f"{live_server.url}/cases/")
    assert heading(page) == "11 cases"

    page.locator("#facet-country label.facet__label", has_text=re.compile("^United States$")).click()
    page.wait_for_url(re.compile(r"/cases/\?country=us$"))
    assert heading(page) == "3 cases"

    page.locator("#facet-theme label.facet__label", has_text="Space exploration").click()
    page.wait_for_url(re.compile(r"country=us&theme=space-exploration"))
    assert heading(page) == "2 cases"
    assert sorted(result_links(page).all_inner_texts()) == [
        "Deep Space Food Challenge",
        "NASA International Space Apps Challenge",
    ]

    page.locator(".chips a.chip", has_text="Theme: Space exploration").click()
    page.wait_for_url(re.compile(r"/cases/\?country=us$"))
    assert heading(page) == "3 cases"
    chips = [" ".join(text.split()) for text in page.locator(".chips a.chip").all_inner_texts()]
    assert chips == ["Country: United States (remove this filter) ×"]
    shown = sorted(link.get_attribute("href").split("/")[2] for link in result_links(page).all())

    with page.expect_download() as download_info:
        page.locator(".results-bar__export a", has_text="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "cases.csv"
    target = tmp_path / "cases.csv"
    download.save_as(target)
    with Path(target).open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["slug"] for row in rows) == shown
    assert all("US" in row["countries"].split(";") for row in rows)

    page.locator(".case-results a", has_text="Deep Space Food Challenge").click()
    page.wait_for_url(re.compile(r"/cases/deep-space-food-challenge/$"))
    quote_links = page.locator('blockquote.quote a[href*="youtube.com/watch?v="][href*="&t="]')
    assert quote_links.count() > 0
    assert re.fullmatch(r"\d\d:\d\d:\d\d", quote_links.first.inner_text())
    assert re.search(r"&t=\d+s$", quote_links.first.get_attribute("href"))
