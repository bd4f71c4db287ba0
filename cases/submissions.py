"""Cases submitted from /submit/ by the people who ran them, and what curators do with them.

A submission becomes a draft case at once (never public: only published cases are shown,
exported, fed or indexed) beside a private Submission row holding who sent it. Curators then
accept it (the draft goes into the review queue), merge it into an existing case, or decline it
with a reason; they can write to the submitter, and erase the submitter's personal data on
request. Views, the admin and tests call these functions alike.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .characters import one_line_safe
from .curation.applying import apply_changes
from .curation.states import case_state
from .curation.workflow import apply_transition, can_publish
from .models import STORY_FIELDS, Case, Revision, Submission, SupportingLink

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
REFERENCE_LENGTH = 8
# What a merge copies into an empty field of the case kept.
MERGED_FIELDS = ["level_of_government", "website", "contact_email", *STORY_FIELDS, "results_evidence"]


def new_reference():
    """A fresh reference such as `S-7KQ2M9XA` (8 characters of 32: about 10¹² possibilities)."""
    return "S-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def free_slug(title):
    """A slug for `title` that no case holds yet: the title's, else with `-2`, `-3`… appended."""
    base = (slugify(title) or "case")[:190]
    taken = set(Case.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def submit_case(*, case_fields, links=(), submitter_name, submitter_email, submitter_role=""):
    """Store a public submission: a draft case with `case_fields` (title, summary, the story…),
    its supporting `links` ([(title, url, kind)]) and the private Submission. Returns the Submission
    (its `reference` is what the submitter is told)."""
    case = Case(**case_fields, status=Case.Status.DRAFT, slug=free_slug(case_fields["title"]))
    case._change_reason = "Submitted from the public form"
    case.save()
    SupportingLink.objects.bulk_create(
        [
            # bulk_create skips pre_save, so the text is cleaned here as clean_text_fields would.
            SupportingLink(case=case, title=one_line_safe(title), url=one_line_safe(url), kind=kind, order=number)
            for number, (title, url, kind) in enumerate(links)
        ]
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Submission.objects.create(
                    reference=new_reference(),
                    case=case,
                    title=case.title,
                    submitter_name=submitter_name,
                    submitter_email=submitter_email,
                    submitter_role=submitter_role,
                )
        except IntegrityError:  # a reference drawn twice: draw again
            continue
    raise RuntimeError("No free submission reference after five draws.")


def _still_open(submission):
    if submission.status != Submission.Status.NEW:
        raise ValidationError(f"This submission is {submission.get_status_display().lower()} already.")
    if submission.case_id is None:
        raise ValidationError("This submission's draft was deleted.")


def _decided(submission, status, user, **fields):
    Submission.objects.filter(pk=submission.pk).update(
        status=status, decided_by=user, decided_at=timezone.now(), **fields
    )
    submission.refresh_from_db()
    return submission


@transaction.atomic
def accept(submission, *, user):
    """Accept a submission: its draft goes into the review queue (the workflow's `submit`
    transition, recorded in the case's history as done by `user`). Raises ValidationError."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _still_open(submission)
    case = submission.case
    if case.status == Case.Status.DRAFT:
        apply_transition(case, "submit", user=user)
    return _decided(submission, Submission.Status.ACCEPTED, user)


@transaction.atomic
def merge(submission, *, into, user):
    """Merge a submission into the existing case `into`: the fields `into` leaves empty take the
    submitted text (MERGED_FIELDS), its supporting links join those of `into`, and the draft is
    deleted. A published case changes through the review of cases.curation.revisions like any other
    change: applied at once for a Publisher, a pending revision for an Editor. Returns the
    Submission (now pointing at `into`). Raises ValidationError."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _still_open(submission)
    draft = submission.case
    if into.pk == draft.pk:
        raise ValidationError("Choose another case to merge into than the submission's own draft.")
    base = case_state(into.pk)
    proposed = {**base, "fields": dict(base["fields"]), "supporting_links": dict(base["supporting_links"])}
    for name in MERGED_FIELDS:
        if not base["fields"].get(name) and getattr(draft, name):
            proposed["fields"][name] = getattr(draft, name)
    # The submitted links join those of `into` through the revision too (reviewed like the text).
    order = max((row[2] for row in base["supporting_links"].values()), default=-1) + 1
    for number, link in enumerate(draft.supporting_links.all()):
        proposed["supporting_links"].setdefault(link.url, [link.title, link.kind, order + number])
    reason = f"Merged submission {submission.reference}"
    if proposed != base:
        if into.is_published and not can_publish(user):
            Revision.objects.create(case=into, author=user, summary=reason, base=base, proposed=proposed)
        else:
            apply_changes(into.pk, base, proposed, user=user, reason=reason)
    submission = _decided(submission, Submission.Status.MERGED, user)
    Submission.objects.filter(pk=submission.pk).update(case=into)
    draft.delete()
    submission.refresh_from_db()
    return submission


@transaction.atomic
def decline(submission, *, user, reason, notify=True):
    """Decline a submission with `reason` (required): its draft is deleted (the Submission keeps its
    title and the reason) and, with `notify`, the submitter is told the reason by e-mail."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the submission is declined.")
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _still_open(submission)
    draft = submission.case
    submission = _decided(submission, Submission.Status.DECLINED, user, decline_reason=reason[:5000], case=None)
    draft.delete()
    if notify and submission.submitter_email:
        body = (
            f"Thank you for submitting “{submission.title}” (reference {submission.reference}).\n\n"
            f"The curators could not include it in the library:\n\n{reason}\n"
        )
        transaction.on_commit(
            lambda: contact(submission, subject=f"Your case submission {submission.reference}", message=body, user=user)
        )
    return submission


def contact(submission, *, subject, message, user=None):
    """E-mail the submitter (Django's e-mail framework, the backend of the settings) and note when.
    Raises ValidationError when their address was erased or never given."""
    if not submission.submitter_email:
        raise ValidationError("This submission holds no e-mail address (erased, or never given).")
    send_mail(
        subject=subject.strip()[:200] or f"Your case submission {submission.reference}",
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[submission.submitter_email],
    )
    Submission.objects.filter(pk=submission.pk).update(last_contacted_at=timezone.now())


def erase_personal_data(submissions):
    """Erase the submitters' names, e-mail addresses and roles of `submissions` (a queryset), as
    asked by them; the submission, its reference and the case stay. Returns how many were erased."""
    return submissions.filter(personal_data_erased_at__isnull=True).update(
        submitter_name="", submitter_email="", submitter_role="", personal_data_erased_at=timezone.now()
    )
