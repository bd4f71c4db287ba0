"""Permalinks that last: old slugs redirect permanently, archived cases answer 410 and stay citable,
and terms only drafts use have no public page."""

import pytest
from django.urls import reverse

from cases.curation.history import revert_case
from cases.models import Case, OldSlug, Organisation, Theme
from tests.curation import change_url, client_for, form_data, publisher  # noqa: F401
from tests.factories import CaseFactory, OrganisationFactory, ParticipationFactory, ThemeFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_renamed_case_old_url_redirects_permanently(client):
    case = CaseFactory(slug="old-name")
    case.slug = "new-name"
    case.save()
    response = client.get("/cases/old-name/")
    assert response.status_code == 301
    assert response["Location"] == "/cases/new-name/"
    assert client.get("/cases/new-name/").status_code == 200


def test_old_slug_redirects_through_a_chain_of_renames(client):
    case = CaseFactory(slug="first")
    for slug in ("second", "third"):
        case.slug = slug
        case.save()
    assert client.get("/cases/first/")["Location"] == "/cases/third/"
    assert client.get("/cases/second/")["Location"] == "/cases/third/"


def test_old_slug_taken_by_another_case_shows_that_case(client):
    renamed = CaseFactory(slug="shared")
    renamed.slug = "moved"
    renamed.save()
    CaseFactory(slug="shared", title="The new owner")
    response = client.get("/cases/shared/")
    assert response.status_code == 200
    assert b"The new owner" in response.content


def test_renaming_back_drops_the_redirect_of_the_live_slug(client):
    case = CaseFactory(slug="a")
    case.slug = "b"
    case.save()
    case.slug = "a"
    case.save()
    assert client.get("/cases/a/").status_code == 200
    assert client.get("/cases/b/")["Location"] == "/cases/a/"


def test_old_slug_of_a_draft_is_not_revealed(client):
    case = CaseFactory(slug="secret", status=Case.Status.DRAFT)
    case.slug = "secret-2"
    case.save()
    assert client.get("/cases/secret/").status_code == 404


def test_admin_save_records_the_old_slug(client_for, publisher):
    case = CaseFactory(slug="from-admin", countries=["FR"])
    client = client_for(publisher)
    data = form_data(client.get(change_url(case)))
    data["slug"] = "renamed-in-admin"
    response = client.post(change_url(case), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert OldSlug.objects.get(kind="case", slug="from-admin").target_id == case.pk
    assert client.get("/cases/from-admin/")["Location"] == "/cases/renamed-in-admin/"


def test_history_revert_records_the_old_slug(publisher):
    case = CaseFactory(slug="before-revert")
    from cases.tracking import RECORDERS

    RECORDERS[Case].record(case)
    record = Case.history.filter(id=case.pk).latest("history_date")
    case.slug = "after-rename"
    case.save()
    revert_case(Case.objects.get(pk=case.pk), record, user=publisher)
    assert Case.objects.get(pk=case.pk).slug == "before-revert"
    assert OldSlug.objects.filter(kind="case", slug="after-rename", target_id=case.pk).exists()
    assert not OldSlug.objects.filter(kind="case", slug="before-revert").exists()


def test_archived_case_answers_410_with_title_dates_and_citation(client):
    CaseFactory(slug="gone", title="A withdrawn initiative", status=Case.Status.ARCHIVED, start_year=2018)
    response = client.get("/cases/gone/")
    assert response.status_code == 410
    content = response.content.decode()
    assert "A withdrawn initiative" in content
    assert "withdrawn" in content
    assert "2018" in content
    assert reverse("cases:case-cite-bib", kwargs={"slug": "gone"}) in content
    assert 'name="citation_title"' in content or "citation_title" in content or "DC.title" in content


def test_archived_case_citation_files_stay_available(client):
    CaseFactory(slug="gone", title="A withdrawn initiative", status=Case.Status.ARCHIVED)
    for extension in ("bib", "ris"):
        response = client.get(f"/cases/gone/cite.{extension}")
        assert response.status_code == 200
        assert "A withdrawn initiative" in response.content.decode()


def test_draft_citation_is_not_found(client):
    CaseFactory(slug="draft", status=Case.Status.DRAFT)
    assert client.get("/cases/draft/cite.bib").status_code == 404
    assert client.get("/cases/draft/").status_code == 404


def test_old_slug_of_citation_redirects(client):
    case = CaseFactory(slug="cite-old")
    case.slug = "cite-new"
    case.save()
    response = client.get("/cases/cite-old/cite.ris")
    assert response.status_code == 301
    assert response["Location"] == "/cases/cite-new/cite.ris"


def test_renamed_theme_and_topic_redirect(client):
    theme = ThemeFactory(slug="old-theme")
    CaseFactory(themes=[theme])
    theme.slug = "new-theme"
    theme.save()
    assert client.get("/themes/old-theme/")["Location"] == theme.get_absolute_url()
    topic = TopicFactory(slug="old-topic")
    topic.slug = "new-topic"
    topic.save()
    assert client.get("/topics/old-topic/")["Location"] == "/topics/new-topic/"


def test_term_only_a_draft_uses_has_no_page_nor_sitemap_entry(client):
    partner = OrganisationFactory(slug="drafts-partner", name="Drafts Partner")
    ParticipationFactory(case=CaseFactory(status=Case.Status.DRAFT), organisation=partner)
    theme = ThemeFactory(slug="draft-theme")
    CaseFactory(status=Case.Status.REVIEW, themes=[theme])
    assert client.get("/organisations/drafts-partner/").status_code == 404
    assert client.get("/themes/draft-theme/").status_code == 404
    sitemap = client.get("/sitemap-organisations.xml")
    assert b"drafts-partner" not in sitemap.content
    assert not Organisation.objects.public().filter(pk=partner.pk).exists()
    assert not Theme.objects.public().filter(pk=theme.pk).exists()
    # Once a published case links to it, it has a page.
    ParticipationFactory(case=CaseFactory(), organisation=partner)
    assert client.get("/organisations/drafts-partner/").status_code == 200
    assert b"drafts-partner" in client.get("/sitemap-organisations.xml").content
