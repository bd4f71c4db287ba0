"""The case form's evidence autocomplete and the case autocomplete of the link-quotes form."""

import pytest
from django.urls import reverse

from cases.models import Quote
from tests.curation import change_url, client_for, editor, publishable_case  # noqa: F401
from tests.factories import CaseFactory, DocumentFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db
EVIDENCE = reverse("admin:cases_case_evidence_autocomplete")


def test_evidence_autocomplete_searches_quote_text_and_source(client_for, editor):
    source = SourceFactory(title="Launch panel discussion")
    by_text = QuoteFactory(text="Prize competitions surface new ideas.")
    by_source = QuoteFactory(source=source, text="Something else.", start_second=65)
    QuoteFactory(text="Unrelated.")
    client = client_for(editor)
    found = client.get(EVIDENCE, {"term": "prize"}).json()["results"]
    assert [r["id"] for r in found] == [str(by_text.pk)]
    found = client.get(EVIDENCE, {"term": "launch panel"}).json()["results"]
    assert found == [
        {"id": str(by_source.pk), "text": "00:01:05 · Something else. — Launch panel discussion · time exact"}
    ]


def test_evidence_option_shows_document_time_and_time_status(client_for, editor):
    checked = DocumentFactory(title="Webinar summary", needs_review=True)
    QuoteFactory(
        text="Testbeds travel well.",
        start_second=125,
        document=checked,
        source=checked.source,
        time_status=Quote.TimeStatus.UNDER_REVIEW,
    )
    found = client_for(editor).get(EVIDENCE, {"term": "testbeds"}).json()["results"]
    assert found[0]["text"] == "00:02:05 · Testbeds travel well. — Webinar summary · time under review"


def test_evidence_autocomplete_pages_without_counting(client_for, editor, django_assert_max_num_queries):
    source = SourceFactory()
    QuoteFactory.create_batch(25, source=source, text="Sandbox statement.")
    client = client_for(editor)
    with django_assert_max_num_queries(7):  # PostgreSQL reads a rare word's few matches first: one more
        first = client.get(EVIDENCE, {"term": "sandbox"}).json()
    assert len(first["results"]) == 20 and first["pagination"] == {"more": True}
    second = client.get(EVIDENCE, {"term": "sandbox", "page": "2"}).json()
    assert len(second["results"]) == 5 and second["pagination"] == {"more": False}
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert client.get(EVIDENCE, {"term": "sandbox", "page": "x"}).status_code == 400


def test_evidence_autocomplete_never_counts_every_match(client_for, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    QuoteFactory(text="Budget lines.")
    with CaptureQueriesContext(connection) as queries:
        client_for(editor).get(EVIDENCE, {"term": "budget"})
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_evidence_autocomplete_is_for_curators_only(client_for, db):
    response = client_for(None).get(EVIDENCE, {"term": "x"})
    assert response.status_code == 302


def test_evidence_autocomplete_survives_a_nul_byte(client_for, editor):
    # Refused before the view (kb.middleware): a 400, not a 500 from PostgreSQL.
    assert client_for(editor).get(EVIDENCE, {"term": "a\x00"}).status_code == 400


def test_change_form_uses_the_evidence_autocomplete(client_for, editor):
    case = publishable_case()
    content = client_for(editor).get(change_url(case)).content.decode()
    assert f'data-ajax--url="{EVIDENCE}"' in content
    quote = case.quotes.get()
    assert f'<option value="{quote.pk}" selected>{quote.timestamp} · {quote.text}' in content


def test_case_autocomplete_for_linking_quotes(client_for, editor):
    wanted = CaseFactory(title="Creative Cities Challenge")
    CaseFactory(title="Gavi")
    response = client_for(editor).get(
        reverse("admin:autocomplete"),
        {"term": "creative", "app_label": "cases", "model_name": "quote", "field_name": "cases"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(wanted.pk)]
