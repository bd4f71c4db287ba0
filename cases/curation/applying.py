"""Applying the difference between two case states (cases.curation.states) to a case as it is now:
an approved revision, a submission, or the unpublished cases of a gated write."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from ..characters import storable
from ..models import (
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Organisation,
    Participation,
    Quote,
    StoryEvidence,
    SupportingLink,
)
from ..timestamps import MAX_SECOND
from ..tracking import RECORDERS
from .history import CASE_LINKS, CONTENT_FIELDS, ensure_baseline, ensure_quote_baseline, validate_parent
from .states import FIELD_LABELS, QUOTE_FIELDS
from .workflow import as_list, missing_for_publication


class PublishingBarError(ValidationError):
    """A change that would leave a published case without what publishing requires."""


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


def _sync_rows(rows, before, after, *, make, fill, user):
    """Bring the rows `rows` ({key: row}) to `after` where it differs from `before` (both {key:
    values}): a row whose key `after` dropped is deleted, a row whose values changed or that is new
    (built by `make(key)`) gets them from `fill(row, values)` and is saved; each by `user`."""
    for key in set(before) - set(after):
        if (row := rows.get(key)) is not None:
            row._history_user = user
            row.delete()
    for key, values in after.items():
        if key in before and before[key] == values:
            continue
        row = rows.get(key) or make(key)
        fill(row, values)
        row._history_user = user
        row.save()


def _apply_notes(case, model, column, before, after, user):
    """The challenge or success-factor notes as `after` has them ({term id as str: note})."""
    _sync_rows(
        {str(getattr(row, column)): row for row in model.objects.filter(case=case)},
        before,
        after,
        make=lambda key: model(case=case, **{column: int(key)}),
        fill=lambda row, note: setattr(row, "note", note),
        user=user,
    )


def _apply_supporting_links(case, before, after, user):
    """The supporting links as `after` has them where they differ from `before` ({url: [title, kind,
    order]}); nothing when either lacks them (a revision proposed before links were carried)."""
    if before is None or after is None:
        return

    def fill(row, values):
        row.title, row.kind, row.order = values
        row.full_clean(exclude=["case"], validate_unique=False)

    _sync_rows(
        {row.url: row for row in SupportingLink.objects.filter(case=case)},
        before,
        after,
        make=lambda url: SupportingLink(case=case, url=url),
        fill=fill,
        user=user,
    )


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


def _validate_quote(quote):
    """Raise ValidationError unless `quote`'s text and times are what the quote's change form accepts
    (a text not blank, without NUL or lone surrogates; whole seconds from 0 to MAX_SECOND): a change
    proposed before a bound existed, or stored by a database that took more than PostgreSQL's column
    does, is refused, not a DataError nor stored as it is."""
    start, text = quote.start_second, quote.text
    try:
        if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= MAX_SECOND:
            raise ValidationError(f"a start second is a whole number from 0 to {MAX_SECOND:,}.")
        # What the form's text field refuses: no text (blanks only), a NUL, a lone surrogate.
        if not isinstance(text, str) or not text.strip() or not storable(text):
            raise ValidationError("a quote's text is text, not blank, without NUL characters.")
        quote.clean_fields(exclude=[field.name for field in Quote._meta.fields if field.name not in QUOTE_FIELDS])
        quote.clean()
    except ValidationError as error:
        raise ValidationError(f"Quote {quote.pk}: {' '.join(error.messages)}") from None


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
        _validate_quote(quote)
        quote.note_curator_edit()  # an approved edit of an imported text or time survives re-imports too
        quote._history_user = user
        quote.save()
        for name in ("challenges", "success_factors"):
            related = getattr(quote, name)
            related.add(*(set(new[name]) - set(old[name])))
            related.remove(*(set(old[name]) - set(new[name])))
