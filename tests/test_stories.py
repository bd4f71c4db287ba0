"""Case stories (issue 18): story sections as claims with their evidence, on the case page with a
table of contents, in exports, compare and citations; the level-of-government facet."""

import csv
import io
import json

import pytest
from django.urls import reverse

from cases.browse.facets import count_options
from cases.claims import (
    STORY,
    SUMMARY,
    claims_of,
    evidence_by_claim,
    evidence_rows,
    failing_claims,
)
from cases.curation.workflow import TransitionRefused, apply_transition
from cases.models import Case, StoryEvidence, SupportingLink
from tests.curation import client_for, publisher  # noqa: F401
from tests.factories import CaseFactory, QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def storied():
    """A published case telling three sections: the problem (evidenced), the results (excused), lessons (neither)."""
    case = CaseFactory(
        slug="storied",
        title="Storied case",
        countries=["NO"],
        level_of_government=Case.LevelOfGovernment.REGIONAL,
        contact_email="innovation@region.example",
        website="https://region.example/pilot",
        story_problem="Ambulances **stopped** at the border.",
        story_results="Response times fell by a fifth.",
        results_evidence=Case.ResultsEvidence.EVIDENCE_BASED,
        story_lessons="Start with the lawyers.",
    )
    on_problem = QuoteFactory(cases=[case], text="They stopped at the border every night.", start_second=40)
    row = StoryEvidence.objects.create(case=case, section="problem")
    row.quotes.add(on_problem)
    StoryEvidence.objects.create(case=case, section="results", no_evidence_reason="The evaluation is not public yet.")
    # A row for a section the case does not tell claims nothing.
    StoryEvidence.objects.create(case=case, section="failures").quotes.add(QuoteFactory(cases=[case]))
    SupportingLink.objects.create(case=case, title="Evaluation", url="https://region.example/eval.pdf", kind="report")
    return {"case": case, "on_problem": on_problem}


def test_each_story_section_with_text_is_a_claim_with_its_evidence(storied):
    case = storied["case"]
    claims = {claim.key: claim for claim in claims_of(Case.objects.filter(pk=case.pk))[case.pk]}
    story = {claim.term.value: claim for claim in claims.values() if claim.group == STORY}
    assert list(story) == ["problem", "results", "lessons"]
    assert story["problem"].evidence == [storied["on_problem"].pk]
    assert story["results"].reason == "The evaluation is not public yet."
    assert not story["lessons"].evidenced
    # The problem's quote is not counted again for the summary.
    assert storied["on_problem"].pk not in claims[(SUMMARY, 0)].evidence


def test_a_story_section_without_evidence_or_reason_blocks_publication(storied, publisher):
    case = storied["case"]
    assert [claim.slug for claim in failing_claims(case)] == ["story:lessons"]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REVIEW)
    with pytest.raises(TransitionRefused, match="Story: Lessons learned"):
        apply_transition(case, "publish", user=publisher)
    StoryEvidence.objects.create(case=case, section="lessons", no_evidence_reason="The team's own reflection.")
    assert apply_transition(case, "publish", user=publisher).status == Case.Status.PUBLISHED


def test_evidence_rows_name_sections_by_number_or_by_value(storied):
    case = storied["case"]
    by_slug = evidence_by_claim(evidence_rows([case.pk], by_slug=True), case_ids=[case.pk])[case.pk]
    assert by_slug[(STORY, "problem")] == [storied["on_problem"].pk]
    assert by_slug[(STORY, "lessons")] == []
    assert (STORY, "failures") not in by_slug
    by_id = evidence_by_claim(evidence_rows([case.pk]), case_ids=[case.pk])[case.pk]
    assert by_id[(STORY, 1)] == [storied["on_problem"].pk]


def test_the_case_page_shows_the_sections_in_order_with_contents_and_leaves_empty_ones_out(client, storied):
    html = client.get(storied["case"].get_absolute_url()).content.decode()
    contents = html[html.index('class="story-contents"') : html.index("</nav>", html.index('class="story-contents"'))]
    assert contents.index("#story-problem") < contents.index("#story-results") < contents.index("#story-lessons")
    assert "The innovation and what is new about it" not in html  # empty: left out
    assert "Challenges and failures" not in html
    assert "Ambulances <strong>stopped</strong> at the border." in html  # markdown, rendered
    assert "Results: <strong>evidence-based</strong>" in html
    assert "Curator's note: The evaluation is not public yet." in html
    assert "They stopped at the border every night." in html
    assert "Regional" in html and "mailto:innovation@region.example" in html
    assert "https://region.example/eval.pdf" in html


