"""Reverting a case to a recorded version restores its content and every kind of link."""

import pytest
from django.core.exceptions import ValidationError

from cases.curation.history import (
    BASELINE_REASON,
    ensure_baseline,
    link_changes,
    revert_case,
    validate_parent,
    versions,
)
from cases.models import Case, CaseChallenge, Country, Participation, Quote
from cases.tracking import RECORDERS
from tests.curation import editor  # noqa: F401
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def record_now(case, **kwargs):
    """Record the case as the admin does after a save, and return that version."""
    RECORDERS[Case].record(Case.objects.get(pk=case.pk), **kwargs)
    return Case.history.filter(id=case.pk).latest("history_date")


@pytest.fixture
def curated_case():
    """A case with content and one link of every kind, recorded as a version."""
    case = CaseFactory(
        title="Original title", summary="Original summary.", countries=["CA", "US"], themes=[ThemeFactory(slug="space")]
    )
    ParticipationFactory(case=case, organisation=OrganisationFactory(slug="csa"), role="lead")
    CaseChallengeFactory(case=case, note="Original challenge note")
    CaseSuccessFactorFactory(case=case, note="Original factor note")
    QuoteFactory(cases=[case], text="Original evidence")
    ensure_baseline(case)
    return case, record_now(case)


def mess_up(case):
    """Change content and every kind of link after the recorded version."""
    case.title = "Changed title"
    case.summary = "Changed summary."
    case.save()
    case.countries.set([Country.objects.get(code="FR")])
    case.themes.clear()
    Participation.objects.filter(case=case).delete()
    ParticipationFactory(case=case, organisation=OrganisationFactory(slug="newcomer"), role="partner")
    CaseChallenge.objects.filter(case=case).update(note="Changed note")
    challenge_row = CaseChallenge.objects.get(case=case)
    challenge_row.note = "Changed note"
    challenge_row.save()
    case.case_success_factors.all().delete()
    case.quotes.clear()
    QuoteFactory(cases=[case], text="Later evidence")


def test_revert_restores_content_and_every_link(curated_case, editor):
    case, version = curated_case
    mess_up(case)

    result = revert_case(case, version, user=editor)

    case.refresh_from_db()
    assert (case.title, case.summary) == ("Original title", "Original summary.")
    assert set(case.countries.values_list("code", flat=True)) == {"CA", "US"}
    assert list(case.themes.values_list("slug", flat=True)) == ["space"]
    assert list(case.participations.values_list("organisation__slug", "role")) == [("csa", "lead")]
    assert list(case.case_challenges.values_list("note", flat=True)) == ["Original challenge note"]
    assert list(case.case_success_factors.values_list("note", flat=True)) == ["Original factor note"]
    assert list(case.quotes.values_list("text", flat=True)) == ["Original evidence"]
    assert result.notes == []


def test_revert_is_itself_a_version_by_the_user(curated_case, editor):
    case, version = curated_case
    mess_up(case)
    revert_case(case, version, user=editor)
    latest = Case.history.filter(id=case.pk).latest("history_date")
    assert latest.history_user == editor
    assert latest.history_change_reason.startswith("Reverted to the version of")


def test_revert_keeps_the_current_status(curated_case, editor):
    case, version = curated_case
    Case.objects.filter(pk=case.pk).update(status=Case.Status.ARCHIVED)
    revert_case(case, version, user=editor)
    case.refresh_from_db()
    assert case.status == Case.Status.ARCHIVED


def test_revert_refuses_a_slug_taken_since_and_changes_nothing(curated_case, editor):
    case, version = curated_case
    case.slug = "renamed"
    case.title = "Changed title"
    case.save()
    CaseFactory(slug=version.slug)
    with pytest.raises(ValidationError):
        revert_case(case, version, user=editor)
    case.refresh_from_db()
    assert (case.slug, case.title) == ("renamed", "Changed title")


