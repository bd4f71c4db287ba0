"""Text search: the case browser's `q` and the search page over cases, quotes, documents, taxonomy and topics.

PostgreSQL: full-text search on stored (trigger-maintained) vectors with `websearch` syntax
("quoted phrases", -excluded, `or`), ranking, headlines, and a trigram fallback for
misspellings when full-text search finds nothing (each unknown word respelt as the closest
word of the library's vocabulary, see migration 0006). SQLite: the same query syntax as a word
match (every word as a substring, a phrase word after word across punctuation, in any
searched field), with the PostgreSQL English stop words dropped and a light suffix stemming,
so plain words give the same results.
"""
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case as Conditional, Count, F, FloatField, Q, TextField, Value, When, Window
from django.db.models.functions import Concat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from .models import Case, Challenge, Document, Quote, SuccessFactor, Topic

MAX_QUERY_LENGTH = 500
CONFIG = "english"
# Highlight marks PostgreSQL puts around matched words: private-use characters, replaced by
# <mark> only after the text around them has been escaped.
START_SEL, STOP_SEL = "\ue000", "\ue001"
MARKED = re.compile(f"{START_SEL}(.*?){STOP_SEL}", re.DOTALL)
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}
SNIPPET_CHARS = 240
MAX_FALLBACK_WORDS = 6
MAX_TERMS = 24  # words and phrases of a query the SQLite word match uses

