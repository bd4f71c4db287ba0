"""Reviewed changes to published cases: what an Editor changes on a published case becomes a
pending Revision; a Publisher approves it (its exact difference is applied) or sends it back.

Every admin route that writes what a case page shows runs inside a `ReviewGate`: the write runs
as usual inside a savepoint; when it touched a published case and the user is no Publisher, the
gate reads the states it produced, rolls the savepoint back and stores them as revisions (the
changes to unpublished cases are re-applied directly). A Publisher's write stays, unless it takes
away what publishing required (summary, country, evidence): then it is rolled back and refused.

A case's state (`case_state`) is a JSON-able dict of all that its page shows: content fields,
countries, themes, approaches, publications, evidence, participations, challenge and
success-factor notes, and the text, time and terms of each evidence quote.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..history import CASE_LINKS, CONTENT_FIELDS, ensure_baseline, ensure_quote_baseline, validate_parent
from ..models import (
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Organisation,
    Participation,
    Quote,
    Revision,
    Source,
    StoryEvidence,
    StorySection,
    SuccessFactor,
    SupportingLink,
)
from ..tracking import RECORDERS
from .workflow import as_list, can_publish, missing_for_publication

FIELD_LABELS = {
    "title": "Title",
    "slug": "Slug",
    "summary": "Summary",
    "body": "Body",
    "stage": "Stage",
    "start_year": "Start year",
    "end_year": "End year",
    "website": "Website",
    "parent_id": "Parent",
    "level_of_government": "Level of government",
    "contact_email": "Organisational contact",
    "results_evidence": "Results are",
    **{section.field_name: section.label for section in StorySection},
}
QUOTE_FIELDS = ["text", "start_second", "other_seconds"]


class PublishingBarError(ValidationError):
    """A change that would leave a published case without what publishing requires."""


# States


def case_state(case_id):
    """All that the page of case `case_id` shows, as a JSON-able dict (lists sorted, keys strings)."""
    state = {"fields": Case.objects.values(*CONTENT_FIELDS).get(pk=case_id)}
    for name in CASE_LINKS:
        field = Case._meta.get_field(name)
        column = f"{field.m2m_reverse_field_name()}_id"
        state[name] = sorted(field.remote_field.through.objects.filter(case_id=case_id).values_list(column, flat=True))
    evidence = sorted(Quote.cases.through.objects.filter(case_id=case_id).values_list("quote_id", flat=True))
    state["evidence"] = evidence
    state["participations"] = sorted(
        [organisation_id, role]
        for organisation_id, role in Participation.objects.filter(case_id=case_id).values_list(
            "organisation_id", "role"
        )
    )
    state["challenges"] = {
        str(pk): note for pk, note in CaseChallenge.objects.filter(case_id=case_id).values_list("challenge_id", "note")
    }
    state["success_factors"] = {
        str(pk): note
        for pk, note in CaseSuccessFactor.objects.filter(case_id=case_id).values_list("success_factor_id", "note")
    }
    state["quotes"] = quote_states(evidence)
    state["supporting_links"] = {
        url: [title, kind, order]
        for url, title, kind, order in SupportingLink.objects.filter(case_id=case_id).values_list(
            "url", "title", "kind", "order"
        )
    }
    story_evidence = {}
    for row in StoryEvidence.objects.filter(case_id=case_id).prefetch_related("quotes"):
        story_evidence[row.section] = {
            "quotes": sorted(quote.pk for quote in row.quotes.all()),
            "reason": row.no_evidence_reason,
        }
    state["story_evidence"] = story_evidence
    return state


def quote_states(quote_ids):
    """{quote id (str): {text, start_second, other_seconds, challenges, success_factors}}."""
    quotes = {
        str(row["pk"]): {**{name: row[name] for name in QUOTE_FIELDS}, "challenges": [], "success_factors": []}
        for row in Quote.objects.filter(pk__in=quote_ids).values("pk", *QUOTE_FIELDS)
    }
    for name, column in (("challenges", "challenge_id"), ("success_factors", "successfactor_id")):
        links = Quote._meta.get_field(name).remote_field.through.objects.filter(quote_id__in=quote_ids)
        for quote_id, target in links.order_by(column).values_list("quote_id", column):
            quotes[str(quote_id)][name].append(target)
    return quotes


def missing_in_state(state):
    """What a state lacks for publication, as missing_for_publication words it."""
    return missing_for_publication(
        Case(summary=state["fields"]["summary"]),
        summary=state["fields"]["summary"],
        country_count=len(state["countries"]),
        evidence_count=len(state["evidence"]),
    )


# Differences


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _names(model, ids, name="name"):
    return dict(model.objects.filter(pk__in=ids).values_list("pk", name))


def describe_changes(base, proposed):
    """[Change] from state `base` to state `proposed`, in words a curator reads."""
    changes = []
    for name in CONTENT_FIELDS:
        before, after = base["fields"].get(name), proposed["fields"].get(name)
        if before != after:
            if name == "parent_id":
                titles = _names(Case, [v for v in (before, after) if v], "title")
                before, after = titles.get(before, before), titles.get(after, after)
            changes.append(
                Change(FIELD_LABELS[name], "" if before is None else str(before), "" if after is None else str(after))
            )
    for name, (label, model) in CASE_LINKS.items():
        added, removed = set(proposed[name]) - set(base[name]), set(base[name]) - set(proposed[name])
        if added or removed:
            names = _names(model, added | removed, "title" if model is Source else "name")
            changes.append(Change(label, _listed(removed, names, "removed"), _listed(added, names, "added")))
    added, removed = (
        set(proposed["evidence"]) - set(base["evidence"]),
        set(base["evidence"]) - set(proposed["evidence"]),
    )
    if added or removed:
        quotes = {q.pk: str(q) for q in Quote.objects.filter(pk__in=added | removed).only("pk", "text", "start_second")}
        changes.append(Change("Evidence", _listed(removed, quotes, "removed"), _listed(added, quotes, "added")))
    before_rows = {tuple(row) for row in base["participations"]}
    after_rows = {tuple(row) for row in proposed["participations"]}
    if before_rows != after_rows:
        names = _names(Organisation, {row[0] for row in before_rows | after_rows})
        describe = lambda rows: "; ".join(sorted(f"{names.get(o, o)} ({role})" for o, role in rows))  # noqa: E731
        changes.append(Change("Organisations", describe(before_rows - after_rows), describe(after_rows - before_rows)))
    for name, label, model in (
        ("challenges", "Challenge notes", Challenge),
        ("success_factors", "Success-factor notes", SuccessFactor),
    ):
        before, after = base[name], proposed[name]
        keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        names = _names(model, [int(k) for k in keys])
        for key in keys:
            term = names.get(int(key), key)
            changes.append(
                Change(
                    f"{label}: {term}",
                    "(none)" if key not in before else before[key] or "(empty note)",
                    "(none)" if key not in after else after[key] or "(empty note)",
                )
            )
    before, after = base.get("supporting_links"), proposed.get("supporting_links")
    if before is not None and after is not None:  # a revision proposed before links were carried has none
        for url in sorted(url for url in set(before) | set(after) if before.get(url) != after.get(url)):

            def show(row):
                return "(none)" if row is None else f"{row[0]} ({row[1]})"

            changes.append(Change(f"Supporting link: {url}", show(before.get(url)), show(after.get(url))))
    before, after = base.get("story_evidence"), proposed.get("story_evidence")
    if before is not None and after is not None:  # a revision proposed before story evidence was carried has none
        for section in sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key)):

            def show(row):
                return (
                    "(none)"
                    if row is None
                    else ("; ".join(f"quote #{pk}" for pk in row["quotes"]) or row["reason"] or "(empty)")
                )

            changes.append(
                Change(f"Evidence of the story section {section}", show(before.get(section)), show(after.get(section)))
            )
    for key in sorted(set(base["quotes"]) & set(proposed["quotes"]), key=int):
        old, new = base["quotes"][key], proposed["quotes"][key]
        for field in QUOTE_FIELDS + ["challenges", "success_factors"]:
            if old[field] != new[field]:
                changes.append(Change(f"Quote #{key}: {field.replace('_', ' ')}", str(old[field]), str(new[field])))
    return changes


def _listed(ids, names, verb):
    return f"{verb}: " + "; ".join(sorted(str(names.get(pk, pk)) for pk in ids)) if ids else ""


# Applying a difference


def bump_content_version(case_ids):
    """Mark cases as changed for stale-edit guards (cases/admin/forms.py) by a write made elsewhere."""
    Case.objects.filter(pk__in=case_ids).update(content_version=F("content_version") + 1)


@transaction.atomic
def apply_changes(case_id, base, proposed, *, user=None, reason="", include_quotes=True):
    """Apply the difference from state `base` to state `proposed` to the case as it is now (other
    changes made since stay); raise ValidationError if a field it changes was changed since to a
    third value, if the content is invalid today, or if a published case would fall below the
    publishing bar. One history record of the case, after its links."""
    case = Case.objects.select_for_update().get(pk=case_id)
    lacking_before = missing_for_publication(case) if case.is_published else []
    ensure_baseline(case)
    conflicts = []
    for name in CONTENT_FIELDS:
        # A revision proposed before a field existed (the story of migration 0016) leaves it alone.
        if name not in base["fields"] or name not in proposed["fields"]:
            continue
        if proposed["fields"][name] != base["fields"][name]:
            current = getattr(case, name)
            if current not in (base["fields"][name], proposed["fields"][name]):
                conflicts.append(FIELD_LABELS[name].lower())
            setattr(case, name, proposed["fields"][name])
    for name in ("challenges", "success_factors"):
        model, column = (
            (CaseChallenge, "challenge_id") if name == "challenges" else (CaseSuccessFactor, "success_factor_id")
        )
        current = dict(model.objects.filter(case_id=case_id).values_list(column, "note"))
        for key in set(base[name]) & set(proposed[name]):
            if base[name][key] != proposed[name][key] and current.get(int(key), base[name][key]) not in (
                base[name][key],
                proposed[name][key],
            ):
                conflicts.append(f"a {name.replace('_', '-')[:-1]} note")
    if conflicts:
        raise ValidationError(f"Changed by someone else since it was proposed: {as_list(sorted(set(conflicts)))}.")
    case.full_clean(exclude=["status"])
    validate_parent(case, case.parent_id)
    case.skip_history_when_saving = True
    try:
        case.save()
        for name in CASE_LINKS:
            related = getattr(case, name)
            related.add(*(set(proposed[name]) - set(base[name])))
            related.remove(*(set(base[name]) - set(proposed[name])))
        added, removed = (
            set(proposed["evidence"]) - set(base["evidence"]),
            set(base["evidence"]) - set(proposed["evidence"]),
        )
        case.quotes.add(*Quote.objects.filter(pk__in=added).values_list("pk", flat=True))
        case.quotes.remove(*removed)
        _apply_participations(case, base, proposed, user)
        _apply_notes(case, CaseChallenge, "challenge_id", base["challenges"], proposed["challenges"], user)
        _apply_notes(
            case, CaseSuccessFactor, "success_factor_id", base["success_factors"], proposed["success_factors"], user
        )
        _apply_supporting_links(case, base.get("supporting_links"), proposed.get("supporting_links"), user)
        _apply_story_evidence(case, base.get("story_evidence"), proposed.get("story_evidence"))
        if include_quotes:
            _apply_quotes(base["quotes"], proposed["quotes"], user)
    finally:
        del case.skip_history_when_saving
    RECORDERS[Case].record(case, reason=reason, user=user)
    bump_content_version([case.pk])
    if case.is_published:
        taken_away = [phrase for phrase in missing_for_publication(case) if phrase not in lacking_before]
        if taken_away:
            raise PublishingBarError(
                f"A published case needs {as_list(taken_away)}: keep it, or unpublish the case first."
            )
    return case


def _apply_participations(case, base, proposed, user):
    before = {tuple(row) for row in base["participations"]}
    after = {tuple(row) for row in proposed["participations"]}
    for organisation_id, role in before - after:
        for row in Participation.objects.filter(case=case, organisation_id=organisation_id, role=role):
            row._history_user = user
            row.delete()
    existing = set(Organisation.objects.filter(pk__in={o for o, _ in after - before}).values_list("pk", flat=True))
    for organisation_id, role in after - before:
        if organisation_id in existing:
            row = Participation(case=case, organisation_id=organisation_id, role=role)
            row._history_user = user
            row.save()


def _apply_notes(case, model, column, before, after, user):
    rows = {getattr(row, column): row for row in model.objects.filter(case=case)}
    for key in set(before) - set(after):
        if (row := rows.get(int(key))) is not None:
            row._history_user = user
            row.delete()
    for key, note in after.items():
        if before.get(key) == note and key in before:
            continue
        row = rows.get(int(key)) or model(case=case, **{column: int(key)})
        row.note = note
        row._history_user = user
        row.save()


def _apply_supporting_links(case, before, after, user):
    """The supporting links as `after` has them where they differ from `before` ({url: [title, kind,
    order]}); nothing when either lacks them (a revision proposed before links were carried)."""
    if before is None or after is None:
        return
    rows = {row.url: row for row in SupportingLink.objects.filter(case=case)}
    for url in set(before) - set(after):
        if (row := rows.get(url)) is not None:
            row._history_user = user
            row.delete()
    for url, values in after.items():
        if before.get(url) == values:
            continue
        row = rows.get(url) or SupportingLink(case=case, url=url)
        row.title, row.kind, row.order = values
        row._history_user = user
        row.full_clean(exclude=["case"], validate_unique=False)
        row.save()


def _apply_story_evidence(case, before, after):
    """The story sections' evidence as `after` has it where it differs from `before` ({section:
    {quotes, reason}}); nothing when either lacks it (a revision proposed before it was carried)."""
    if before is None or after is None:
        return
    StoryEvidence.objects.filter(case=case, section__in=set(before) - set(after)).delete()
    for section, values in after.items():
        old = before.get(section)
        if old == values:
            continue
        row, _ = StoryEvidence.objects.get_or_create(case=case, section=section)
        row.no_evidence_reason = values["reason"]
        row.save()
        old_quotes = set(old["quotes"]) if old else set(row.quotes.values_list("pk", flat=True))
        row.quotes.add(*Quote.objects.filter(pk__in=set(values["quotes"]) - old_quotes).values_list("pk", flat=True))
        row.quotes.remove(*(old_quotes - set(values["quotes"])))


def _apply_quotes(before, after, user):
    for key in set(before) & set(after):
        old, new = before[key], after[key]
        if old == new:
            continue
        quote = Quote.objects.filter(pk=int(key)).first()
        if quote is None:
            continue
        ensure_quote_baseline(Quote.objects.filter(pk=quote.pk))
        for name in QUOTE_FIELDS:
            if old[name] != new[name]:
                setattr(quote, name, new[name])
        quote._history_user = user
        quote.save()
        for name in ("challenges", "success_factors"):
            related = getattr(quote, name)
            related.add(*(set(new[name]) - set(old[name])))
            related.remove(*(set(old[name]) - set(new[name])))


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
