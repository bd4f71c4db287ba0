"""Every model's admin changelist, add page and change page load for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.curation.states import case_state
from cases.models import Country, QuoteRelink, Revision, Submission
from cases.submissions import submit_case
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseSuccessFactorFactory,
    DocumentFactory,
    ParticipationFactory,
    QuoteFactory,
    ThemeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):
    participation = ParticipationFactory()
    case = participation.case
    case.countries.set([Country.objects.get(code="CA")])
    case.themes.set([ThemeFactory()])
    case.approaches.set([ApproachFactory()])
    CaseChallengeFactory(case=case)
    CaseSuccessFactorFactory(case=case)
    document = DocumentFactory()
    quote = QuoteFactory(source=document.source, document=document, cases=[case])
    quote.topics.add(TopicFactory())
    Revision.objects.create(case=case, base=case_state(case.pk), proposed=case_state(case.pk))
    submit_case(
        case_fields={"title": "Submitted", "story_problem": "A problem."},
        links=[("Report", "https://r.example/", "report")],
        submitter_name="A Person",
        submitter_email="a@example.org",
    )
    QuoteRelink.objects.create(quote=quote, document=document, reason="its statement is no longer in the document")
    return case


def registered_models():
    return [model for model in admin.site._registry if model._meta.app_label == "cases"]


def test_every_domain_model_is_registered():
    names = {model.__name__ for model in registered_models()}
    assert names >= {
        "Case",
        "Country",
        "Organisation",
        "Participation",
        "Theme",
        "Approach",
        "Challenge",
        "SuccessFactor",
        "CaseChallenge",
        "CaseSuccessFactor",
        "Source",
        "Quote",
        "Document",
        "Topic",
    }


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model.__name__)
def test_admin_pages_load_for_superuser(admin_client, library, model):
    opts = model._meta
    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    # Revisions come from edits of cases, submissions from /submit/, quotes to re-link from re-imports.
    assert add.status_code == (403 if model in (Revision, Submission, QuoteRelink) else 200)
    obj = model.objects.first()
    assert obj is not None, f"no {opts.model_name} row to open"
    change = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200


def test_admin_search_works_for_every_model(admin_client, library):
    for model in registered_models():
        opts = model._meta
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "a"})
        assert response.status_code == 200, opts.model_name
