"""Reviewed changes to published cases: what an Editor changes on a published case becomes a
pending Revision; a Publisher approves it (its exact difference is applied) or sends it back.

Every admin route that writes what a case page shows runs inside a `ReviewGate`: the write runs
as usual inside a savepoint; when it touched a published case and the user is no Publisher, the
gate reads the states it produced (cases.curation.states), rolls the savepoint back and stores
them as revisions (the changes to unpublished cases are re-applied directly, through
cases.curation.applying). A Publisher's write stays, unless it takes away what publishing
required (summary, country, evidence): then it is rolled back and refused.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Case, Revision
from .applying import PublishingBarError, apply_changes, bump_content_version
from .states import case_state, missing_in_state, quote_states
from .workflow import as_list, can_publish, missing_for_publication

# The gate


class ReviewGate:
    """Runs one admin write to cases `case_ids` (more may be added with `include`) so that it
    changes no published case without a Publisher. Open it before the write, `finish()` after.

    finish() returns the revisions it created (an Editor's write to a published case) or [] (the
    write stands); it raises PublishingBarError, after undoing the write, when a published case
    would lose what publishing requires.
    """

    def __init__(self, user, case_ids=()):
        self.user = user
        self.case_ids = {pk for pk in case_ids if pk is not None}
        published = Case.objects.filter(pk__in=self.case_ids, status=Case.Status.PUBLISHED)
        self.lacking_before = {case.pk: missing_for_publication(case) for case in published}
        if not transaction.get_connection().in_atomic_block:
            # Outside a transaction the savepoint is a no-op and an Editor's write would stand.
            raise RuntimeError("ReviewGate needs a transaction: run the admin write in transaction.atomic()")
        self.savepoint = transaction.savepoint()

    def include(self, *case_ids):
        self.case_ids.update(pk for pk in case_ids if pk is not None)

    def finish(self, *, summary=""):
        published = set(
            Case.objects.filter(pk__in=self.case_ids, status=Case.Status.PUBLISHED).values_list("pk", flat=True)
        )
        if not published:
            transaction.savepoint_commit(self.savepoint)
            bump_content_version(self.case_ids)
            return []
        if can_publish(self.user):
            for case in Case.objects.filter(pk__in=published):
                taken_away = [p for p in missing_for_publication(case) if p not in self.lacking_before.get(case.pk, [])]
                if taken_away:
                    transaction.savepoint_rollback(self.savepoint)
                    raise PublishingBarError(
                        f"“{case}” is published and needs {as_list(taken_away)}: keep it, or unpublish the case first."
                    )
            transaction.savepoint_commit(self.savepoint)
            bump_content_version(self.case_ids)
            return []
        after = {pk: case_state(pk) for pk in self.case_ids}
        transaction.savepoint_rollback(self.savepoint)
        base = {pk: case_state(pk) for pk in self.case_ids}
        for pk in published:
            # Quotes newly linked: their text as it is now is the base of any change to it.
            new_quotes = set(after[pk]["quotes"]) - set(base[pk]["quotes"])
            base[pk]["quotes"].update(quote_states([int(k) for k in new_quotes]))
            taken_away = [p for p in missing_in_state(after[pk]) if p not in missing_in_state(base[pk])]
            if taken_away:
                title = base[pk]["fields"]["title"]
                raise PublishingBarError(f"“{title}” is published and needs {as_list(taken_away)}: keep it.")
        revisions = [
            Revision.objects.create(
                case_id=pk, author=self.user, summary=summary[:300], base=base[pk], proposed=after[pk]
            )
            for pk in sorted(published)
            if after[pk] != base[pk]
        ]
        for pk in self.case_ids - published:
            if after[pk] != base[pk]:
                apply_changes(pk, base[pk], after[pk], user=self.user, reason=summary, include_quotes=False)
        return revisions


# Review


def approve(revision, *, user):
    """Apply a pending revision (Publishers only); raise ValidationError if it cannot be applied."""
    if not can_publish(user):
        raise ValidationError("Only a Publisher may approve a change.")
    with transaction.atomic():
        revision = Revision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != Revision.Status.PENDING:
            raise ValidationError(f"This change is {revision.get_status_display().lower()} already.")
        author = revision.author.get_username() if revision.author else "a deleted user"
        apply_changes(
            revision.case_id,
            revision.base,
            revision.proposed,
            user=user,
            reason=f"Approved change #{revision.pk} by {author}",
        )
        revision.status = Revision.Status.APPROVED
        revision.reviewed_by, revision.reviewed_at = user, timezone.now()
        revision.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return revision


def send_back(revision, *, user, comment):
    """Refuse a pending revision with the reason the Editor will see on the case."""
    if not can_publish(user):
        raise ValidationError("Only a Publisher may send a change back.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Say why the change is sent back: the Editor sees it on the case.")
    updated = Revision.objects.filter(pk=revision.pk, status=Revision.Status.PENDING).update(
        status=Revision.Status.SENT_BACK, comment=comment, reviewed_by=user, reviewed_at=timezone.now()
    )
    if not updated:
        raise ValidationError("This change is not pending any more.")
    revision.refresh_from_db()
    return revision
