"""/submit/ and cases.submissions: a public submission lands as a draft with its submitter kept
private; honeypot, rate limit and size limits; the curators' flow from submission to published case."""

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from cases import submissions
from cases.curation.revisions import ReviewGate, approve
from cases.curation.states import describe_changes
from cases.curation.workflow import apply_transition
from cases.models import Case, Revision, StoryEvidence, Submission, SupportingLink
from tests.curation import client_for, editor, publisher  # noqa: F401
from tests.factories import CaseFactory, QuoteFactory

pytestmark = pytest.mark.django_db

NAME = "Zebedee Quillfeather"
EMAIL = "zebedee.private@example.org"


def form(**overrides):
    data = {
        "title": "Nordic Border Ambulances",
        "summary": "Two regions share ambulance dispatch across a border.",
        "level_of_government": "regional",
        "website": "https://ambulance.example/",
        "contact_email": "dispatch@region.example",
        "story_problem": "Ambulances **stopped** at the border.",
        "story_results": "Response times fell by a fifth.",
        "results_evidence": "evidence_based",
        "link_1_title": "Evaluation",
        "link_1_url": "https://ambulance.example/eval.pdf",
        "link_1_kind": "report",
        "submitter_name": NAME,
        "submitter_email": EMAIL,
        "submitter_role": "Project lead",
        "agree": "on",
        "homepage": "",
    }
    data.update(overrides)
    return data


def submit(client, **overrides):
    return client.post(reverse("cases:submit"), form(**overrides))


def test_the_form_page_explains_the_acceptance_criteria_and_is_linked(client):
    html = client.get(reverse("cases:submit")).content.decode()
    assert "What we accept" in html and "stay private" in html
    assert 'type="file"' not in html
    assert 'href="/submit/"' in client.get(reverse("cases:about")).content.decode()
    assert 'href="/submit/"' in client.get(reverse("cases:home")).content.decode()  # the header


def test_a_submission_lands_as_a_draft_with_a_reference_and_a_confirmation(client):
    response = submit(client)
    assert response.status_code == 302 and response["Location"] == reverse("cases:submit-received")
    submission = Submission.objects.get()
    case = submission.case
    assert case.status == Case.Status.DRAFT
    assert case.slug == "nordic-border-ambulances"
    assert case.story_problem == "Ambulances **stopped** at the border."
    assert case.level_of_government == "regional" and case.results_evidence == "evidence_based"
    assert [(link.title, link.url) for link in case.supporting_links.all()] == [
        ("Evaluation", "https://ambulance.example/eval.pdf")
    ]
    assert (submission.submitter_name, submission.submitter_email) == (NAME, EMAIL)
    html = client.get(response["Location"]).content.decode()
    assert submission.reference in html and "Nordic Border Ambulances" in html
    assert NAME not in html and EMAIL not in html


def test_the_confirmation_page_without_a_submission_leads_to_the_form(client):
    response = client.get(reverse("cases:submit-received"))
    assert response.status_code == 302 and response["Location"] == reverse("cases:submit")


def test_the_draft_is_not_public(client):
    submit(client)
    case = Case.objects.get()
    assert client.get(case.get_absolute_url()).status_code == 404
    assert "Nordic Border" not in client.get(reverse("cases:case-list")).content.decode()


def test_a_filled_honeypot_stores_nothing(client):
    response = submit(client, homepage="http://spam.example/")
    assert response.status_code == 400
    assert "Leave this field empty" in response.content.decode()
    assert not Submission.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 1001}, "summary"),
        ({"story_problem": "x" * 6001}, "story_problem"),
        ({"submitter_email": "not-an-address"}, "submitter_email"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"link_1_url": "ftp://files.example/x"}, "link_1_url"),
        ({"level_of_government": "galactic"}, "level_of_government"),
        ({"agree": ""}, "agree"),
        ({"title": "nul\x00byte"}, "title"),
    ],
)
def test_bad_input_answers_400_beside_the_field(client, overrides, field):
    response = submit(client, **overrides)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Submission.objects.exists()


def test_a_story_needs_at_least_one_section(client):
    response = submit(client, story_problem="", story_results="")
    assert response.status_code == 400
    assert "at least one part of the story" in response.content.decode()