def test_revert_notes_what_no_longer_exists(curated_case, editor):
    case, version = curated_case
    case.quotes.all().delete()
    result = revert_case(case, version, user=editor)
    assert result.notes == ["1 of its evidence quotes no longer exist"]


def test_links_written_without_history_are_kept_after_a_baseline():
    """Fixtures and bulk imports write no history: the baseline records them before a change."""
    case = CaseFactory(title="Seeded")
    Participation.objects.bulk_create([Participation(case=case, organisation=OrganisationFactory(), role="lead")])
    Case.history.filter(id=case.pk).delete()
    ensure_baseline(case)
    baseline = Case.history.get(id=case.pk)
    assert baseline.history_change_reason == BASELINE_REASON
    case.participations.all().delete()
    revert_case(case, baseline)
    assert case.participations.count() == 1


def test_versions_describe_link_changes_between_records(curated_case):
    case, version = curated_case
    mess_up(case)
    later = record_now(case)
    older, newer = versions(case.pk, [version, later])
    changes = {change["field"]: change for change in link_changes(older, newer)}
    assert set(changes) == {"Organisations", "Challenge notes", "Success-factor notes", "Evidence"}
    assert changes["Organisations"]["added"][0].endswith("(partner)")
    assert changes["Organisations"]["removed"][0].endswith("(lead)")
    assert changes["Challenge notes"]["changed"][0].endswith("(Changed note)")
    assert changes["Success-factor notes"]["removed"][0].endswith("(Original factor note)")
    assert [text.split(" ", 1)[1] for text in changes["Evidence"]["added"]] == ["Later evidence"]


def test_links_not_recorded_yet_are_not_shown_as_added():
    case = CaseFactory()
    before = record_now(case)
    Participation.objects.bulk_create([Participation(case=case, organisation=OrganisationFactory(), role="lead")])
    ensure_baseline(case)  # records the row now: it may have existed at `before` already
    after = record_now(case)
    older, newer = versions(case.pk, [before, after])
    assert link_changes(older, newer) == []


def test_quote_history_records_links_changed_from_the_case_side():
    case = CaseFactory()
    quote = QuoteFactory()
    case.quotes.add(quote)
    latest = Quote.history.filter(id=quote.pk).latest("history_date")
    assert list(latest.cases.values_list("case_id", flat=True)) == [case.pk]
    case.quotes.clear()
    latest = Quote.history.filter(id=quote.pk).latest("history_date")
    assert list(latest.cases.values_list("case_id", flat=True)) == []


def test_case_history_records_links_changed_from_the_other_side():
    case = CaseFactory()
    Country.objects.get(code="DE").cases.add(case)  # upstream simple-history fails here (#1048)
    latest = Case.history.filter(id=case.pk).latest("history_date")
    assert list(latest.countries.values_list("country_id", flat=True)) == ["DE"]


def test_validate_parent_refuses_self_and_cycles():
    first = CaseFactory()
    second = CaseFactory(parent=first)
    with pytest.raises(ValidationError):
        validate_parent(first, first.pk)
    with pytest.raises(ValidationError):
        validate_parent(first, second.pk)
    validate_parent(second, first.pk)  # the existing parent is fine


def test_baseline_stands_for_the_time_before_it():
    """Evidence linked in bulk to a seeded case shows as added in the version that linked it."""
    case = CaseFactory()
    seeded = record_now(case)
    quote = QuoteFactory()
    Quote.history.filter(id=quote.pk).delete()  # as written by a fixture
    from cases.curation.workflow import link_quotes_to_case

    link_quotes_to_case(Quote.objects.filter(pk=quote.pk), case)
    linked = Case.history.filter(id=case.pk).latest("history_date")
    older, newer = versions(case.pk, [seeded, linked])
    assert [change["field"] for change in link_changes(older, newer)] == ["Evidence"]
    revert_case(case, seeded)
    assert not case.quotes.exists()
