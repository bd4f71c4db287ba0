"""The domain model: constraints the database holds, and derived values."""

import pytest
from django.db import IntegrityError, transaction

from cases.models import Case, Country, Quote
from tests.factories import CaseFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_every_iso_country_exists_with_a_region():
    assert Country.objects.count() == 249
    assert Country.objects.get(code="CA").region == "americas"
    assert Country.objects.get(code="AE").region == "asia"
    assert not Country.objects.filter(region="").exists()


def test_end_year_before_start_year_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(start_year=2021, end_year=2019)


def test_end_year_equal_to_start_year_is_accepted():
    assert CaseFactory(start_year=2021, end_year=2021).pk


def test_duplicate_case_slug_is_rejected():
    CaseFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(slug="same")


def test_case_cannot_be_its_own_parent():
    case = CaseFactory()
    case.parent_id = case.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_negative_second_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=QuoteFactory().pk).update(start_second=-1)


def test_quote_youtube_url_points_at_its_second():
    source = SourceFactory(youtube_id="nGjuo-7sUXM", slug="nGjuo-7sUXM")
    quote = QuoteFactory(source=source, start_second=1 * 3600 + 10 * 60 + 10)
    assert quote.youtube_url == "https://www.youtube.com/watch?v=nGjuo-7sUXM&t=4210s"
    assert quote.timestamp == "01:10:10"


def test_published_queryset_excludes_other_statuses():
    published = CaseFactory(status=Case.Status.PUBLISHED)
    for status in ("draft", "review", "archived"):
        CaseFactory(status=status)
    assert list(Case.objects.published()) == [published]


def test_country_filter_is_case_insensitive_and_distinct():
    case = CaseFactory(countries=["CA", "US"])
    CaseFactory(countries=["FR"])
    assert list(Case.objects.in_country("ca", "us")) == [case]
