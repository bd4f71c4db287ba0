"""cases.claims: which quotes evidence which claim of a case, on the case page and in bulk."""

import pytest

from cases.claims import CHALLENGE, FACTOR, SUMMARY, claims_of, evidence_by_claim, evidence_rows, failing_claims
from cases.models import Case, CaseSuccessFactor, Quote
from tests.curation import client_for, editor, publisher  # noqa: F401
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    QuoteFactory,
    SuccessFactorFactory,
)

pytestmark = pytest.mark.django_db

LEGAL_LIMITS = (
    "Legal and policy restrictions, such as those governing financial awards, can also necessitate parallel processes."
)


@pytest.fixture
def claimed():
    """A case claiming a challenge (evidenced) and a success factor (not), with one quote on the case alone."""
    case = CaseFactory(slug="claimed", title="Claimed case")
    challenge = ChallengeFactory(slug="barrier", name="The barrier")
    factor = SuccessFactorFactory(slug="enabler", name="The enabler")
    CaseChallengeFactory(case=case, challenge=challenge, note="How it met the barrier.")
    CaseSuccessFactorFactory(case=case, success_factor=factor, note="How it shows the enabler.")
    on_challenge = QuoteFactory(cases=[case], text="The barrier was met by parallel prizes.", start_second=70)
    on_challenge.challenges.add(challenge)
    on_case = QuoteFactory(cases=[case], text="The case as a whole.", start_second=10)
    # Linked to the factor but not to the case: no evidence of this case's claim.
    elsewhere = QuoteFactory(text="The enabler elsewhere.")
    elsewhere.success_factors.add(factor)
    return {"case": case, "challenge": challenge, "factor": factor, "on_challenge": on_challenge, "on_case": on_case}


def test_a_quote_supports_the_claim_it_shares_case_and_term_with(claimed):
    claims = {claim.key: claim for claim in claims_of(Case.objects.filter(pk=claimed["case"].pk))[claimed["case"].pk]}
    assert claims[(CHALLENGE, claimed["challenge"].pk)].evidence == [claimed["on_challenge"].pk]
    assert claims[(FACTOR, claimed["factor"].pk)].evidence == []
    assert not claims[(FACTOR, claimed["factor"].pk)].evidenced
    # The summary: the case's quotes tied to none of its claimed terms.
    assert claims[(SUMMARY, 0)].evidence == [claimed["on_case"].pk]


def test_a_case_whose_quotes_all_back_specific_claims_has_an_unevidenced_summary(claimed):
    claimed["on_case"].cases.clear()
    summary = claims_of(Case.objects.filter(pk=claimed["case"].pk))[claimed["case"].pk][0]
    assert summary.group == SUMMARY and not summary.evidenced


def test_evidence_of_a_term_the_case_does_not_claim_is_summary_evidence(claimed):
    other = ChallengeFactory(slug="unclaimed")
    claimed["on_case"].challenges.add(other)
    by_case = evidence_by_claim(evidence_rows([claimed["case"].pk]), case_ids=[claimed["case"].pk])
    assert by_case[claimed["case"].pk][(SUMMARY, 0)] == [claimed["on_case"].pk]
    assert (CHALLENGE, other.pk) not in by_case[claimed["case"].pk]


def test_a_case_without_quotes_or_claims_has_its_summary_claim(db):
    case = CaseFactory()
    assert evidence_by_claim(evidence_rows([case.pk]), case_ids=[case.pk]) == {case.pk: {(SUMMARY, 0): []}}


def test_failing_claims_are_those_without_evidence_or_reason(claimed):
    assert [claim.key for claim in failing_claims(claimed["case"])] == [(FACTOR, claimed["factor"].pk)]
    CaseSuccessFactor.objects.filter(case=claimed["case"]).update(no_evidence_reason="The webinar only implies it.")
    assert failing_claims(claimed["case"]) == []


def test_the_case_page_shows_each_claims_evidence_or_says_it_has_none(client, claimed):
    html = client.get(claimed["case"].get_absolute_url()).content.decode()
    challenge_part = html[html.index('id="challenge-barrier"') : html.index('id="success-factor-enabler"')]
    assert "Evidenced by 1 quote" in challenge_part and "The barrier was met by parallel prizes." in challenge_part
    assert "&amp;t=70s" in challenge_part  # the time links to the second
    factor_part = html[html.index('id="success-factor-enabler"') : html.index('id="summary"')]
    assert "Not yet evidenced" in factor_part and "The enabler elsewhere." not in factor_part
    summary_part = html[html.index('id="summary"') :]
    assert "Evidence for the summary" in summary_part and "The case as a whole." in summary_part


