"""The case status workflow: each transition, each refusal, publication dates, bulk evidence linking."""

import pytest

from cases.curation.workflow import (
    TransitionRefused,
    apply_transition,
    link_quotes_to_case,
    missing_for_publication,
    transition_in_bulk,
    transitions_from,
)
from cases.models import Case, Quote
from tests.curation import editor, publishable_case, publisher  # noqa: F401
from tests.factories import CaseFactory, QuoteFactory

pytestmark = pytest.mark.django_db
Status = Case.Status


@pytest.mark.parametrize(
    "name, start, end",
    [
        ("submit", Status.DRAFT, Status.REVIEW),
        ("withdraw", Status.REVIEW, Status.DRAFT),
        ("publish", Status.REVIEW, Status.PUBLISHED),
        ("unpublish", Status.PUBLISHED, Status.DRAFT),
        ("archive", Status.PUBLISHED, Status.ARCHIVED),
        ("reopen", Status.ARCHIVED, Status.DRAFT),
    ],
)
def test_publisher_applies_each_transition(publisher, name, start, end):
    case = publishable_case(status=start)
    apply_transition(case, name, user=publisher)
    case.refresh_from_db()
    assert case.status == end


@pytest.mark.parametrize("name, start", [("submit", Status.DRAFT), ("withdraw", Status.REVIEW)])
def test_editor_submits_and_withdraws(editor, name, start):
    case = publishable_case(status=start)
    apply_transition(case, name, user=editor)
    case.refresh_from_db()
    assert case.status != start


@pytest.mark.parametrize(
    "name, start",
    [
        ("publish", Status.REVIEW),
        ("unpublish", Status.PUBLISHED),
        ("archive", Status.PUBLISHED),
        ("reopen", Status.ARCHIVED),
    ],
)
def test_editor_is_refused_publishing_transitions(editor, name, start):
    case = publishable_case(status=start)
    with pytest.raises(TransitionRefused, match="only a Publisher"):
        apply_transition(case, name, user=editor)
    case.refresh_from_db()
    assert case.status == start


@pytest.mark.parametrize(
    "name, start",
    [("publish", Status.DRAFT), ("archive", Status.REVIEW), ("submit", Status.PUBLISHED), ("reopen", Status.DRAFT)],
)
def test_transition_from_the_wrong_status_is_refused(publisher, name, start):
    case = publishable_case(status=start)
    with pytest.raises(TransitionRefused, match=f"it is {Status(start).label.lower()}"):
        apply_transition(case, name, user=publisher)
    case.refresh_from_db()
    assert case.status == start


def test_publishing_an_incomplete_case_lists_everything_missing(publisher):
    case = CaseFactory(status=Status.REVIEW, summary="  ", published_at=None)
    with pytest.raises(TransitionRefused) as refused:
        apply_transition(case, "publish", user=publisher)
    assert "a summary, a country and an evidence quote" in refused.value.message
    case.refresh_from_db()
    assert case.status == Status.REVIEW
    assert case.published_at is None


@pytest.mark.parametrize("lacking", ["summary", "country", "evidence"])
def test_publishing_refused_for_each_missing_requirement(publisher, lacking):
    case = publishable_case()
    if lacking == "summary":
        Case.objects.filter(pk=case.pk).update(summary="")
    elif lacking == "country":
        case.countries.clear()
    else:
        case.quotes.clear()
    with pytest.raises(TransitionRefused, match=lacking if lacking != "evidence" else "evidence quote"):
        apply_transition(case, "publish", user=publisher)


def test_published_at_is_set_on_first_publication_only(publisher):
    case = publishable_case()
    first = apply_transition(case, "publish", user=publisher).published_at
    assert first is not None
    apply_transition(case, "unpublish", user=publisher)
    apply_transition(case, "submit", user=publisher)
    again = apply_transition(case, "publish", user=publisher)
    assert again.published_at == first


def test_transition_is_recorded_in_history_with_user(publisher):
    case = publishable_case()
    apply_transition(case, "publish", user=publisher)
    latest = Case.history.filter(id=case.pk).latest("history_date")
    assert latest.status == Status.PUBLISHED
    assert latest.history_user == publisher
    assert latest.history_change_reason == "Publish"


def test_transitions_offered_depend_on_role(editor, publisher):
    assert [t.name for t in transitions_from(Status.REVIEW, editor)] == ["withdraw"]
    assert {t.name for t in transitions_from(Status.REVIEW, publisher)} == {"withdraw", "publish"}
    assert transitions_from(Status.PUBLISHED, editor) == []


def test_transition_in_bulk_returns_changes_and_refusals(publisher):
    ready = publishable_case()
    lacking = CaseFactory(status=Status.REVIEW, published_at=None)
    result = transition_in_bulk(Case.objects.filter(pk__in=[ready.pk, lacking.pk]), "publish", user=publisher)
    assert [case.pk for case in result.changed] == [ready.pk]
    assert [refusal.case.pk for refusal in result.refused] == [lacking.pk]


def test_missing_for_publication_reads_overrides():
    case = CaseFactory(summary="")
    assert missing_for_publication(case, summary="Text", country_count=1, evidence_count=2) == []


def test_link_quotes_to_case_links_in_bulk_and_counts(publisher):
    case = CaseFactory()
    linked_before = QuoteFactory(cases=[case])
    others = [QuoteFactory() for _ in range(3)]
    before = case.updated_at
    result = link_quotes_to_case(
        Quote.objects.filter(pk__in=[linked_before.pk, *(q.pk for q in others)]), case, user=publisher
    )
    assert (result.linked, result.already) == (3, 1)
    assert set(case.quotes.values_list("pk", flat=True)) == {linked_before.pk, *(q.pk for q in others)}
    case.refresh_from_db()
    assert case.updated_at > before  # a stale form of the case is refused afterwards
    assert Case.history.filter(id=case.pk).latest("history_date").history_change_reason == "Linked 3 quotes as evidence"
    for quote in others:
        assert case.pk in Quote.history.filter(id=quote.pk).latest("history_date").cases.values_list(
            "case_id", flat=True
        )
