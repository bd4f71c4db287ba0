"""A document's quotes: the statements it states, matched to the stored quotes, written in bulk."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from ..models import Quote, StoryEvidence, Topic
from ..timestamps import MAX_SECOND, format_timestamp
from .carryover import carry_over
from .inputs import fit
from .parser import ParsedDocument
from .plausibility import choose_second
from .report import ImportReport
from .review import provisional_end
from .rows import insert_rows, sync_links
from .settling import baseline, restore, settle


@dataclass
class Wanted:
    """A quote as the document states it."""

    text: str
    start_second: int
    other_seconds: list[int]
    heading_path: str
    position: int
    topics: list[str]
    corrected_from: int | None = None
    line: int = 0  # of its statement in the file, for the report


def _corrections(parsed: ParsedDocument, report: ImportReport, name: str, *, source, document_pk):
    """{(statement position, second): (second to store, replaced second or None)} for the anchors
    whose data-t and text name different times (the parser's ``Statement.alternatives``): the one
    plausible for the video is stored (see plausibility.choose_second); each correction is reported."""
    disputed = [(statement, getattr(statement, "alternatives", None) or {}) for statement in parsed.statements]
    disputed = [(statement, alternatives) for statement, alternatives in disputed if alternatives]
    if not disputed:
        return {}
    undisputed = [
        second
        for statement in parsed.statements
        for second in statement.seconds
        if second not in (getattr(statement, "alternatives", None) or {}) and 0 <= second <= MAX_SECOND
    ]
    end = provisional_end(source, document_pk=document_pk, seconds=undisputed)
    choices = {}
    for statement, alternatives in disputed:
        for second, alternative in alternatives.items():
            chosen, replaced = choose_second(second, alternative, end=end)
            choices[(statement.position, second)] = (chosen, replaced)
            if replaced is not None:
                report.corrected += 1
                report.problems.append(
                    f"{name}:{statement.line}: timestamp {format_timestamp(replaced)} is past the video's end "
                    f"({format_timestamp(end) if end is not None else 'unknown'}) and its text names "
                    f"{format_timestamp(chosen)}: corrected to {format_timestamp(chosen)}"
                )
    return choices


def wanted_quotes(parsed: ParsedDocument, report: ImportReport, name: str, *, source, document_pk) -> list[Wanted]:
    """The quotes the document states, in order, with disputed seconds settled and seconds too large
    for the column left out (each reported in `report`)."""
    choices = _corrections(parsed, report, name, source=source, document_pk=document_pk)
    wanted = []
    for statement in parsed.statements:
        seconds, corrected_from = [], None
        for index, second in enumerate(statement.seconds):
            chosen, replaced = choices.get((statement.position, second), (second, None))
            if index == 0 and replaced is not None:
                corrected_from = replaced
            if chosen not in seconds:
                seconds.append(chosen)
        in_range = [second for second in seconds if 0 <= second <= MAX_SECOND]
        if len(in_range) < len(seconds):
            report.problems.append(
                f"{name}:{statement.line}: a timestamp is too large to be a second of a video: left out"
            )
        if not in_range:
            continue
        if in_range[0] != seconds[0] or corrected_from is not None and corrected_from > MAX_SECOND:
            corrected_from = None
        wanted.append(
            Wanted(
                text=statement.text,
                start_second=in_range[0],
                other_seconds=in_range[1:],
                heading_path=fit(Quote, "heading_path", " > ".join(statement.heading_path)),
                position=statement.position,
                topics=[fit(Topic, "slug", slug) for slug in statement.topics],
                corrected_from=corrected_from,
                line=statement.line,
            )
        )
    return wanted


def _match_quotes(wanted: list[Wanted], own: list[Quote], orphans: list[Quote]) -> list[Quote | None]:
    """For each wanted quote, the stored quote it is (or None): the document's own quotes by text and
    first second, then fixture quotes of the source (no document) likewise, then own ones by text,
    then own ones a curator edited by their edited text (the document now says what they wrote).

    A stored quote's text and first second here are those imported (Quote.as_imported): a curator's
    edit does not make it another statement."""
    by_key, orphans_by_key = defaultdict(deque), defaultdict(deque)
    by_text, by_edited_text = defaultdict(deque), defaultdict(deque)
    for quote in own:
        by_key[(quote.text_as_imported, quote.start_second_as_imported)].append(quote)
        by_text[quote.text_as_imported].append(quote)
        if quote.imported_text is not None:
            by_edited_text[quote.text].append(quote)
    for quote in orphans:
        orphans_by_key[(quote.text_as_imported, quote.start_second_as_imported)].append(quote)
    used: set[int] = set()

    def take(queues, key):
        queue = queues.get(key)
        while queue:
            quote = queue.popleft()
            if quote.pk not in used:
                used.add(quote.pk)
                return quote
        return None

    matches = [take(by_key, (w.text, w.start_second)) or take(orphans_by_key, (w.text, w.start_second)) for w in wanted]
    for queues in (by_text, by_edited_text):
        for index, w in enumerate(wanted):
            if matches[index] is None:
                matches[index] = take(queues, w.text)
    return matches


QUOTE_FIELDS = [
    "document",
    "text",
    "start_second",
    "other_seconds",
    "heading_path",
    "position",
    "corrected_from_seconds",
]
# The same, as the keys of the values the importer builds for a quote.
NEW_QUOTE_FIELDS = [f"{name}_id" if name == "document" else name for name in QUOTE_FIELDS]
# What the document said of the fields a curator edited (Quote.IMPORTED_FIELDS): read and written on
# re-imports only (a new quote is as imported).
IMPORTED_COLUMNS = list(Quote.IMPORTED_FIELDS.values())


def _imported_values(quote) -> tuple[str, int, list[int], str]:
    """What the document said of a quote's statement, in Quote.IMPORTED_FIELDS' order: text, first
    second, other seconds, headings."""
    return tuple(quote.as_imported(name) for name in Quote.IMPORTED_FIELDS)


def _moved(quote, before) -> bool:
    """Whether the document's statement of a linked or edited quote changed: its wording or first
    second, or a value a curator edited (kept, and reported, while the document's changes)."""
    now = _imported_values(quote)
    return (
        now[:2] != before[:2]
        or (quote.imported_other_seconds is not None and now[2] != before[2])
        or (quote.imported_heading_path is not None and now[3] != before[3])
    )


class NewQuote:
    """A quote about to be inserted: its values, then its primary key (all the importer reads of it)."""

    __slots__ = ("values", "pk")

    def __init__(self, values: dict):
        self.values = values
        self.pk = None

    def __getattr__(self, name):  # quote.text, quote.start_second, ... as a stored quote answers them
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def store_quotes(document, source, wanted, topic_ids, report, name, *, created=False) -> set[int]:
    """Make `document`'s stored quotes and their topic links what `wanted` states, keeping the stored
    quotes that match (and curators' links to them); counts go to `report`. `created`: the document
    was just created (it has no quotes yet); `source.has_orphans` (source_for): its video has quotes
    no document holds, which a match takes back. Returns the ids of the sources (videos) of which
    quotes were left without a document (stranded), now with orphans.

    A quote a curator linked or edited (a text, time or heading path of it set aside in its
    Quote.IMPORTED_FIELDS column) is curator work: never deleted, and an edited value is never written
    over; the document's value goes to its column instead (see carryover and settling for what is
    kept, moved and reported). A quote a curator added (Quote.added_by_curator) is not read at all:
    never matched, changed or deleted."""
    if created and not source.has_orphans:
        stored = []  # nothing to match: the query this saves was a tenth of a first import's time
    else:
        stored = list(
            Quote.objects.filter(Q(document=document) | Q(source=source, document__isnull=True))
            .filter(added_by_curator__isnull=True)
            .only("pk", "source", "time_status", *IMPORTED_COLUMNS, *QUOTE_FIELDS)
            .order_by("position", "pk")
        )
    own = [quote for quote in stored if quote.document_id == document.pk]
    orphans = [quote for quote in stored if quote.document_id is None]
    matches = _match_quotes(wanted, own, orphans)
    # Curator work (linked quotes, edited texts) no exact match took moves to the new version of its
    # statement where it is safe, else is kept without a document: never deleted.
    linked = _linked_quote_ids([quote.pk for quote in own]) if own else set()
    edited = {quote.pk for quote in stored if quote.edited_fields}
    kept = linked | edited
    taken = {quote.pk for quote in matches if quote is not None}
    outcome = carry_over(wanted, matches, [q for q in own if q.pk in kept and q.pk not in taken])
    for index, (quote, _) in outcome.carried.items():
        matches[index] = quote
    before = {quote.pk: _imported_values(quote) for quote in own if quote.pk in kept}

    now = timezone.now()
    new, changed, placed = [], [], []  # placed: the stored quote of each wanted quote, in order
    for w, quote in zip(wanted, matches):
        values = {
            "document_id": document.pk,
            "text": w.text,
            "start_second": w.start_second,
            "other_seconds": w.other_seconds,
            "heading_path": w.heading_path,
            "position": w.position,
            "corrected_from_seconds": w.corrected_from,
        }
        if quote is None:
            # Its time status is set with the rest of the video's once the run's files are stored.
            quote = NewQuote(values)
            new.append(quote)
        else:
            if quote.source_id != source.pk:  # the document now names another video
                values["source_id"] = source.pk
            for field, column in Quote.IMPORTED_FIELDS.items():
                if getattr(quote, column) is not None:
                    # A curator edited it: that stays, and the document's value is what it was
                    # imported from (none once the document says what the curator wrote).
                    curators = getattr(quote, field)
                    values[column] = None if values[field] == curators else values[field]
                    values[field] = curators
            if any(getattr(quote, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(quote, key, value)
                if w.corrected_from is None and quote.time_status == Quote.TimeStatus.CORRECTED:
                    # The statement no longer needs a correction (e.g. re-read as minutes:seconds, its
                    # data-t and text agree): "corrected" without its original breaks a constraint.
                    # Exact for now, like a new quote; refresh_time_status then sets the real status.
                    quote.time_status = Quote.TimeStatus.EXACT
                quote.updated_at = now
                changed.append(quote)
        placed.append(quote)
    matched_ids = {quote.pk for quote in placed if quote.pk}
    leftovers = [quote.pk for quote in own if quote.pk not in matched_ids]
    # Curator work whose statement's wording or time the new version changed: recorded before and after.
    moved = {quote.pk: before[quote.pk] for quote in changed if quote.pk in before and _moved(quote, before[quote.pk])}
    stranded = [item for item in outcome.stranded if item.quote.pk in leftovers]
    baseline([*moved, *(item.quote.pk for item in stranded)])

    if leftovers:
        if stranded:
            # Statements gone or changed beyond a safe match, whose quotes curators linked or edited:
            # kept, detached, listed for a curator (settling.settle reports them).
            Quote.objects.filter(pk__in=[item.quote.pk for item in stranded]).update(document=None, updated_at=now)
        unkept = [pk for pk in leftovers if pk not in kept]
        if unkept:
            Quote.objects.filter(pk__in=unkept).delete()
        report.quotes_deleted += len(leftovers)
    Quote.objects.bulk_update(
        changed,
        # The imported values only when edited quotes were read: no other write changes them.
        [*QUOTE_FIELDS, "source", "time_status", "updated_at", *(IMPORTED_COLUMNS if edited else [])],
    )
    # Tuples rather than model instances: the ORM's per-field work was most of a first import's time.
    keys = insert_rows(
        Quote,
        [*NEW_QUOTE_FIELDS, "source", "time_status", "created_at", "updated_at"],
        (
            [*(quote.values[key] for key in NEW_QUOTE_FIELDS), source.pk, Quote.TimeStatus.EXACT, now, now]
            for quote in new
        ),
        returning=True,
    )
    for quote, key in zip(new, keys, strict=True):
        quote.pk = key
    report.quotes_created += len(new)
    report.quotes_updated += len(changed)
    report.quotes += len(wanted)
    report.timestamps += sum(1 + len(w.other_seconds) for w in wanted)
    restore(matched_ids & {quote.pk for quote in orphans})
    settle(
        name=name,
        document=document,
        report=report,
        moved=moved,
        stranded=stranded,
        placed=placed,
        wanted=wanted,
        linked=linked,
    )

    wanted_links = {
        (quote.pk, topic_ids[slug]) for w, quote in zip(wanted, placed) for slug in w.topics if slug in topic_ids
    }
    stored_before = [quote.pk for quote in placed if not isinstance(quote, NewQuote)]
    sync_links(Quote.topics.through, "quote_id", "topic_id", wanted_links, stored_before)
    return {item.quote.source_id for item in stranded}


def _linked_quote_ids(quote_ids) -> set[int]:
    linked = set()
    for relation in ("cases", "challenges", "success_factors"):
        through = Quote._meta.get_field(relation).remote_field.through
        linked.update(through.objects.filter(quote_id__in=quote_ids).values_list("quote_id", flat=True))
    # A story section's evidence is a curator's link too, even when the quote backs no case itself.
    linked.update(
        StoryEvidence.quotes.through.objects.filter(quote_id__in=quote_ids).values_list("quote_id", flat=True)
    )
    return linked
