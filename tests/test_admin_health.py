"""The Library health page: each figure counts the right rows and links to a changelist of exactly them."""

import re
from html import unescape

import pytest
from django.urls import reverse

from cases.admin.filters import cycle_case_ids
from cases.models import Case, Quote
from tests.curation import client_for, editor, publishable_case, publisher  # noqa: F401
from tests.factories import CaseFactory, DocumentFactory, QuoteFactory, SourceFactory, ThemeFactory

pytestmark = pytest.mark.django_db
HEALTH = reverse("admin:cases_case_health")


@pytest.fixture
def library():
    complete = publishable_case(status=Case.Status.PUBLISHED, title="Complete")
    bare = CaseFactory(status=Case.Status.DRAFT, title="Bare")  # no country, theme or evidence
    hidden_parent = CaseFactory(
        status=Case.Status.DRAFT, title="Hidden parent", countries=["FR"], themes=[ThemeFactory()]
    )
    orphan = publishable_case(status=Case.Status.PUBLISHED, title="Orphan", parent=hidden_parent)
    flagged = DocumentFactory(needs_review=True, title="Flagged document")
    QuoteFactory(document=flagged, source=flagged.source)
    backed = DocumentFactory(title="Backing document")
    QuoteFactory(document=backed, source=backed.source, cases=[complete])
    short = SourceFactory(duration_seconds=100)
    QuoteFactory(source=short, start_second=200)  # past its video's end
    QuoteFactory(source=short, start_second=50)
    Quote.objects.refresh_time_status()
    return {"complete": complete, "bare": bare, "hidden_parent": hidden_parent, "orphan": orphan, "flagged": flagged}


def figures(response):
    """{label: (count, url)} as the page shows them."""
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td class="health-count"><a href="([^"]+)">([\d,]+)</a>',
        response.content.decode(),
    )
    return {label: (int(count.replace(",", "")), unescape(url)) for label, url, count in rows}


def test_health_page_counts(client_for, editor, library):
    shown = figures(client_for(editor).get(HEALTH))
    assert shown["Draft"][0] == 2
    assert shown["Published"][0] == 2
    assert shown["In review"][0] == 0
    assert shown["Cases with no country"][0] == 1
    assert shown["Cases with no theme"][0] == 1
    assert shown["Cases with no evidence quote"][0] == 2
    assert shown["Broken parent links"][0] == 1
    assert shown["Quotes of documents flagged for review"][0] == 1
    assert shown["Quotes whose time is under review"][0] == 2  # the flagged document's, the one past the end
    assert shown["Quotes past the end of their video"][0] == 1
    assert shown["Documents needing review"][0] == 1
    assert shown["Documents with no quote linked to a case"][0] == 1


def test_each_figure_links_to_a_changelist_of_exactly_those_rows(client_for, editor, library):
    client = client_for(editor)
    for label, (count, url) in figures(client.get(HEALTH)).items():
        response = client.get(url)
        assert response.status_code == 200, label
        if "claim_count" in response.context:  # the list of claims without evidence (cases/admin/claims.py)
            assert response.context["claim_count"] == count, label
            continue
        if "page" in response.context and "rows" in response.context:  # the re-link list (cases/admin/relinks.py)
            assert response.context["page"].paginator.count == count, label
            continue
        assert response.context["cl"].result_count == count, label


def test_health_page_is_linked_from_the_index_and_the_case_changelist(client_for, editor):
    client = client_for(editor)
    assert HEALTH.encode() in client.get(reverse("admin:index")).content
    assert HEALTH.encode() in client.get(reverse("admin:cases_case_changelist")).content


def test_health_page_is_for_curators_only(client_for, db):
    response = client_for(None).get(HEALTH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_parent_cycles_count_as_broken():
    first = CaseFactory()
    second = CaseFactory(parent=first)
    Case.objects.filter(pk=first.pk).update(parent=second)  # as an import might write it
    CaseFactory(parent=second)  # hangs off the cycle, not in it
    assert cycle_case_ids() == {first.pk, second.pk}


def test_import_page_is_linked_from_the_index_for_publishers(client_for, publisher, editor):
    import_url = reverse("admin:cases_document_import")
    assert import_url.encode() in client_for(publisher).get(reverse("admin:index")).content
    assert client_for(publisher).get(import_url).status_code == 200
    assert import_url.encode() not in client_for(editor).get(reverse("admin:index")).content
