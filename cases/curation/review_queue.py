"""The admin home's review queue: cases waiting for review (how long, who submitted them), pending
changes to published cases, the curator's own drafts; and sending a case in review back to draft
with a reason its Editor sees."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from ..models import Case, Revision, Submission
from .workflow import TRANSITIONS, apply_transition, can_publish

QUEUE_LENGTH = 20


@dataclass(frozen=True)
class ReviewQueue:
    in_review: list  # cases, each with `submitted_at`, `submitted_by` (None when not recorded) and
    # `submission_reference` (the public submission it came from, else None)
    in_review_total: int
    pending_changes: list  # revisions, oldest first
    pending_total: int
    own_drafts: list  # cases the user saved last or created, newest first


def review_queue(user, *, limit=QUEUE_LENGTH):
    """What waits for curators, for the admin home of `user` (a fixed number of queries)."""
    submissions = Case.history.filter(id=OuterRef("pk"), history_change_reason=TRANSITIONS["submit"].label).order_by(
        "-history_date"
    )
    in_review = Case.objects.filter(status=Case.Status.REVIEW)
    waiting = list(
        in_review.annotate(
            submitted_at=Subquery(submissions.values("history_date")[:1]),
            submitted_by_id=Subquery(submissions.values("history_user_id")[:1]),
            submission_reference=Subquery(Submission.objects.filter(case_id=OuterRef("pk")).values("reference")[:1]),
        )
        .only("pk", "title", "updated_at")
        .order_by("submitted_at", "updated_at")[:limit]
    )
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={c.submitted_by_id for c in waiting} - {None})}
    for case in waiting:
        case.submitted_by = users.get(case.submitted_by_id)
        case.waiting_since = case.submitted_at or case.updated_at
    pending = Revision.objects.filter(status=Revision.Status.PENDING)
    touched_by_user = Case.history.filter(history_user=user).values("id")
    drafts = (
        Case.objects.filter(status=Case.Status.DRAFT, pk__in=touched_by_user)
        .only("pk", "title", "updated_at", "sent_back_reason")
        .order_by("-updated_at")[:limit]
    )
    return ReviewQueue(
        in_review=waiting,
        in_review_total=in_review.count(),
        pending_changes=list(pending.select_related("case", "author").order_by("created_at")[:limit]),
        pending_total=pending.count(),
        own_drafts=list(drafts),
    )


def send_back_to_draft(case, *, user, reason):
    """A Publisher sends a case in review back to draft with `reason` (required), which its Editor
    sees on the case until its next transition. Raises ValidationError or TransitionRefused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the case goes back to draft: its Editor sees the reason on the case.")
    with transaction.atomic():
        case = apply_transition(case, "withdraw", user=user)
        Case.objects.filter(pk=case.pk).update(sent_back_reason=reason[:5000])
    case.sent_back_reason = reason[:5000]
    return case


def clear_sent_back_reason(case):
    """After any other transition the reason no longer applies."""
    Case.objects.filter(pk=case.pk).exclude(sent_back_reason="").update(sent_back_reason="")


def needs_reason(user, case, name):
    """A Publisher taking a case in review back to draft sends it back: a reason is required."""
    return name == "withdraw" and case.status == Case.Status.REVIEW and can_publish(user)
