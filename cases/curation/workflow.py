"""The editorial workflow of a case: draft → review → published → archived, and back to draft.

Plain functions, used by the admin's actions and buttons alike, so the rules hold whichever
way a curator asks. Who may do what: every curator with change permission submits and
withdraws; publishing, unpublishing and archiving need the `cases.publish_case` permission.
Publishing also needs every claim of the case (cases.claims) to have a supporting quote or a
curator's recorded reason for having none.
"""

from dataclasses import dataclass

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from ..claims import blocking, claims_of, failing_claims
from ..models import Case, Quote
from ..querysets import correlated_count
from ..tracking import RECORDERS, record_in_bulk
from .history import ensure_baseline, ensure_quote_baseline

Status = Case.Status
PUBLISH_PERMISSION = "cases.publish_case"


@dataclass(frozen=True)
class Transition:
    name: str  # the admin action and URL name
    label: str  # the button
    sources: tuple  # statuses it starts from
    target: str
    needs_publish_permission: bool


TRANSITIONS = {
    transition.name: transition
    for transition in (
        Transition("submit", "Submit for review", (Status.DRAFT,), Status.REVIEW, False),
        Transition("withdraw", "Back to draft", (Status.REVIEW,), Status.DRAFT, False),
        Transition("publish", "Publish", (Status.REVIEW,), Status.PUBLISHED, True),
        Transition("unpublish", "Unpublish (back to draft)", (Status.PUBLISHED,), Status.DRAFT, True),
        Transition("archive", "Archive", (Status.PUBLISHED,), Status.ARCHIVED, True),
        Transition("reopen", "Reopen as draft", (Status.ARCHIVED,), Status.DRAFT, True),
    )
}


class TransitionRefused(Exception):
    """A transition the rules do not allow, with the reason a curator can act on."""

    def __init__(self, case, transition, reason):
        self.case = case
        self.transition = transition
        self.reason = reason
        super().__init__(self.message)

    @property
    def message(self):
        return f"“{self.case}” was not changed ({self.transition.label.lower()}): {self.reason}."


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def allowed_transitions(user):
    """The transitions this user may ask for, whatever the case."""
    return [t for t in TRANSITIONS.values() if can_publish(user) or not t.needs_publish_permission]


def transitions_from(status, user):
    """The transitions this user may apply to a case in `status`."""
    return [t for t in allowed_transitions(user) if status in t.sources]


def missing_for_publication(case, *, summary=None, country_count=None, evidence_count=None):
    """What a case lacks to be published ("a summary", "a country", "an evidence quote").

    The keyword arguments override the saved values, so a form can check what it is about to save.
    """
    if summary is None:
        summary = case.summary
    if country_count is None:
        country_count = case.countries.count() if case.pk else 0
    if evidence_count is None:
        evidence_count = case.quotes.count() if case.pk else 0
    missing = []
    if not summary.strip():
        missing.append("a summary")
    if not country_count:
        missing.append("a country")
    if not evidence_count:
        missing.append("an evidence quote")
    return missing


def as_list(phrases):
    """'a, b and c'."""
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def check_transition(case, name, *, user):
    """Raise TransitionRefused unless `user` may apply transition `name` to `case` now."""
    transition = TRANSITIONS[name]
    _check(case, transition, user=user, missing=missing_for_publication, failing=failing_claims)
    return transition


def _check(case, transition, *, user, missing, failing):
    """The rules of a transition, one case: the permission, the source status, and for
    publishing what the case lacks (`missing(case)`) and its failing claims (`failing(case)`);
    the single and the bulk paths pass their own ways of counting those."""
    if transition.needs_publish_permission and not can_publish(user):
        raise TransitionRefused(case, transition, "only a Publisher may do this")
    if case.status not in transition.sources:
        expected = " or ".join(Status(status).label.lower() for status in transition.sources)
        raise TransitionRefused(case, transition, f"it is {case.get_status_display().lower()}, not {expected}")
    if transition.target == Status.PUBLISHED:
        lacking = missing(case)
        if lacking:
            raise TransitionRefused(case, transition, f"it lacks {as_list(lacking)}")
        refuse_failing_claims(case, transition, failing(case))


