"""A case's recorded versions with its links: what a version held, what changed, reverting to it.

django-simple-history records the case with its many-to-many links (countries, themes,
approaches, publications); participations, challenge notes and success-factor notes have
histories of their own, and evidence links are recorded in each quote's history. A version of a
case is its historical record; its links are those of the linked rows' histories at the
record's moment. Reverting restores the content and all those links (simple-history's own
revert saves the form only: no inlines, and many-to-many values read from the current rows).

A link written without history (fixtures, bulk imports) has no record until `ensure_baseline`
records the current state, before the admin changes anything; that baseline stands for the time
before it. A row whose first record is an ordinary change is unknown before it, and left as it is.
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef

from ..models import (
    STORY_FIELDS,
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
)
from ..tracking import RECORDERS
from .parents import validate_parent

BASELINE_REASON = "State before the first recorded change"
UNKNOWN = object()  # a row whose state at a moment no record tells

# Content a revert restores; status and publication dates follow the workflow, not history.
CONTENT_FIELDS = [
    "title",
    "slug",
    "summary",
    "body",
    "stage",
    "start_year",
    "end_year",
    "website",
    "parent_id",
    "level_of_government",
    "contact_email",
    *STORY_FIELDS,
    "results_evidence",
]
# Many-to-many fields recorded on the case itself: name → (label, target model).
CASE_LINKS = {
    "countries": ("Countries", Country),
    "themes": ("Themes", Theme),
    "approaches": ("Approaches", Approach),
    "publications": ("Publications", Source),
}


@dataclass(frozen=True)
class ThroughLink:
    """A through-model of a case with a history of its own."""

    label: str
    model: type
    target_field: str  # the foreign key besides `case`
    target_model: type
    value_fields: tuple  # what else a row holds

    def describe(self, row, names):
        target = getattr(row, self.target_field)
        name = names.get(target, f"#{target} (deleted)")
        extra = [str(getattr(row, f)) for f in self.value_fields if getattr(row, f)]
        return f"{name} ({', '.join(extra)})" if extra else name


THROUGH_LINKS = [
    ThroughLink("Organisations", Participation, "organisation_id", Organisation, ("role",)),
    ThroughLink("Challenge notes", CaseChallenge, "challenge_id", Challenge, ("note",)),
    ThroughLink("Success-factor notes", CaseSuccessFactor, "success_factor_id", SuccessFactor, ("note",)),
]


def _has_history(model):
    return Exists(model.history.filter(id=OuterRef("pk")))


def ensure_baseline(case):
    """Record the case, its rows and its evidence quotes as they are now where nothing is recorded yet.

    The case comes last: a version holds the links recorded up to its moment.
    """
    for link in THROUGH_LINKS:
        for row in link.model.objects.filter(case_id=case.pk).exclude(_has_history(link.model)):
            RECORDERS[link.model].record(row, reason=BASELINE_REASON)
    ensure_quote_baseline(Quote.objects.filter(cases=case.pk))
    if not Case.history.filter(id=case.pk).exists():
        RECORDERS[Case].record(Case.objects.get(pk=case.pk), reason=BASELINE_REASON)


def ensure_quote_baseline(quotes):
    for quote in quotes.exclude(_has_history(Quote)):
        RECORDERS[Quote].record(quote, reason=BASELINE_REASON)


def _state_at(records, dates, moment):
    """One row's record in force at `moment` (None: absent), or UNKNOWN; records oldest first.

    Before its first record a row did not exist if that record is its creation; it was as its
    baseline says if that comes first (nothing recorded changed it before); else it is unknown.
    """
    index = bisect.bisect_right(dates, moment)
    if index:
        record = records[index - 1]
        return None if record.history_type == "-" else record
    first = records[0]
    if first.history_type == "+":
        return None
    return first if first.history_change_reason == BASELINE_REASON else UNKNOWN


def _group(records):
    by_id = defaultdict(list)
    for record in records:
        by_id[record.id].append(record)
    return {pk: (rows, [r.history_date for r in rows]) for pk, rows in by_id.items()}


@dataclass
class LinkState:
    """A case's links at one moment: known rows by id, and ids whose state is unknown."""

    rows: dict = field(default_factory=dict)
    unknown: set = field(default_factory=set)


def _link_states(grouped, moments, row_value):
    """{moment: LinkState} from rows grouped by `_group`: a row present at the moment is kept as
    `row_value(record)` unless that is None (the row belonged elsewhere then)."""
    states = {}
    for moment in moments:
        state = LinkState()
        for pk, (records, dates) in grouped.items():
            record = _state_at(records, dates, moment)
            if record is UNKNOWN:
                state.unknown.add(pk)
            elif record is not None and (value := row_value(record)) is not None:
                state.rows[pk] = value
        states[moment] = state
    return states


def through_states(case_id, link, moments):
    """{moment: LinkState} of one through-model's rows of the case (rows: id → historical record)."""
    history = link.model.history
    ever = history.filter(case_id=case_id).values("id")
    grouped = _group(history.filter(id__in=ever).order_by("history_date", "history_id"))
    return _link_states(grouped, moments, lambda record: record if record.case_id == case_id else None)


def _quote_case_history():
    return RECORDERS[Quote].m2m_models[Quote._meta.get_field("cases")]


def evidence_states(case_id, moments):
    """{moment: LinkState} of the quotes linked to the case (rows: quote id → True)."""
    links = _quote_case_history().objects.filter(case_id=case_id)
    member_records = set(links.values_list("history_id", flat=True))
    records = (
        Quote.history.filter(id__in=links.values("quote_id"))
        .only("history_id", "id", "history_date", "history_type", "history_change_reason")
        .order_by("history_date", "history_id")
    )
    return _link_states(_group(records), moments, lambda record: record.history_id in member_records or None)


