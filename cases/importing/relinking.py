"""A curator's answer to a quote a re-import cut loose (cases.models.QuoteRelink): re-link its links
to the new wording, or dismiss the task and keep the old quote as it is.

Re-linking moves every curator link of the old quote (the cases it is evidence of, the
challenges and success factors that make it evidence of their claims, and the story sections whose
evidence names it) to a quote of the same
video, from the quotes' side so their histories record it; each case gets a history record.
It runs inside the review gate (cases.curation.revisions.ReviewGate), as every admin write that changes a
case page: an Editor's re-link on a published case becomes a pending revision, a Publisher's
applies directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..curation.history import ensure_baseline, ensure_quote_baseline
from ..curation.revisions import ReviewGate
from ..models import Case, Quote, QuoteRelink, Revision, StoryEvidence
from ..tracking import RECORDERS
from .settling import history_reason

__all__ = ["RelinkResult", "dismiss", "relink"]

RELINK_PREFIX = "Re-linked from quote"  # the history reason and revision summary of a re-link


@dataclass
class RelinkResult:
    """cases: the ids of the cases whose evidence moved (or will, once reviewed); revisions: the
    pending revisions an Editor's re-link created on published cases ([] when it applied)."""

    record: QuoteRelink
    cases: list[int] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)


def _open(record_pk) -> QuoteRelink:
    record = QuoteRelink.objects.select_for_update().get(pk=record_pk)
    if record.status != QuoteRelink.Status.PENDING:
        raise ValidationError(f"This quote is {record.get_status_display().lower()} already.")
    if record.revision_id and Revision.objects.filter(pk=record.revision_id, status=Revision.Status.PENDING).exists():
        raise ValidationError("Its re-link waits for a Publisher's review already.")
    # An Editor's re-link touching several published cases is one revision each; the task points
    # at the first: another of them still pending means the re-link waits too (no second proposal).
    if Revision.objects.filter(
        status=Revision.Status.PENDING, summary__startswith=f"{RELINK_PREFIX} {record.quote_id} to its new wording"
    ).exists():
        raise ValidationError("Its re-link waits for a Publisher's review already (for another of its cases).")
    return record


def _links(quote):
    return (
        set(quote.cases.values_list("pk", flat=True)),
        set(quote.challenges.values_list("pk", flat=True)),
        set(quote.success_factors.values_list("pk", flat=True)),
        set(quote.story_evidence.values_list("pk", flat=True)),
    )


def story_case_ids(quote) -> set[int]:
    """The cases whose story sections name `quote` as evidence (linked to the case or not)."""
    return set(StoryEvidence.objects.filter(quotes=quote).values_list("case_id", flat=True))


def _move(old, new, *, case_ids, challenge_ids, factor_ids, story_ids, user, reason):
    ensure_quote_baseline(Quote.objects.filter(pk__in=[old.pk, new.pk]))
    for quote in (old, new):
        quote._history_user, quote._change_reason = user, reason
    new.cases.add(*case_ids)
    new.challenges.add(*challenge_ids)
    new.success_factors.add(*factor_ids)
    old.cases.remove(*case_ids)
    old.challenges.remove(*challenge_ids)
    old.success_factors.remove(*factor_ids)
    # The story sections it is evidence of (StoryEvidence rows, one case each).
    new.story_evidence.add(*story_ids)
    old.story_evidence.remove(*story_ids)


def relink(record, new_quote, *, user) -> RelinkResult:
    """Move the links of `record`'s old quote to `new_quote` (a quote of the same video), by `user`.

    Raises ValidationError when the task is not pending (or its re-link already waits for review),
    when `new_quote` is the old quote or of another video, and PublishingBarError (a
    ValidationError) when a published case would lose what publishing requires. An Editor's
    re-link touching a published case leaves the task pending, pointing at the revision.
    """
    with transaction.atomic():
        record = _open(record.pk)
        old = Quote.objects.get(pk=record.quote_id)
        if new_quote.pk == old.pk:
            raise ValidationError("Choose the new wording: that is the old quote itself.")
        if new_quote.source_id != old.source_id:
            raise ValidationError("The new wording must be a quote of the same video.")
        if QuoteRelink.objects.filter(quote=new_quote, status=QuoteRelink.Status.PENDING).exists():
            # Moving the links onto another old wording would close this task with the case still
            # showing a statement the document no longer has.
            raise ValidationError(
                f"Quote {new_quote.pk} was cut loose by a re-import too: choose a statement of the document as it is now."
            )
        linked_case_ids, challenge_ids, factor_ids, story_ids = _links(old)
        case_ids = linked_case_ids | story_case_ids(old)  # every case whose page shows the quote
        gate = ReviewGate(user, case_ids | set(new_quote.cases.values_list("pk", flat=True)))
        reason = history_reason(f"{RELINK_PREFIX} {old.pk} to its new wording, quote {new_quote.pk}, after a re-import")
        cases = list(Case.objects.filter(pk__in=case_ids))
        for case in cases:
            ensure_baseline(case)
        _move(
            old,
            new_quote,
            case_ids=linked_case_ids,
            challenge_ids=challenge_ids,
            factor_ids=factor_ids,
            story_ids=story_ids,
            user=user,
            reason=reason,
        )
        Case.objects.filter(pk__in=case_ids).update(updated_at=timezone.now())
        for case in Case.objects.filter(pk__in=case_ids):
            RECORDERS[Case].record(case, reason=reason, user=user)
        revisions = gate.finish(summary=reason)
        if revisions and not new_quote.cases.filter(status=Case.Status.PUBLISHED).exists():
            # The gate re-applied the unpublished cases' part without the quote's terms (they would
            # change every case the quote backs); the new quote backs no published case, so they
            # change no public page: given here, so the drafts keep their claims' evidence.
            _move_terms(new_quote, challenge_ids, factor_ids, user=user, reason=reason)
        record.relinked_to = new_quote
        if revisions:
            record.revision = revisions[0]
        else:
            record.status, record.resolved_at, record.resolved_by = QuoteRelink.Status.RELINKED, timezone.now(), user
        record.save()
    return RelinkResult(record, sorted(case_ids), revisions)


def _move_terms(new, challenge_ids, factor_ids, *, user, reason):
    new._history_user, new._change_reason = user, reason
    new.challenges.add(*challenge_ids)
    new.success_factors.add(*factor_ids)


def dismiss(record, *, user) -> QuoteRelink:
    """Close the task without moving anything: the old quote stays evidence with its old wording,
    without a document. Raises ValidationError when the task is not pending."""
    with transaction.atomic():
        record = _open(record.pk)
        record.status, record.resolved_at, record.resolved_by = QuoteRelink.Status.DISMISSED, timezone.now(), user
        record.save(update_fields=["status", "resolved_at", "resolved_by"])
    return record