# PostgreSQL's english.stop (Snowball), so SQLite drops the words PostgreSQL ignores.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()
)
TOKEN = re.compile(r'"[^"]*"?|\S+')
WORD = re.compile(r"\w+(?:-\w+)*", re.UNICODE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def clean_query(q):
    """The query as searched: no NUL or control characters, single spaces, at most MAX_QUERY_LENGTH characters.

    Returns (query, truncated).
    """
    text = " ".join(CONTROL.sub(" ", q or "").split())
    if len(text) <= MAX_QUERY_LENGTH:
        return text, False
    cut = text[:MAX_QUERY_LENGTH]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut, True


def query_words(q):
    """The words of a query, without NUL bytes or punctuation; bounded in length."""
    return WORD.findall(clean_query(q)[0])


# --- the query language, parsed as PostgreSQL's websearch_to_tsquery reads it ---------------

@dataclass(frozen=True)
class Term:
    text: str  # a stem (single word) or a phrase, lower case
    phrase: bool = False
    negated: bool = False

    @property
    def lookup(self):
        """How SQLite matches it: a word as a substring, a phrase word after word across punctuation."""
        return "iregex" if self.phrase else "icontains"

    @property
    def pattern(self):
        return r"\W+".join(re.escape(word) for word in self.text.split()) if self.phrase else self.text


@dataclass
class ParsedQuery:
    """A disjunction of conjunctions: `a b or c -d` is [[a, b], [c, -d]] (`&` binds tighter than `or`)."""

    alternatives: list = field(default_factory=list)
    had_words: bool = False  # the query had words, even if all were stop words

    @property
    def is_empty(self):
        return not any(self.alternatives)

    @property
    def positive_terms(self):
        return [term for alternative in self.alternatives for term in alternative if not term.negated]


def stem(word):
    """A light suffix stemming, enough for a substring match to find the other forms of a word."""
    if len(word) <= 4:
        return word
    for suffix in ("ies", "ied", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def parse_query(q):
    query, _ = clean_query(q)
    parsed = ParsedQuery(alternatives=[[]])
    for token in TOKEN.findall(query):
        if token.lower() == "or":
            if parsed.alternatives[-1]:
                parsed.alternatives.append([])
            continue
        negated = token.startswith("-") and len(token) > 1
        if negated:
            token = token[1:]
        if token.startswith('"'):
            words = [word.lower() for word in WORD.findall(token)]
            parsed.had_words = parsed.had_words or bool(words)
            content = [word for word in words if word not in STOP_WORDS]
            if not content:
                continue
            if len(content) == 1:
                parsed.alternatives[-1].append(Term(stem(content[0]), negated=negated))
            else:
                parsed.alternatives[-1].append(Term(" ".join(words), phrase=True, negated=negated))
            continue
        words = [word.lower() for word in WORD.findall(token)]
        parsed.had_words = parsed.had_words or bool(words)
        for word in words:
            if word in STOP_WORDS:
                continue
            parsed.alternatives[-1].append(Term(stem(word), negated=negated))
    # Like websearch_to_tsquery, an alternative of exclusions alone still counts. Repeated terms
    # count once, and a bound on the terms keeps the SQL of the word match small.
    alternatives, budget = [], MAX_TERMS
    for alternative in parsed.alternatives:
        terms = list(dict.fromkeys(alternative))[:budget]
        budget -= len(terms)
        if terms:
            alternatives.append(terms)
    parsed.alternatives = alternatives
    return parsed


# --- what can be searched ----------------------------------------------------------------------

@dataclass(frozen=True)
class SearchKind:
    key: str
    label: str
    singular: str
    fields: tuple  # (field, weight) pairs; weight A is the strongest
    snippet_fields: tuple  # the text a snippet is cut from
    stored_vector: bool = False  # has a trigger-maintained search_vector column
    markdown: bool = False  # snippet fields hold markdown source

    def base_queryset(self):
        if self.key == "cases":
            return Case.objects.published().for_listing().defer("search_vector")
        if self.key == "quotes":
            return Quote.objects.public().select_related("source").defer("search_vector")
        if self.key == "documents":
            return Document.objects.select_related("source").defer("search_vector", "raw_text")
        return {"challenges": Challenge, "success_factors": SuccessFactor, "topics": Topic}[self.key].objects.all()

    def tiebreak(self):
        return {
            "cases": ("title", "pk"),
            "quotes": ("source_id", "start_second", "pk"),
            "documents": ("title", "pk"),
            "challenges": ("order", "name"),
            "success_factors": ("kind", "order", "name"),
            "topics": ("label",),
        }[self.key]


KINDS = (
    SearchKind("cases", "Cases", "case", (("title", "A"), ("summary", "B"), ("body", "C")), ("summary", "body"),
               stored_vector=True, markdown=True),
    SearchKind("quotes", "Quotes", "quote", (("text", "A"), ("heading_path", "D")), ("text",), stored_vector=True),
    SearchKind("documents", "Documents", "document", (("title", "A"), ("body", "C")), ("body",),
               stored_vector=True, markdown=True),
    SearchKind("challenges", "Challenges", "challenge", (("name", "A"), ("description", "B")), ("description",),
               markdown=True),
    SearchKind("success_factors", "Success factors", "success factor", (("name", "A"), ("description", "B")),
               ("description",), markdown=True),
    SearchKind("topics", "Topics", "topic", (("label", "A"),), ("label",)),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def uses_postgres():
    return connection.vendor == "postgresql"


def websearch(q):
    return SearchQuery(q, search_type="websearch", config=CONFIG)


def has_lexemes(q):
    """Whether PostgreSQL finds anything to search for in `q` (not only stop words or punctuation)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [CONFIG, q])
        return cursor.fetchone()[0] > 0


# --- matching and ranking ----------------------------------------------------------------------

def word_match(queryset, parsed, fields):
    """SQLite: filter by the parsed query and annotate a rank (title matches count most)."""
    if parsed.is_empty:
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    condition = Q()
    for alternative in parsed.alternatives:
        conjunction = Q()
        for term in alternative:
            matches = Q()
            for name, _ in fields:
                matches |= Q(**{f"{name}__{term.lookup}": term.pattern})
            conjunction &= ~matches if term.negated else matches
        condition |= conjunction
    rank = Value(0.0, output_field=FloatField())
    for term in parsed.positive_terms:
        rank = rank + Conditional(
            *[When(**{f"{name}__{term.lookup}": term.pattern}, then=Value(WEIGHTS[weight])) for name, weight in fields],
            default=Value(0.0),
            output_field=FloatField(),
        )
    return queryset.filter(condition).annotate(rank=rank)


def full_text_match(queryset, query, kind):
    """PostgreSQL: filter by the websearch query and annotate its rank."""
    if kind.stored_vector:
        vector = F("search_vector")
    else:
        vector = None
        for name, weight in kind.fields:
            part = SearchVector(name, weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
        queryset = queryset.annotate(search_vector_now=vector)
        vector = F("search_vector_now")
    return queryset.filter(**{("search_vector" if kind.stored_vector else "search_vector_now"): query}).annotate(
        rank=SearchRank(vector, query)
    )


def search_cases(cases, q):
    """Filter a Case queryset by the query `q` and annotate a `rank` (higher is better).

    A query without words leaves the cases as they are (rank 0); a query of stop words only
    matches nothing, as on PostgreSQL.
    """
    query, _ = clean_query(q)
    parsed = parse_query(query)
    if not parsed.had_words:
        return cases.annotate(rank=Value(0.0, output_field=FloatField()))
    kind = KINDS_BY_KEY["cases"]
    if uses_postgres():
        return full_text_match(cases, websearch(query), kind)
    return word_match(cases, parsed, kind.fields)


# --- snippets ------------------------------------------------------------------------------------

MARKDOWN_NOISE = [
    (re.compile(r"\[\[([^\]|]*\|)?([^\]]*)\]\]"), r"\2"),  # [[target|label]] -> label
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)?"), r"\1"),  # [text](url) -> text
    (re.compile(r"\]\([^)\s]*\)?"), ""),  # the tail of a link cut by a fragment boundary
    (re.compile(r"https?://\S+"), ""),
    (re.compile(r"(^|\s)#{1,6}\s"), r"\1"),
    (re.compile(r"[*_`>|\[\]]+"), ""),
]


def plain_text(text, markdown=False):
    if markdown:
        for pattern, replacement in MARKDOWN_NOISE:
            text = pattern.sub(replacement, text)
    return " ".join(text.split())


def marked_html(text):
    """Escape `text`, turning START_SEL…STOP_SEL spans into <mark>; stray marks are dropped."""
    parts = []
    position = 0
    for match in MARKED.finditer(text):
        parts.append(conditional_escape(text[position:match.start()].replace(START_SEL, "").replace(STOP_SEL, "")))
        inner = match.group(1).replace(START_SEL, "").replace(STOP_SEL, "")
        parts.append(format_html("<mark>{}</mark>", inner))
        position = match.end()
    parts.append(conditional_escape(text[position:].replace(START_SEL, "").replace(STOP_SEL, "")))
    return SafeString("".join(parts))


def highlight_terms(text, terms, limit=SNIPPET_CHARS):
    """A snippet of `text` around the first match of the terms, with matched words marked (SQLite)."""
    text = CONTROL.sub(" ", text)
    patterns = [r"\W+".join(re.escape(word) for word in term.text.split()) for term in terms]
    matcher = re.compile(r"\w*(?:" + "|".join(patterns) + r")\w*", re.IGNORECASE) if patterns else None
    first = matcher.search(text) if matcher else None
    start = 0
    if first and first.start() > limit // 3:
        start = text.rfind(" ", 0, first.start() - limit // 3) + 1
    end = start + limit
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    excerpt = text[start:end]
    if matcher:
        excerpt = matcher.sub(lambda match: f"{START_SEL}{match.group(0)}{STOP_SEL}", excerpt)
    return marked_html(("… " if start else "") + excerpt + (" …" if end < len(text) else ""))


def snippet_source(obj, kind):
    return plain_text(" ".join(getattr(obj, name) or "" for name in kind.snippet_fields), markdown=kind.markdown)


# --- the search page -----------------------------------------------------------------------------

@dataclass
class Hit:
    object: object
    snippet: str


@dataclass
class KindResults:
    kind: SearchKind
    count: int
    hits: list = field(default_factory=list)
    page: object = None  # a Page when one kind is shown page by page


@dataclass
class SearchResults:
    query: str = ""
    notices: list = field(default_factory=list)
    corrected_query: str = ""  # set when nothing matched and a respelt query did
    groups: list = field(default_factory=list)

    @property
    def total(self):
        return sum(group.count for group in self.groups)

    @property
    def groups_with_hits(self):
        return [group for group in self.groups if group.count]

    @property
    def fallback(self):
        return bool(self.corrected_query)


def closest_words(words):
    """PostgreSQL: the closest word of the library's vocabulary (pg_trgm similarity) to each word, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT asked.word, (SELECT known.word FROM cases_search_word AS known "
            "WHERE known.word %% asked.word ORDER BY known.word <-> asked.word, known.word LIMIT 1) "
            "FROM unnest(%s::text[]) AS asked(word)",
            [words],
        )
        return dict(cursor.fetchall())


def respelt(query):
    """The query with each unknown word replaced by the closest known one ("" if nothing changes)."""
    words = list(dict.fromkeys(
        word.lower() for word in query_words(query) if len(word) >= 3 and word.lower() not in STOP_WORDS
    ))[:MAX_FALLBACK_WORDS]
    if not words:
        return ""
    replacements = {word: known for word, known in closest_words(words).items() if known and known != word}
    if not replacements:
        return ""
    pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in replacements) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda match: replacements[match.group(0).lower()], query)