def test_past_the_rate_limit_an_address_gets_429(client, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": "2/h"}
    assert submit(client, title="First").status_code == 302
    assert submit(client, title="Second").status_code == 302
    refused = submit(client, title="Third")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert Submission.objects.count() == 2
    assert client.get(reverse("cases:submit")).status_code == 200  # reading the form is not limited
    other = client.post(reverse("cases:submit"), form(title="Fourth"), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_second_submission_of_the_same_title_gets_its_own_slug(client):
    submit(client)
    submit(client)
    assert sorted(Case.objects.values_list("slug", flat=True)) == [
        "nordic-border-ambulances",
        "nordic-border-ambulances-2",
    ]


def published_submission(client, publisher):
    """A submission through the form, accepted and published (with a reason for each unevidenced section)."""
    submit(client)
    submission = Submission.objects.get()
    submissions.accept(submission, user=publisher)
    case = Case.objects.get(pk=submission.case_id)
    case.countries.add("NO")
    QuoteFactory(cases=[case], text="Ambulance dispatch is shared.")
    for section in ("problem", "results"):
        StoryEvidence.objects.create(
            case=case, section=section, no_evidence_reason="From the submitter; to be checked."
        )
    return apply_transition(case, "publish", user=publisher)


def body_of(response):
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def test_private_fields_never_reach_a_public_page_export_feed_or_search(client, publisher):
    case = published_submission(client, publisher)
    client.logout()
    urls = [
        case.get_absolute_url(),
        reverse("cases:case-list"),
        reverse("cases:home"),
        reverse("cases:case-export-csv"),
        reverse("cases:case-export-json"),
        reverse("cases:case-feed"),
        reverse("cases:sitemap"),
        reverse("cases:case-cite-bib", kwargs={"slug": case.slug}),
        reverse("cases:case-cite-ris", kwargs={"slug": case.slug}),
        reverse("cases:compare") + f"?cases={case.slug},{CaseFactory().slug}",
        reverse("cases:search") + "?q=Nordic",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_of(response)
        assert "Quillfeather" not in text and "zebedee" not in text.lower(), url
    # The case is indexed, its submitter is not: searching their name or address finds nothing.
    assert "Nordic Border Ambulances" in body_of(client.get(reverse("cases:search") + "?q=Nordic"))
    for query in ("Quillfeather", "zebedee.private", "Project lead"):
        assert "Nordic Border Ambulances" not in body_of(client.get(reverse("cases:search"), {"q": query})), query


def test_the_admin_flow_from_submission_to_published_case(client, client_for, editor, publisher):
    submit(client)
    submission = Submission.objects.get()
    curator = client_for(editor)
    listing = curator.get(reverse("admin:cases_submission_changelist")).content.decode()
    assert submission.reference in listing and NAME not in listing  # the list shows no personal data
    page = curator.get(reverse("admin:cases_submission_change", args=[submission.pk])).content.decode()
    assert NAME in page and EMAIL in page and "never shown publicly" in page
    # Write to the submitter (locmem backend in tests).
    response = curator.post(
        reverse("admin:cases_submission_change", args=[submission.pk]),
        {"contact": "1", "contact-subject": "A question", "contact-message": "Which regions took part?"},
    )
    assert response.status_code == 302
    assert [(m.to, m.subject) for m in mail.outbox] == [([EMAIL], "A question")]
    # Accept: into the review queue, marked as a submission.
    response = curator.post(reverse("admin:cases_submission_change", args=[submission.pk]), {"accept": "1"})
    assert response.status_code == 302
    case = Case.objects.get(pk=submission.case_id)
    assert case.status == Case.Status.REVIEW
    home = client_for(publisher).get(reverse("admin:index")).content.decode()
    assert f"public submission {submission.reference}" in home
    assert "Submitted" in client_for(publisher).get(reverse("admin:cases_case_changelist")).content.decode()
    # The Publisher links evidence, gives reasons and publishes.
    case.countries.add("NO")
    QuoteFactory(cases=[case])
    for section in ("problem", "results"):
        StoryEvidence.objects.create(case=case, section=section, no_evidence_reason="The submitter's own account.")
    apply_transition(case, "publish", user=publisher)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Ambulances <strong>stopped</strong> at the border." in page and NAME not in page


def test_declining_needs_a_reason_removes_the_draft_and_tells_the_submitter(client, client_for, editor):
    submit(client)
    submission = Submission.objects.get()
    url = reverse("admin:cases_submission_change", args=[submission.pk])
    curator = client_for(editor)
    curator.post(url, {"decline": "1", "decline-reason": ""})
    assert Submission.objects.get().status == Submission.Status.NEW
    with pytest.raises(ValidationError):
        submissions.decline(submission, user=editor, reason="  ")
    with TestCase.captureOnCommitCallbacks(execute=True):
        curator.post(url, {"decline": "1", "decline-reason": "Not cross-border.", "decline-notify": "on"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DECLINED and submission.decline_reason == "Not cross-border."
    assert submission.case is None and not Case.objects.exists()
    assert "Not cross-border." in mail.outbox[-1].body and mail.outbox[-1].to == [EMAIL]


def test_merging_fills_the_empty_fields_of_a_draft_case_and_removes_the_submitted_draft(client, publisher):
    kept = CaseFactory(status=Case.Status.DRAFT, story_problem="Already told.", level_of_government="")
    submit(client)
    submission = submissions.merge(Submission.objects.get(), into=kept, user=publisher)
    kept.refresh_from_db()
    assert submission.status == Submission.Status.MERGED and submission.case_id == kept.pk
    assert kept.story_problem == "Already told."  # kept as it was
    assert kept.story_results == "Response times fell by a fifth." and kept.level_of_government == "regional"
    assert list(kept.supporting_links.values_list("url", flat=True)) == ["https://ambulance.example/eval.pdf"]
    assert Case.objects.count() == 1


def test_an_editor_merging_into_a_published_case_proposes_a_revision(client, editor):
    kept = CaseFactory(story_results="")
    submit(client)
    submissions.merge(Submission.objects.get(), into=kept, user=editor)
    kept.refresh_from_db()
    assert kept.story_results == ""  # unchanged until a Publisher approves
    revision = Revision.objects.get(case=kept)
    assert revision.proposed["fields"]["story_results"] == "Response times fell by a fifth."


def test_an_editor_merging_links_into_a_published_case_puts_nothing_live_without_review(client, editor, publisher):
    """The submitted links are public content a Publisher has not seen: an Editor's merge proposes
    them in the revision with the text; only approving it puts them on the published case."""
    kept = CaseFactory(story_results="")
    submit(client)
    submissions.merge(Submission.objects.get(), into=kept, user=editor)
    assert not kept.supporting_links.exists()
    revision = Revision.objects.get(case=kept)
    assert "https://ambulance.example/eval.pdf" in revision.proposed["supporting_links"]
    assert any("eval.pdf" in change.label for change in describe_changes(revision.base, revision.proposed))
    approve(revision, user=publisher)
    assert list(kept.supporting_links.values_list("url", "title")) == [
        ("https://ambulance.example/eval.pdf", "Evaluation")
    ]


def test_an_editor_adding_a_supporting_link_to_a_published_case_proposes_it(editor, publisher):
    """The admin's write by an Editor to a published case is rolled back into a revision: a link
    added on the way must be in that revision, not silently lost."""
    kept = CaseFactory()
    with transaction.atomic():
        gate = ReviewGate(editor, [kept.pk])
        SupportingLink.objects.create(case=kept, title="Video", url="https://video.example/v", kind="video")
        revisions = gate.finish(summary="Changed on the case page")
    assert not kept.supporting_links.exists() and len(revisions) == 1
    approve(revisions[0], user=publisher)
    assert list(kept.supporting_links.values_list("title", "kind")) == [("Video", "video")]


def test_erasing_personal_data_on_request(client, client_for, editor):
    submit(client)
    submission = Submission.objects.get()
    client_for(editor).post(reverse("admin:cases_submission_change", args=[submission.pk]), {"erase": "1"})
    submission.refresh_from_db()
    assert (submission.submitter_name, submission.submitter_email, submission.submitter_role) == ("", "", "")
    assert submission.personal_data_erased_at is not None and submission.case is not None
    with pytest.raises(ValidationError, match="no e-mail address"):
        submissions.contact(submission, subject="Hello", message="Still there?")


def test_anonymous_visitors_cannot_open_the_submissions_admin(client):
    submit(client)
    response = client.get(reverse("admin:cases_submission_change", args=[Submission.objects.get().pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_api_of_exports_has_no_submitter_column(client, publisher):
    published_submission(client, publisher)
    data = json.loads(body_of(client.get(reverse("cases:case-export-json"))))
    assert not any("submitter" in key for row in data["results"] for key in row)


def test_an_editor_giving_a_story_section_a_reason_on_a_published_case_proposes_it(editor, publisher):
    """StoryEvidence written by an Editor to a published case (the admin inline) goes into the
    revision the gate makes, not lost on its rollback."""
    kept = CaseFactory(story_problem="A problem.")
    quote = QuoteFactory()
    with transaction.atomic():
        gate = ReviewGate(editor, [kept.pk])
        row = StoryEvidence.objects.create(case=kept, section="problem", no_evidence_reason="Told by the team.")
        row.quotes.add(quote)
        revisions = gate.finish(summary="Changed on the case page")
    assert not StoryEvidence.objects.filter(case=kept).exists() and len(revisions) == 1
    assert any("problem" in change.label for change in describe_changes(revisions[0].base, revisions[0].proposed))
    approve(revisions[0], user=publisher)
    row = StoryEvidence.objects.get(case=kept, section="problem")
    assert row.no_evidence_reason == "Told by the team." and list(row.quotes.all()) == [quote]
