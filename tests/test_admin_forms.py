"""The case form's evidence autocomplete and the case autocomplete of the link-quotes form."""
import pytest
from django.urls import reverse

from tests.curation import change_url, client_for, editor, publishable_case  # noqa: F401
from tests.factories import CaseFactory, QuoteFactory, SourceFactory

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
    assert found == [{"id": str(by_source.pk), "text": "00:01:05 · Something else. — Launch panel discussion"}]


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