def test_the_case_page_shows_a_curators_reason_for_no_evidence(client, claimed):
    CaseSuccessFactor.objects.filter(case=claimed["case"]).update(no_evidence_reason="Only the report states it.")
    html = client.get(claimed["case"].get_absolute_url()).content.decode()
    assert "Not yet evidenced" in html and "Curator's note: Only the report states it." in html


def test_the_footer_promises_only_what_is_true(client, claimed):
    html = client.get(claimed["case"].get_absolute_url()).content.decode()
    assert "Every claim in this library is backed" not in html
    assert "not yet evidenced" in html


# The seed library: every claim of the 11 curated cases is evidenced by statements of the five documents.


def test_every_claim_of_the_seed_cases_is_evidenced(seed_module):
    claims = [claim for case_claims in claims_of(Case.objects.all()).values() for claim in case_claims]
    assert len(claims) == 11 + 5 + 11  # summaries, challenges, success factors
    assert [claim.label for claim in claims if not claim.evidenced] == []


def test_the_legal_limits_statement_supports_the_deep_space_food_challenges_legal_claim(seed_module):
    quote = Quote.objects.get(text=LEGAL_LIMITS)
    assert quote.document.slug == "challenges_and_success_factors_in_crossborder_collaboration"
    assert quote.timestamp == "01:09:12"
    case = Case.objects.get(slug="deep-space-food-challenge")
    claims = {claim.key: claim for claim in claims_of(Case.objects.filter(pk=case.pk))[case.pk]}
    legal = next(claim for claim in claims.values() if claim.slug == "success-factor:legal-and-policy-frameworks")
    assert quote.pk in legal.evidence


@pytest.mark.parametrize(
    "slug, weak_text",
    [
        # The Pilot Grant's own statement: an outcome of the programme, not what the programme is.
        ("uae-moonshot-apprenticeship-program", "Moonshot Pilot Grant: An outcome of the apprenticeship program"),
        # "This leads to…" names no initiative; the full statement (quote 87) carries the outcome with its subject.
        ("global-innovation-collaborative", "This leads to more resilient and sustainable cities."),
        # Design thinking and a foundation for engagement: nothing the summary asserts.
        ("london-office-of-technology-and-innovation", "It provides a foundation for fruitful engagement"),
    ],
)
def test_seed_summaries_are_not_evidenced_by_statements_that_do_not_support_them(seed_module, slug, weak_text):
    case = Case.objects.get(slug=slug)
    summary = claims_of(Case.objects.filter(pk=case.pk))[case.pk][0]
    texts = list(Quote.objects.filter(pk__in=summary.evidence).values_list("text", flat=True))
    assert texts and not any(text.startswith(weak_text) for text in texts)


def test_the_deep_space_food_challenge_page_shows_its_evidence(client, seed_module):
    html = client.get("/cases/deep-space-food-challenge/").content.decode()
    assert "Not yet evidenced" not in html
    assert html.count("claim-status--evidenced") == 4
    assert LEGAL_LIMITS in html


# Curators: the readiness checklist, the health page, the candidates and their acceptance.


@pytest.fixture
def curator(client_for, editor):
    return client_for(editor)


def test_publishing_is_refused_while_a_claim_has_no_evidence_and_no_reason(claimed, publisher):
    from cases.curation.workflow import TransitionRefused, apply_transition

    case = claimed["case"]
    case.countries.add("CA")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REVIEW)
    case.refresh_from_db()
    with pytest.raises(TransitionRefused, match="Success factor: The enabler"):
        apply_transition(case, "publish", user=publisher)
    CaseSuccessFactor.objects.filter(case=case).update(no_evidence_reason="Said off the record; no quote exists.")
    assert apply_transition(case, "publish", user=publisher).is_published


def test_the_readiness_checklist_names_the_failing_claims(curator, claimed):
    html = curator.get(f"/admin/cases/case/{claimed['case'].pk}/change/").content.decode()
    assert "Claims with no supporting quote and no recorded reason" in html
    assert f'href="/admin/cases/case/{claimed["case"].pk}/claims/success-factor:enabler/"' in html
    assert "Challenge: The barrier</a>" not in html