def case_link_ids(record, name):
    """Ids a many-to-many field of the case held at historical `record`."""
    target_column = f"{Case._meta.get_field(name).m2m_reverse_field_name()}_id"
    return set(getattr(record, name).values_list(target_column, flat=True))


@dataclass
class Version:
    """A recorded version of a case: its record and, per kind of link, what it held then."""

    record: object
    links: dict  # label → LinkState whose rows map an id to its description

    def labels(self, label):
        return sorted(self.links[label].rows.values())


def versions(case_id, records):
    """Describe the links of each historical record of a case, with a fixed number of queries."""
    records = list(records)
    moments = [record.history_date for record in records]
    through = {link.label: through_states(case_id, link, moments) for link in THROUGH_LINKS}
    evidence = evidence_states(case_id, moments)
    target_names = {}
    for link in THROUGH_LINKS:
        ids = {getattr(row, link.target_field) for state in through[link.label].values() for row in state.rows.values()}
        target_names[link.label] = dict(link.target_model.objects.filter(pk__in=ids).values_list("pk", "name"))
    quote_ids = {pk for state in evidence.values() for pk in state.rows}
    quotes = {
        quote.pk: str(quote) for quote in Quote.objects.filter(pk__in=quote_ids).only("pk", "text", "start_second")
    }
    result = []
    for record in records:
        links = {}
        for link in THROUGH_LINKS:
            state = through[link.label][record.history_date]
            names = target_names[link.label]
            rows = {pk: link.describe(row, names) for pk, row in state.rows.items()}
            links[link.label] = LinkState(rows, state.unknown)
        state = evidence[record.history_date]
        rows = {pk: quotes.get(pk, f"quote #{pk} (deleted)") for pk in state.rows}
        links["Evidence"] = LinkState(rows, state.unknown)
        result.append(Version(record, links))
    return result


def link_changes(older, newer):
    """[{"field", "added", "removed"}] for the links that differ between two versions; a link whose
    state was not recorded at one of them is no change."""
    changes = []
    for label, new in newer.links.items():
        old = older.links[label]
        added = [text for pk, text in new.rows.items() if pk not in old.rows and pk not in old.unknown]
        removed = [text for pk, text in old.rows.items() if pk not in new.rows and pk not in new.unknown]
        changed = [
            f"{old.rows[pk]} → {text}" for pk, text in new.rows.items() if pk in old.rows and old.rows[pk] != text
        ]
        if added or removed or changed:
            changes.append(
                {"field": label, "added": sorted(added), "removed": sorted(removed), "changed": sorted(changed)}
            )
    return changes


@dataclass
class RevertResult:
    case: Case
    notes: list  # what could not be restored, for the curator


@transaction.atomic
def revert_case(case, record, *, user=None):
    """Restore a case's content and links to historical `record`; raise ValidationError if the
    earlier content is not valid today (its slug taken by another case, a parent cycle…)."""
    if record.id != case.pk:
        raise ValueError("The record is not a version of this case.")
    ensure_baseline(case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    notes = []
    for name in CONTENT_FIELDS:
        setattr(case, name, getattr(record, name))
    if case.parent_id is not None and not Case.objects.filter(pk=case.parent_id).exists():
        notes.append("its parent case no longer exists")
        case.parent_id = None
    case.full_clean()
    validate_parent(case, case.parent_id)

    case.skip_history_when_saving = True  # one record for the whole revert, written last
    try:
        case.save()
        for name, (label, model) in CASE_LINKS.items():
            wanted = case_link_ids(record, name)
            existing = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
            if wanted - existing:
                notes.append(f"{len(wanted - existing)} of its {label.lower()} no longer exist")
            getattr(case, name).set(existing)
        moment = record.history_date
        for link in THROUGH_LINKS:
            notes += _restore_rows(case, link, through_states(case.pk, link, [moment])[moment], user)
        evidence = evidence_states(case.pk, [moment])[moment]
        current = set(case.quotes.values_list("pk", flat=True))
        wanted = set(Quote.objects.filter(pk__in=evidence.rows).values_list("pk", flat=True))
        if set(evidence.rows) - wanted:
            notes.append(f"{len(set(evidence.rows) - wanted)} of its evidence quotes no longer exist")
        to_remove = current - wanted - evidence.unknown
        case.quotes.remove(*to_remove)
        case.quotes.add(*(wanted - current))
    finally:
        del case.skip_history_when_saving
    RECORDERS[Case].record(
        case, reason=f"Reverted to the version of {record.history_date:%Y-%m-%d %H:%M:%S}", user=user
    )
    return RevertResult(case, notes)


def _restore_rows(case, link, state, user):
    notes = []
    fields = (link.target_field, *link.value_fields)
    current = {row.pk: row for row in link.model.objects.filter(case=case)}
    for pk, row in current.items():
        if pk in state.unknown or pk in state.rows:
            continue
        row._history_user = user
        row.delete()
    existing_targets = set(
        link.target_model.objects.filter(
            pk__in={getattr(r, link.target_field) for r in state.rows.values()}
        ).values_list("pk", flat=True)
    )
    for pk, record in state.rows.items():
        values = {f: getattr(record, f) for f in fields}
        if values[link.target_field] not in existing_targets:
            notes.append(f"a row of {link.label.lower()} points to something deleted since")
            continue
        row = current.get(pk)
        if row is None:
            row = link.model(pk=pk, case=case)
        elif all(getattr(row, f) == v for f, v in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row._history_user = user
        row.save()
    return notes
