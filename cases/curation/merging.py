"""Merging duplicate organisations, themes, approaches or topics: every link moves to the term
kept, the others' slugs redirect to it (cases.curation.permalinks), and the change is recorded in the
history of each case it touched."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Approach, Case, Document, OldSlug, Organisation, Participation, Quote, Theme, Topic
from ..tracking import record_in_bulk
from .applying import bump_content_version
from .permalinks import KIND_OF_MODEL, remember_slug
from .workflow import can_publish

MERGEABLE = (Organisation, Theme, Approach, Topic)


@dataclass(frozen=True)
class MergeResult:
    kept: object
    merged: list  # names of the terms merged away
    cases: int  # cases whose links moved


def _move_links(through, column, keep_id, other_ids, owner):
    """Point the link rows of `other_ids` at `keep_id`, dropping those the kept term has already.
    Returns the ids of the owners (cases, documents, quotes) whose links changed."""
    rows = list(through.objects.filter(**{f"{column}__in": other_ids}).values_list("pk", owner))
    if not rows:
        return set()
    owners = {owner_id for _, owner_id in rows}
    have = set(through.objects.filter(**{column: keep_id, f"{owner}__in": owners}).values_list(owner, flat=True))
    moved, seen = [], set(have)
    for pk, owner_id in rows:
        if owner_id not in seen:
            moved.append(pk)
            seen.add(owner_id)
    through.objects.filter(pk__in=moved).update(**{column: keep_id})
    through.objects.filter(**{f"{column}__in": other_ids}).delete()
    return owners


def merge_terms(keep, others, *, user):
    """Merge the terms `others` into `keep` (all of one model of MERGEABLE); Publishers only.
    Raises ValidationError for another user, mixed models or `keep` among `others`."""
    model = type(keep)
    if model not in MERGEABLE:
        raise ValidationError(f"{model._meta.verbose_name_plural.capitalize()} cannot be merged.")
    if not can_publish(user):
        raise ValidationError("Only a Publisher may merge.")
    others = [other for other in others if other.pk != keep.pk]
    if not others or any(type(other) is not model for other in others):
        raise ValidationError("Choose at least one other term of the same kind to merge into the one kept.")
    other_ids = [other.pk for other in others]
    names = [str(other) for other in others]
    with transaction.atomic():
        case_ids = set()
        if model is Organisation:
            rows = list(Participation.objects.filter(organisation_id__in=other_ids))
            case_ids = {row.case_id for row in rows}
            kept_roles = set(Participation.objects.filter(organisation=keep).values_list("case_id", "role"))
            for row in rows:
                row._history_user = user
                if (row.case_id, row.role) in kept_roles:
                    row.delete()
                else:
                    row.organisation = keep
                    row.save()
                    kept_roles.add((row.case_id, row.role))
        elif model in (Theme, Approach):
            through = Case._meta.get_field("themes" if model is Theme else "approaches").remote_field.through
            case_ids = _move_links(through, f"{model._meta.model_name}_id", keep.pk, other_ids, "case_id")
        else:
            _move_links(Document.topics.through, "topic_id", keep.pk, other_ids, "document_id")
            _move_links(Quote.topics.through, "topic_id", keep.pk, other_ids, "quote_id")
        label = f"Merged {model._meta.verbose_name} {', '.join(names)} into {keep}"[:100]
        if case_ids:
            record_in_bulk(Case.objects.filter(pk__in=case_ids), user=user, reason=label)
            bump_content_version(case_ids)
        kind = KIND_OF_MODEL[model]
        OldSlug.objects.filter(kind=kind, target_id__in=other_ids).update(target_id=keep.pk)
        for other in others:
            remember_slug(model, old_slug=other.slug, target_id=keep.pk)
        model.objects.filter(pk__in=other_ids).delete()
    return MergeResult(keep, names, len(case_ids))
