"""The Atom feed of newly published cases."""
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cases.browse.feeds import FEED_LENGTH
from cases.models import Case
from tests.factories import CaseFactory, ThemeFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client):
    response = client.get(reverse("cases:case-feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def published(days_ago, **kwargs):
    return CaseFactory(published_at=dt.datetime(2025, 1, 31, tzinfo=dt.timezone.utc) - dt.timedelta(days=days_ago), **kwargs)


def test_feed_lists_published_cases_newest_first(client):
    published(10, title="Older", slug="older")
    published(1, title="Newer", slug="newer", themes=[ThemeFactory(name="Space", slug="space")])
    feed = entries(client)
    assert [entry.findtext(f"{ATOM}title") for entry in feed] == ["Newer", "Older"]
    newest = feed[0]
    assert newest.find(f"{ATOM}link").get("href") == "http://testserver/cases/newer/"
    assert newest.findtext(f"{ATOM}summary") == "Summary of Newer."
    assert newest.findtext(f"{ATOM}published").startswith("2025-01-30")
    assert [category.get("term") for category in newest.findall(f"{ATOM}category")] == ["Space"]


@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.REVIEW, Case.Status.ARCHIVED])
def test_drafts_never_appear_in_the_feed(client, status):
    published(1, title="Public")
    published(0, title="Not public", status=status)
    assert [entry.findtext(f"{ATOM}title") for entry in entries(client)] == ["Public"]


def test_feed_is_bounded(client):
    for number in range(FEED_LENGTH + 3):
        published(number)
    assert len(entries(client)) == FEED_LENGTH


def test_feed_number_of_queries(client, django_assert_max_num_queries):
    for number in range(10):
        published(number, themes=[ThemeFactory()])
    with django_assert_max_num_queries(3):
        client.get(reverse("cases:case-feed"))
