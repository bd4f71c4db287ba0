"""Merging duplicate organisations, themes, approaches and topics (Publishers)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.curation.merging import merge_terms
from cases.models import Case, Participation, Theme, Topic
from tests.curation import client_for, editor, publisher  # noqa: F401
from tests.factories import (
    CaseFactory,
    DocumentFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    ThemeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def test_merging_themes_moves_links_redirects_and_records_history(client_for, publisher, client):
    keep, duplicate = (
        ThemeFactory(slug="food-security", name="Food security"),
        ThemeFactory(slug="food-sec", name="Food sec"),
    )
    both = CaseFactory(themes=[keep, duplicate])
    only_duplicate = CaseFactory(themes=[duplicate])
    response = client_for(publisher).post(
        reverse("admin:cases_theme_changelist"),
        {"action": "merge_selected", "_selected_action": [keep.pk, duplicate.pk], "keep": keep.pk, "apply": "1"},
    )
    assert response.status_code == 302
    assert not Theme.objects.filter(pk=duplicate.pk).exists()
    assert list(both.themes.all()) == [keep] and list(only_duplicate.themes.all()) == [keep]
    client.logout()
    redirect = client.get("/themes/food-sec/")
    assert redirect.status_code == 301 and redirect["Location"] == "/themes/food-security/"
    record = Case.history.filter(id=only_duplicate.pk).latest("history_date")
    assert record.history_change_reason.startswith("Merged theme Food sec into Food security")
    assert list(record.themes.values_list("theme_id", flat=True)) == [keep.pk]
    assert LogEntry.objects.filter(object_id=str(keep.pk), change_message__startswith="Merged").exists()


def test_merging_organisations_keeps_each_role_once():
    keep, duplicate = OrganisationFactory(slug="nasa"), OrganisationFactory(slug="nasa-2")
    case = CaseFactory()
    ParticipationFactory(case=case, organisation=keep, role="lead")
    ParticipationFactory(case=case, organisation=duplicate, role="lead")
    ParticipationFactory(case=case, organisation=duplicate, role="funder")
    from tests.curation import make_curator

    merge_terms(keep, [duplicate], user=make_curator("p", "Publishers"))
    assert sorted(Participation.objects.filter(case=case).values_list("organisation_id", "role")) == [
        (keep.pk, "funder"),
        (keep.pk, "lead"),
    ]
    assert Participation.history.filter(organisation_id=keep.pk, role="funder").exists()


def test_merging_topics_moves_documents_and_quotes(publisher):
    keep, duplicate = TopicFactory(slug="open_data"), TopicFactory(slug="open-data")
    document, quote = DocumentFactory(), QuoteFactory()
    document.topics.add(duplicate)
    quote.topics.add(duplicate, keep)
    merge_terms(keep, [duplicate], user=publisher)
    assert list(document.topics.all()) == [keep] and list(quote.topics.all()) == [keep]
    assert not Topic.objects.filter(slug="open-data").exists()


def test_editor_cannot_merge(client_for, editor):
    first, second = ThemeFactory(), ThemeFactory()
    with pytest.raises(ValidationError):
        merge_terms(first, [second], user=editor)
    response = client_for(editor).get(reverse("admin:cases_theme_changelist"))
    assert "merge_selected" not in response.content.decode()


def test_merge_page_asks_which_to_keep(client_for, publisher):
    first, second = ThemeFactory(name="First"), ThemeFactory(name="Second")
    response = client_for(publisher).post(
        reverse("admin:cases_theme_changelist"), {"action": "merge_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 200
    assert "Merge into the one kept" in response.content.decode()
    assert Theme.objects.count() == 2