def test_story_markdown_is_sanitised_on_the_case_page(client):
    case = CaseFactory(story_problem="<script>alert(1)</script>[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    html = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and 'href="javascript:' not in html and "onerror" not in html


def test_a_case_without_a_story_shows_no_contents(client):
    html = client.get(CaseFactory().get_absolute_url()).content.decode()
    assert "story-contents" not in html


def test_exports_carry_the_story_level_contact_links_and_section_claims(client, storied):
    response = client.get(reverse("cases:case-export-json"))
    rows = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    row = next(row for row in rows["results"] if row["slug"] == "storied")
    assert row["level_of_government"] == "regional"
    assert row["contact_email"] == "innovation@region.example"
    assert row["story_problem"] == "Ambulances **stopped** at the border."
    assert row["results_evidence"] == "evidence_based"
    assert row["supporting_links"] == ["report:https://region.example/eval.pdf"]
    claims = {claim["claim"]: claim for claim in row["claims"]}
    assert claims["story:problem"]["evidenced"] and not claims["story:lessons"]["evidenced"]
    assert "story:failures" not in claims
    response = client.get(reverse("cases:case-export-csv"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    csv_row = next(r for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))) if r["slug"] == "storied")
    assert csv_row["story_lessons"] == "Start with the lawyers."
    assert csv_row["level_of_government"] == "regional"


def test_compare_shows_level_and_story_sections_side_by_side(client, storied):
    CaseFactory(slug="other", level_of_government=Case.LevelOfGovernment.REGIONAL)
    html = client.get(reverse("cases:compare") + "?cases=storied,other").content.decode()
    assert "Level of government" in html
    assert "The problem addressed" in html and "Ambulances stopped at the border." in html
    assert html.count('class="shared">Regional') == 2


def test_citations_name_the_level_of_government(client, storied):
    bib = client.get(reverse("cases:case-cite-bib", kwargs={"slug": "storied"})).content.decode()
    ris = client.get(reverse("cases:case-cite-ris", kwargs={"slug": "storied"})).content.decode()
    assert "level of government: regional" in bib
    assert "N1  - level of government: regional" in ris


def test_the_level_facet_counts_published_cases_per_level(client):
    CaseFactory.create_batch(2, level_of_government="local")
    CaseFactory(level_of_government="national")
    CaseFactory(level_of_government="national", status=Case.Status.DRAFT)  # not counted
    CaseFactory()  # no level: no option
    counts = count_options("level", cases=Case.objects.published())
    assert counts == [("local", "Local", 2), ("national", "National", 1)]
    html = client.get(reverse("cases:case-list") + "?level=local").content.decode()
    assert 'id="facet-level"' in html
    assert "2 cases" in html


def test_the_level_facet_counts_among_the_other_filters(client):
    CaseFactory(level_of_government="local", countries=["FR"])
    CaseFactory(level_of_government="local", countries=["DE"])
    CaseFactory(level_of_government="national", countries=["FR"])
    response = client.get(reverse("cases:case-list") + "?country=fr")
    level = next(facet for facet in response.context["facets"] if facet.name == "level")
    assert [(option.value, option.count) for option in level.options] == [("local", 1), ("national", 1)]


def test_a_bad_level_answers_400(client):
    assert client.get(reverse("cases:case-list") + "?level=galactic").status_code == 400


def test_search_finds_a_published_case_by_its_story(client, storied):
    html = client.get(reverse("cases:search") + "?q=lawyers").content.decode()
    assert "Storied case" in html


def test_a_curator_accepts_a_candidate_quote_for_a_story_section(client_for, publisher, storied):
    case = storied["case"]
    candidate = QuoteFactory(text="The lawyers had to start first, the team said.", source=storied["on_problem"].source)
    curator = client_for(publisher)
    url = f"/admin/cases/case/{case.pk}/claims/story:lessons/"
    page = curator.get(url)
    assert page.status_code == 200 and "Story: Lessons learned" in page.content.decode()
    assert curator.post(url, {"quote": candidate.pk}).status_code == 302
    assert StoryEvidence.objects.get(case=case, section="lessons").quotes.filter(pk=candidate.pk).exists()
    assert failing_claims(case) == []
