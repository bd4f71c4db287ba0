"""Terms a published case links to change only through a Publisher (cases/admin/taxonomy.py,
issue 14): an Editor sees them read-only and cannot delete them; terms only drafts use stay
editable by Editors."""

import pytest
from django.urls import reverse

from cases.models import Case, Challenge, Theme
from tests.curation import client_for, editor, publisher  # noqa: F401
from tests.factories import CaseFactory, ChallengeFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def theme_linked_to(status):
    theme = ThemeFactory(name="Digital identity", slug="digital-identity")
    case = CaseFactory(status=status)
    case.themes.add(theme)
    return theme


def post_rename(client, theme):
    url = reverse("admin:cases_theme_change", args=[theme.pk])
    return client.post(url, {"name": "Renamed", "slug": theme.slug, "description": ""})


def test_an_editor_sees_a_published_cases_theme_read_only(client_for, editor):  # noqa: F811
    theme = theme_linked_to(Case.Status.PUBLISHED)
    client = client_for(editor)
    page = client.get(reverse("admin:cases_theme_change", args=[theme.pk]))
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown, not offered as a field
    assert post_rename(client, theme).status_code == 403
    assert client.post(reverse("admin:cases_theme_delete", args=[theme.pk]), {"post": "yes"}).status_code == 403
    theme.refresh_from_db()
    assert theme.name == "Digital identity"


def test_an_editor_edits_a_theme_only_drafts_use(client_for, editor):  # noqa: F811
    theme = theme_linked_to(Case.Status.DRAFT)
    response = post_rename(client_for(editor), theme)
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Renamed"


def test_a_publisher_renames_a_published_cases_theme(client_for, publisher):  # noqa: F811
    theme = theme_linked_to(Case.Status.PUBLISHED)
    assert post_rename(client_for(publisher), theme).status_code == 302
    assert Theme.objects.get(pk=theme.pk).name == "Renamed"


def test_an_editor_cannot_rewrite_a_published_cases_challenge(client_for, editor):  # noqa: F811
    challenge = ChallengeFactory()
    case = CaseFactory(status=Case.Status.PUBLISHED)
    case.challenges.add(challenge)
    url = reverse("admin:cases_challenge_change", args=[challenge.pk])
    response = client_for(editor).post(url, {"name": "Other", "slug": challenge.slug, "description": "x", "order": 1})
    assert response.status_code == 403
    assert Challenge.objects.get(pk=challenge.pk).name == challenge.name