class Searcher:
    """One search over every kind: PostgreSQL full-text search or the SQLite word match."""

    def __init__(self, q):
        self.query, self.was_truncated = clean_query(q)
        self.parsed = parse_query(self.query)
        self.postgres = uses_postgres()
        if self.postgres:
            self.tsquery = websearch(self.query)
            self.searchable = self.parsed.had_words and has_lexemes(self.query)
        else:
            self.searchable = not self.parsed.is_empty

    def matching(self, kind):
        queryset = kind.base_queryset()
        if self.postgres:
            return full_text_match(queryset, self.tsquery, kind)
        return word_match(queryset, self.parsed, kind.fields)

    def ordered(self, kind):
        return self.matching(kind).order_by("-rank", *kind.tiebreak())

    def with_headlines(self, queryset, kind):
        if not self.postgres:
            return queryset
        names = kind.snippet_fields
        expression = F(names[0])
        if len(names) > 1:
            parts = [part for name in names for part in (F(name), Value(" \n "))][:-1]
            expression = Concat(*parts, output_field=TextField())
        return queryset.annotate(
            headline=SearchHeadline(
                expression, self.tsquery, config=CONFIG, start_sel=START_SEL, stop_sel=STOP_SEL,
                max_words=25, min_words=12, max_fragments=2, fragment_delimiter=" … ",
            )
        )

    def hits(self, kind, objects):
        """Hits of an already sliced queryset (PostgreSQL headlines come with the rows)."""
        if self.postgres:
            return [Hit(obj, marked_html(plain_text(obj.headline, markdown=kind.markdown))) for obj in objects]
        terms = self.parsed.positive_terms
        return [Hit(obj, highlight_terms(snippet_source(obj, kind), terms)) for obj in objects]

    def best(self, kind, per_kind):
        """The best hits of a kind and how many match in all.

        The ranking query selects only ids and a window count (narrow rows keep the window in
        memory); a second query fetches those few rows with their headlines.
        """
        ranked = list(self.ordered(kind).annotate(matches=Window(Count("pk"))).values_list("pk", "matches")[:per_kind])
        if not ranked:
            return 0, []
        ids = [pk for pk, _ in ranked]
        objects = {obj.pk: obj for obj in self.with_headlines(kind.base_queryset().filter(pk__in=ids), kind)}
        return ranked[0][1], self.hits(kind, [objects[pk] for pk in ids if pk in objects])

    def run(self, *, kind=None, page=1, per_kind=5, per_page=20):
        results = SearchResults(query=self.query)
        if self.was_truncated:
            results.notices.append(f"Your search was longer than {MAX_QUERY_LENGTH} characters; only its start was used.")
        if not self.query:
            return results
        if not self.searchable:
            results.notices.append(
                "Your search has no words to look for (only very common words such as “the” or punctuation). "
                "Try a more specific word."
            )
            return results
        self.collect(results, kind=kind, page=page, per_kind=per_kind, per_page=per_page)
        if self.postgres and not results.total:
            # Nothing matched: try the query with its misspelt words respelt from the vocabulary.
            corrected = respelt(self.query)
            if corrected:
                retry = Searcher(corrected)
                if retry.searchable:
                    results.groups = []
                    retry.collect(results, kind=kind, page=page, per_kind=per_kind, per_page=per_page)
                    results.corrected_query = corrected if results.total else ""
        return results

    def collect(self, results, *, kind, page, per_kind, per_page):
        for candidate in KINDS:
            if kind is None:
                count, hits = self.best(candidate, per_kind)
                results.groups.append(KindResults(kind=candidate, count=count, hits=hits))
                continue
            group = KindResults(kind=candidate, count=self.matching(candidate).count())
            results.groups.append(group)
            if candidate.key == kind and group.count:
                paginator = Paginator(self.with_headlines(self.ordered(candidate), candidate), per_page)
                paginator.count = group.count  # counted already
                group.page = paginator.get_page(page)
                group.hits = self.hits(candidate, group.page.object_list)


def search(q, *, kind=None, page=1, per_kind=5, per_page=20):
    """Search every kind for `q`: counts for all, the best `per_kind` hits each (or one kind page by page).

    On PostgreSQL, a search that finds nothing is retried with its misspelt words respelt
    (`corrected_query` says so).
    """
    return Searcher(q).run(kind=kind, page=page, per_kind=per_kind, per_page=per_page)
