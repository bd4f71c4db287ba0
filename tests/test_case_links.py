"""cases/browse/case_links.py: a case's links to terms in one query, as the ORM orders them."""

import pytest

from cases.browse.case_links import attach_case_links
from cases.models import Case, CaseChallenge, CaseSuccessFactor, Participation, SuccessFactor
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked():
    case = CaseFactory(
        countries=["SN", "CA", "BE"],
        themes=[ThemeFactory(name="Water"), ThemeFactory(name="Energy")],
        approaches=[ApproachFactory(name="Prize"), ApproachFactory(name="Living lab")],
    )
    zed, abc = OrganisationFactory(name="Zed agency"), OrganisationFactory(name="Abc fund")
    ParticipationFactory(case=case, organisation=zed, role=Participation.Role.PARTNER)
    ParticipationFactory(case=case, organisation=abc, role=Participation.Role.PARTNER)
    ParticipationFactory(case=case, organisation=zed, role=Participation.Role.FUNDER)
    CaseChallengeFactory(case=case, challenge=ChallengeFactory(name="Scaling", order=2), note="Grew.")
    CaseChallengeFactory(
        case=case, challenge=ChallengeFactory(name="Culture", order=1), note="", no_evidence_reason="Interview due"
    )
    CaseSuccessFactorFactory(
        case=case, success_factor=SuccessFactorFactory(name="Trust", kind=SuccessFactor.Kind.PROJECT)
    )
    CaseSuccessFactorFactory(
        case=case,
        success_factor=SuccessFactorFactory(name="Budget", kind=SuccessFactor.Kind.ECOSYSTEM),
        note="Ring-fenced.",
    )
    CaseFactory(countries=["JP"], themes=[ThemeFactory(name="Other")])  # links of another case
    return case


def test_the_links_are_those_the_orm_gives_in_its_order(linked):
    case = attach_case_links(Case.objects.for_case_page().get(pk=linked.pk))
    assert case.country_list == list(linked.countries.order_by("name"))
    assert case.theme_list == list(linked.themes.order_by("name"))
    assert case.approach_list == list(linked.approaches.order_by("name"))
    assert [(link.role, link.organisation) for link in case.participation_list] == [
        (link.role, link.organisation) for link in Participation.objects.filter(case=linked)
    ]
    for attribute, model, term in (
        ("challenge_links", CaseChallenge, "challenge"),
        ("success_factor_links", CaseSuccessFactor, "success_factor"),
    ):
        expected = [
            (getattr(link, term), link.note, link.no_evidence_reason) for link in model.objects.filter(case=linked)
        ]
        assert [
            (getattr(link, term), link.note, link.no_evidence_reason) for link in getattr(case, attribute)
        ] == expected
        assert len(expected) == 2
    assert [country.code for country in case.country_list] == ["BE", "CA", "SN"]
    assert [link.organisation.name for link in case.participation_list] == ["Zed agency", "Abc fund", "Zed agency"]


def test_a_renamed_term_shows_at_once(linked, django_assert_num_queries):
    attach_case_links(Case.objects.get(pk=linked.pk))
    linked.themes.filter(name="Water").update(name="Clean water")
    case = attach_case_links(Case.objects.get(pk=linked.pk))
    assert [theme.name for theme in case.theme_list] == ["Clean water", "Energy"]
    # The terms are remembered under the library version: the version and the links only.
    with django_assert_num_queries(2):
        attach_case_links(case)


def test_a_case_without_links_has_empty_lists(db):
    case = attach_case_links(CaseFactory(countries=[]))
    assert (case.country_list, case.theme_list, case.participation_list, case.challenge_links) == ([], [], [], [])