def test_the_health_page_counts_published_claims_without_evidence_and_links_to_them(curator, claimed):
    html = curator.get("/admin/cases/case/health/").content.decode()
    assert "Published claims without evidence" in html
    assert 'href="/admin/cases/case/claims/?status=published">1</a>' in html
    listing = curator.get("/admin/cases/case/claims/?status=published").content.decode()
    assert "Success factor: The enabler" in listing and "Challenge: The barrier" not in listing
    assert f"/admin/cases/case/{claimed['case'].pk}/claims/success-factor:enabler/" in listing


def test_a_curator_accepts_a_candidate_with_one_action_recorded_in_history(client_for, publisher, claimed):
    # A Publisher: an Editor's acceptance on a published case waits for review (test_qa2_history_routes).
    curator = client_for(publisher)
    candidate = QuoteFactory(text="The enabler was shown by open data.", source=claimed["on_case"].source)
    url = f"/admin/cases/case/{claimed['case'].pk}/claims/success-factor:enabler/"
    page = curator.get(url)
    assert page.status_code == 200
    assert "The enabler was shown by open data." in page.content.decode()
    response = curator.post(url, {"quote": candidate.pk})
    assert response.status_code == 302
    assert candidate.cases.filter(pk=claimed["case"].pk).exists()
    assert candidate.success_factors.filter(pk=claimed["factor"].pk).exists()
    assert failing_claims(claimed["case"]) == []
    reasons = list(Case.history.filter(id=claimed["case"].pk).values_list("history_change_reason", flat=True))
    assert any(reason and "as evidence for Success factor: The enabler" in reason for reason in reasons)
    assert candidate.history.filter(history_change_reason__contains="Accepted as evidence").exists()


def test_bad_candidate_requests_answer_clearly(curator, claimed):
    base = f"/admin/cases/case/{claimed['case'].pk}/claims/"
    assert curator.get(base + "challenge:nope/").status_code == 404
    response = curator.post(base + "success-factor:enabler/", {"quote": "abc"}, follow=True)
    assert "that one does not exist" in response.content.decode()


def test_moments_group_quotes_of_one_source_close_in_time(db):
    from cases.claims import group_moments
    from tests.factories import DocumentFactory, SourceFactory

    video, other = SourceFactory(), SourceFactory()
    first, second = DocumentFactory(source=video, title="First summary"), DocumentFactory(source=video, title="Second")
    a = QuoteFactory(source=video, document=first, start_second=4150)
    b = QuoteFactory(source=video, document=second, start_second=4158)
    far = QuoteFactory(source=video, document=second, start_second=4216)
    elsewhere = QuoteFactory(source=other, start_second=4152)
    moments = group_moments([a, elsewhere, b, far])
    assert [[quote.pk for quote in moment.quotes] for moment in moments] == [[a.pk, b.pk], [elsewhere.pk], [far.pk]]
    assert moments[0].documents == ["First summary", "Second"]


def test_candidates_rank_the_legal_limits_statement_first_for_the_legal_claim(seed_module):
    from cases.claims import candidates, claim_of

    case = Case.objects.get(slug="deep-space-food-challenge")
    legal = claim_of(case, "success-factor:legal-and-policy-frameworks")
    # Undo the seed's evidence of this claim, as if no curator had linked any yet.
    Quote.success_factors.through.objects.filter(
        quote_id__in=legal.evidence, successfactor__slug="legal-and-policy-frameworks"
    ).delete()
    legal = claim_of(case, "success-factor:legal-and-policy-frameworks")
    assert not legal.evidenced
    moments = candidates(legal)
    ranked = [quote.text for moment in moments for quote in moment.quotes]
    assert LEGAL_LIMITS in ranked[:3]
    assert moments[0].from_case_sources
    first_moment = moments[0]
    assert LEGAL_LIMITS in [quote.text for quote in first_moment.quotes]
    assert len(first_moment.documents) >= 2  # several documents give this moment


def test_bulk_publishing_refuses_a_case_with_an_unexcused_unevidenced_claim(claimed, publisher):
    from cases.curation.workflow import transition_in_bulk

    case = claimed["case"]
    case.countries.add("CA")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.REVIEW)
    result = transition_in_bulk(Case.objects.filter(pk=case.pk), "publish", user=publisher)
    assert result.changed == [] and "Success factor: The enabler" in result.refused[0].message
    CaseSuccessFactor.objects.filter(case=case).update(no_evidence_reason="Said off the record; no quote exists.")
    result = transition_in_bulk(Case.objects.filter(pk=case.pk), "publish", user=publisher)
    assert [c.pk for c in result.changed] == [case.pk] and result.refused == []