def refuse_failing_claims(case, transition, failing):
    """Raise TransitionRefused naming the claims of `failing` (those with no supporting quote and
    no recorded reason), if any."""
    if failing:
        names = as_list([claim.label.lower() if claim.group == "summary" else claim.label for claim in failing])
        raise TransitionRefused(case, transition, f"no quote supports, and no recorded reason excuses, {names}")


@transaction.atomic
def apply_transition(case, name, *, user):
    """Move `case` along transition `name`; set `published_at` on first publication. Returns the case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    transition = check_transition(case, name, user=user)
    ensure_baseline(case)
    case.status = transition.target
    if transition.target == Status.PUBLISHED and case.published_at is None:
        case.published_at = timezone.now()
    case._change_reason = transition.label
    case._history_user = user
    case.save(update_fields=["status", "published_at", "updated_at"])
    return case


@dataclass(frozen=True)
class LinkResult:
    linked: int  # quotes newly linked
    already: int  # quotes that were linked before


@transaction.atomic
def link_quotes_to_case(quotes, case, *, user=None):
    """Link quotes to a case as its evidence, in bulk; each quote's history and the case's record it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_baseline(case)
    selected = quotes.order_by().values_list("pk", flat=True)
    already = set(
        Quote.cases.through.objects.filter(case_id=case.pk, quote_id__in=selected).values_list("quote_id", flat=True)
    )
    new = [pk for pk in selected if pk not in already]
    if new:
        ensure_quote_baseline(Quote.objects.filter(pk__in=new))
        case.quotes.add(*new)
        # The case changed too: a stale form of it must not drop these links (cases/admin/forms.py).
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        case.refresh_from_db(fields=["updated_at"])
        RECORDERS[Case].record(case, reason=f"Linked {len(new)} quote{pluralize(len(new))} as evidence", user=user)
    return LinkResult(linked=len(new), already=len(already))


@dataclass(frozen=True)
class BulkTransitionResult:
    changed: list  # cases moved, with their new status
    refused: list  # TransitionRefused, one per case left as it was


def transition_in_bulk(cases, name, *, user):
    """Apply transition `name` to every case of the queryset `cases` in one transaction, in bulk
    queries (a few per 500 cases, the same update for all), with one history record per changed case.

    Each case moves whole (one row) or is refused with its reason; the cases that may move do
    even when others are refused. The rules are `check_transition`'s, with the publishing bar's
    counts read for all cases at once. Link baselines are not written here: a status change moves
    no link, and `ensure_baseline` records them before the first change that does.
    """
    transition = TRANSITIONS[name]
    changed, refused = [], []
    with transaction.atomic():
        locked = (
            Case.objects.filter(pk__in=cases.order_by().values("pk"))
            .select_for_update()
            .annotate(
                country_total=correlated_count(Case.countries.through, "case_id"),
                evidence_total=correlated_count(Quote.cases.through, "case_id"),
            )
            .order_by("pk")
        )
        now = timezone.now()
        # The claims of every selected case in a few queries (publishing needs each one evidenced or excused).
        claims = claims_of(cases.order_by()) if transition.target == Status.PUBLISHED else {}
        for case in locked:
            try:
                _check_in_bulk(case, transition, user=user, claims=claims.get(case.pk, []))
            except TransitionRefused as refusal:
                refused.append(refusal)
                continue
            case.status = transition.target
            if transition.target == Status.PUBLISHED and case.published_at is None:
                case.published_at = now
            case.updated_at = now
            changed.append(case)
        moved = Case.objects.filter(pk__in=[case.pk for case in changed])
        moved.update(status=transition.target, updated_at=now)
        if transition.target == Status.PUBLISHED:
            moved.filter(published_at__isnull=True).update(published_at=now)
        record_in_bulk(changed, user=user, reason=transition.label)
    return BulkTransitionResult(changed, refused)


def _check_in_bulk(case, transition, *, user, claims=()):
    """`_check` with the counts and claims the bulk query annotated or fetched: no query per case."""
    _check(
        case,
        transition,
        user=user,
        missing=lambda case: missing_for_publication(
            case, country_count=case.country_total, evidence_count=case.evidence_total
        ),
        failing=lambda case: blocking(claims),
    )
