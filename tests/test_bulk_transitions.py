"""Bulk transitions from the case changelist: many cases in one request, each whole or refused with
its reason, every change in Recent actions and in history (written in bulk)."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.curation.history import versions
from cases.curation.workflow import transition_in_bulk
from cases.models import Case, Country, Quote, Source
from tests.curation import client_for, editor, publisher  # noqa: F401
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db
Status = Case.Status
CASES = 1000
QUOTES_PER_CASE = 3


def generate_cases(count, *, quotes_per_case, lacking_every=0):
    """`count` cases in review with a country and `quotes_per_case` evidence quotes, in bulk;
    every `lacking_every`-th case has no summary (so publishing it is refused)."""
    cases = Case.objects.bulk_create(
        Case(
            title=f"Generated {n}",
            slug=f"generated-{n}",
            status=Status.REVIEW,
            summary="" if lacking_every and n % lacking_every == 0 else f"Summary {n}.",
        )
        for n in range(count)
    )
    canada = Country.objects.get(code="CA")
    Case.countries.through.objects.bulk_create(
        Case.countries.through(case_id=c.pk, country_id=canada.pk) for c in cases
    )
    source = SourceFactory()
    quotes = Quote.objects.bulk_create(
        Quote(source=source, text=f"Statement {n}.", start_second=n) for n in range(quotes_per_case)
    )
    Quote.cases.through.objects.bulk_create(
        Quote.cases.through(case_id=c.pk, quote_id=q.pk) for c in cases for q in quotes
    )
    return cases


def test_admin_bulk_publish_of_1000_cases_completes_and_is_recorded(client_for, publisher):
    generate_cases(CASES, quotes_per_case=QUOTES_PER_CASE, lacking_every=100)
    client = client_for(publisher)
    first_page = list(Case.objects.order_by("title").values_list("pk", flat=True)[:50])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            # "Select all 1,000 cases" on the changelist of cases in review.
            reverse("admin:cases_case_changelist") + "?status__exact=review",
            {"action": "transition_publish", "_selected_action": first_page, "select_across": "1", "index": "0"},
        )
    assert response.status_code == 302
    assert len(queries) < 80  # bulk: a few per batch (SQLite batches history rows by ~55), not a query per case
    published = Case.objects.filter(status=Status.PUBLISHED)
    assert published.count() == CASES - CASES // 100
    assert not published.filter(published_at__isnull=True).exists()
    lacking = Case.objects.exclude(status=Status.PUBLISHED)
    assert set(lacking.values_list("status", flat=True)) == {Status.REVIEW}
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"Publish: {CASES - CASES // 100} cases done." in messages
    assert "“Generated 0” was not changed (publish): it lacks a summary." in messages
    assert "…and 0 more" not in " ".join(messages)
    # Recent actions: one entry per published case.
    entries = LogEntry.objects.filter(user=publisher, action_flag=CHANGE, change_message="Publish")
    assert entries.count() == CASES - CASES // 100
    # History: one record per published case, by the publisher, with its links.
    records = Case.history.filter(history_change_reason="Publish", history_user=publisher)
    assert records.count() == CASES - CASES // 100
    record = records.first()
    assert record.status == Status.PUBLISHED
    assert list(record.countries.values_list("country_id", flat=True)) == ["CA"]


def test_bulk_history_holds_the_links_a_version_shows(publisher):
    case = generate_cases(1, quotes_per_case=2)[0]
    transition_in_bulk(Case.objects.filter(pk=case.pk), "publish", user=publisher)
    record = Case.history.get(id=case.pk)
    assert record.history_type == "~"
    [version] = versions(case.pk, [record])
    assert set(record.countries.values_list("country_id", flat=True)) == {"CA"}
    assert version.record.history_user == publisher


def test_each_case_moves_whole_or_is_refused_with_its_reason(editor, publisher):
    ready, draft = generate_cases(2, quotes_per_case=1)
    Case.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    result = transition_in_bulk(Case.objects.filter(pk__in=[ready.pk, draft.pk]), "publish", user=publisher)
    assert [case.pk for case in result.changed] == [ready.pk]
    assert [refusal.reason for refusal in result.refused] == ["it is draft, not in review"]
    assert Case.objects.get(pk=draft.pk).status == Status.DRAFT
    assert not Case.history.filter(id=draft.pk).exists()
    refused = transition_in_bulk(Case.objects.filter(pk=ready.pk), "archive", user=editor)
    assert refused.changed == [] and refused.refused[0].reason == "only a Publisher may do this"


def test_an_error_midway_leaves_every_case_as_it_was(publisher, monkeypatch):
    cases = generate_cases(3, quotes_per_case=1)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("cases.curation.workflow.record_in_bulk", fail)
    with pytest.raises(RuntimeError):
        transition_in_bulk(Case.objects.filter(pk__in=[c.pk for c in cases]), "publish", user=publisher)
    assert not Case.objects.filter(status=Status.PUBLISHED).exists()
    assert Source.objects.count() == 1
