"""cases.claims: which quotes evidence which claim of a case, on the case page and in bulk."""
import pytest

from cases.claims import CHALLENGE, FACTOR, SUMMARY, claims_of, evidence_by_claim, evidence_rows, failing_claims
from cases.models import Case, CaseSuccessFactor, Quote

from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    QuoteFactory,
    SuccessFactorFactory,
)

pytestmark = pytest.mark.django_db

LEGAL_LIMITS = "Legal and policy restrictions, such as those governing financial awards, can also necessitate parallel processes."


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
    challenge_part = html[html.index('id="challenge-barrier"'):html.index('id="success-factor-enabler"')]
    assert "Evidenced by 1 quote" in challenge_part and "The barrier was met by parallel prizes." in challenge_part
    assert "&amp;t=70s" in challenge_part  # the time links to the second
    factor_part = html[html.index('id="success-factor-enabler"'):html.index('id="summary"')]
    assert "Not yet evidenced" in factor_part and "The enabler elsewhere." not in factor_part
    summary_part = html[html.index('id="summary"'):]
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


def test_the_deep_space_food_challenge_page_shows_its_evidence(client, seed_module):
    html = client.get("/cases/deep-space-food-challenge/").content.decode()
    assert "Not yet evidenced" not in html
    assert html.count("claim-status--evidenced") == 4
    assert LEGAL_LIMITS in html
