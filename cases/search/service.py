"""The search page's search over every kind, and the case browser's `q`: results, counts, notices, suggestions."""

import json
import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import F, FloatField, Lookup, Value
from django.db.models.expressions import Expression, RawSQL

from ..models import (
    Approach,
    Case,
    Challenge,
    Country,
    Document,
    Organisation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
    Topic,
)
from . import engine, schema
from .query import MAX_QUERY_LENGTH, clean_query, parse_query
from .snippets import Matcher, snippet
from .suggest import respelt
from .text import WORD, fold

STOP_WORDS_NOTICE = (
    "Your search has no words to look for (only very common words such as “the” or punctuation). "
    "Try a more specific word."
)
EXCLUSIONS_NOTICE = "A search of excluded words alone (“-word”) finds nothing: add a word to look for."


@dataclass(frozen=True)
class SearchKind:
    key: str
    label: str
    singular: str
    index: str  # the kind's name in schema.KINDS
    title_field: str
    snippet_fields: tuple = ()  # the text a snippet is cut from
    markdown: bool = False  # snippet fields hold markdown source

    @property
    def code(self):
        return schema.KINDS_BY_NAME[self.index].code

    def queryset(self):
        """What a hit of this kind shows, without a query per hit."""
        if self.key == "cases":
            return Case.objects.published().for_listing()
        if self.key == "quotes":
            return Quote.objects.all().select_related("source")
        if self.key == "documents":
            return Document.objects.select_related("source").defer("raw_text")
        if self.key in PUBLIC_TERMS:
            # Only a term a published case links to has a page, and only those are indexed
            # (schema.PUBLISHED_ONLY_TERMS); the filter holds for one unpublished since the ranking.
            return MODELS[self.key].objects.public()
        return MODELS[self.key].objects.all()


MODELS = {
    "sources": Source,
    "topics": Topic,
    "countries": Country,
    "organisations": Organisation,
    "themes": Theme,
    "approaches": Approach,
    "challenges": Challenge,
    "success_factors": SuccessFactor,
}

PUBLIC_TERMS = ("organisations", "themes", "approaches")  # their pages 404 without a published case

KINDS = (
    SearchKind("cases", "Cases", "case", "case", "title", ("summary", "body"), markdown=True),
    SearchKind("quotes", "Quotes", "quote", "quote", "", ("text",)),
    SearchKind("documents", "Documents", "document", "document", "title", ("body",), markdown=True),
    SearchKind("sources", "Videos and reports", "source", "source", "title", ("publisher", "channel")),
    SearchKind("countries", "Countries", "country", "country", "name"),
    SearchKind("organisations", "Organisations", "organisation", "organisation", "name"),
    SearchKind("themes", "Themes", "theme", "theme", "name", ("description",)),
    SearchKind("approaches", "Approaches", "approach", "approach", "name", ("description",)),
    SearchKind("challenges", "Challenges", "challenge", "challenge", "name", ("description",), markdown=True),
    SearchKind(
        "success_factors",
        "Success factors",
        "success factor",
        "success_factor",
        "name",
        ("description",),
        markdown=True,
    ),
    SearchKind("topics", "Topics", "topic", "topic", "label"),
)
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


EXACTLY_RANKED = 100  # the best cases a search ranks one by one; the others follow by the page's tie-break


def search_cases(cases, q, *, case_scores=None):
    """Filter a Case queryset by the query `q` and annotate a `rank` (higher is better).

    A case matches through its title, summary, body and the names of what it links to (countries
    with their codes, organisations, themes, approaches, challenges, success factors). A query
    without words leaves the cases as they are (rank 0); one of stop words only matches nothing.
    The EXACTLY_RANKED first cases (engine.py's order: title and name matches ranked, then body
    matches newest first) have decreasing ranks, the others rank 0. Runs the match at once unless
    `case_scores`, matching_case_scores(q), is given: a page filtering the same search many times,
    as the case browser's facets do, matches once. The matching ids reach the database as ONE
    parameter (an array on PostgreSQL, a JSON list on SQLite), so a facet's query never matches
    the text again.
    """
    parsed = parse_query(q)
    if not parsed.had_words:
        return cases.annotate(rank=Value(0.0, output_field=FloatField()))
    if parsed.is_empty:
        return cases.none().annotate(rank=Value(0.0, output_field=FloatField()))
    scored = case_scores if case_scores is not None else matching_case_scores(q)
    best = [(pk, score) for pk, score in scored[:EXACTLY_RANKED] if score]
    rank = Value(0.0, output_field=FloatField())
    if best:
        rank = RankAmong(F("pk"), [(pk, float(len(best) - position)) for position, (pk, _) in enumerate(best)])
    return cases.filter(AmongIds(F("pk"), [pk for pk, _ in scored])).annotate(rank=rank)


class RankAmong(Expression):
    """`CASE lhs WHEN id THEN rank … ELSE 0 END` (a float) for `ranks`, [(id, rank)].

    The same SQL a Case() of one When(pk=…) per id gives, as ONE expression: Django resolves,
    clones and relabels a Case's Whens (each a filter of its own) every time the queryset is
    filtered or used as a subquery, which cost the case browser thousands of copies per search."""

    def __init__(self, lhs, ranks):
        super().__init__(output_field=FloatField())
        self.lhs = lhs
        self.ranks = tuple((int(pk), float(rank)) for pk, rank in ranks)

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, expressions):
        (self.lhs,) = expressions

    def as_sql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        whens = " ".join("WHEN %s THEN %s" for _ in self.ranks)
        sql = f"CASE {lhs} {whens} ELSE %s END"
        params = [*params, *(value for pair in self.ranks for value in pair), 0.0]
        return connection.ops.unification_cast_sql(self.output_field) % sql, params


def among_ids_sql(column, ids, vendor):
    """(SQL, parameters) testing that the SQL `column` is one of the integers `ids`, passed as ONE
    parameter: `= ANY(%s::bigint[])` on PostgreSQL (a hashed array lookup), `IN (SELECT value FROM
    json_each(%s))` on SQLite (`ids` as JSON text there). An IN list of hundreds of ids, repeated in
    every query a page runs, cost more Python than the rows it read."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [ids]
    return f"{column} IN (SELECT value FROM json_each(%s))", [ids if isinstance(ids, str) else json.dumps(ids)]


class AmongIds(Lookup):
    """`lhs` is one of the integers `rhs`, passed as ONE parameter (among_ids_sql). A filter
    expression, `.filter(AmongIds(F("pk"), ids))`, so a facet's subquery gets its own alias."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def __init__(self, lhs, rhs):
        # Converted once: a page may compile the lookup several times (its cases, a suggestion's
        # retry, an export's chunks), and every compile passes this same list object.
        super().__init__(lhs, [int(pk) for pk in rhs])
        self._json = None

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = self.rhs
        if connection.vendor != "postgresql":
            if self._json is None:
                self._json = json.dumps(self.rhs)
            ids = self._json
        sql, ids_params = among_ids_sql(lhs, ids, connection.vendor)
        return sql, [*params, *ids_params]


def matching_case_scores(q):
    """[(case id, score)] of the published cases matching `q`, best first; [] when `q` has nothing
    to look for. The EXACTLY_RANKED first have decreasing positive scores in engine.py's order,
    the others score 0 (two queries: the first cases with the count, then, if there are more, every
    match unordered)."""
    parsed = parse_query(q)
    if parsed.is_empty:
        return []
    code = schema.KINDS_BY_NAME["case"].code
    best, count = engine.best_ids(parsed, code, EXACTLY_RANKED)
    if count <= len(best):
        others = []
    else:
        ranked = set(best)
        others = [(pk, 0.0) for pk in sorted(engine.matching_ids(parsed, code)) if pk not in ranked]
    return [(pk, float(len(best) - position)) for position, pk in enumerate(best)] + others


def matching_ids(kind, q):
    """The keys of the indexed items of `kind` (a name of schema.KINDS: "case", "quote", …) that
    match `q`, as a subquery for `pk__in` (RawSQL, no query until used); None when `q` has nothing
    to look for. Only what the index holds is found: published cases, every quote and document."""
    parsed = parse_query(q)
    if parsed.is_empty:
        return None
    return RawSQL(engine.ids_sql(schema.KINDS_BY_NAME[kind].code), [engine.expression(parsed)])


def query_notices(q):
    """What a search box says about a query that cannot find anything as typed (stop words only,
    exclusions only), [] otherwise."""
    parsed = parse_query(q)
    if parsed.had_words and parsed.is_empty:
        return [EXCLUSIONS_NOTICE if parsed.only_exclusions else STOP_WORDS_NOTICE]
    return []


def corrected_query(query):
    """The query with each misspelt word replaced by the closest known word, or "" when none is.

    Only published content is known (see suggest.py)."""
    corrections = respelt(WORD.findall(fold(query)))
    if not corrections:
        return ""
    pattern = re.compile(r"[^\W_]+")
    return pattern.sub(lambda match: corrections.get(fold(match.group(0)), match.group(0)), query)


# --- the search page ---------------------------------------------------------------------------------


@dataclass
class Hit:
    object: object
    title: str
    snippet: str


@dataclass
class KindResults:
    kind: SearchKind
    count: int
    hits: list = field(default_factory=list)
    page: object = None  # a Page when one kind is shown page by page

    @property
    def is_capped(self):
        """Counts stop at engine.COUNT_CAP: above it the count is COUNT_CAP + 1, "more than"."""
        return self.count > engine.COUNT_CAP

    @property
    def cap_text(self):
        return f"{engine.COUNT_CAP:,}"

    @property
    def count_text(self):
        """The count as shown: "12", or "more than 1,000" above engine.COUNT_CAP."""
        return f"more than {self.cap_text}" if self.is_capped else str(self.count)


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
    def total_text(self):
        """The total as shown: "12", or "more than N" when a kind's count is capped."""
        if any(group.is_capped for group in self.groups):
            return f"more than {sum(min(group.count, engine.COUNT_CAP) for group in self.groups):,}"
        return str(self.total)

    @property
    def groups_with_hits(self):
        return [group for group in self.groups if group.count]

    @property
    def fallback(self):
        return bool(self.corrected_query)


class KindHits:
    """The hits of one kind as a sequence a Paginator slices: a page costs one ranked query of keys
    and one query of the objects."""

    def __init__(self, searcher, kind, count):
        self.searcher, self.kind, self.count = searcher, kind, count

    def __len__(self):
        return min(self.count, engine.COUNT_CAP)  # a capped kind is paged through its first COUNT_CAP

    def __getitem__(self, window):
        keys = engine.page_of_kind(self.searcher.parsed, self.kind.code, window.start, window.stop - window.start)
        return self.searcher.hits(self.kind, keys)


class Searcher:
    """One search over every kind."""

    def __init__(self, q):
        self.query, self.was_truncated = clean_query(q)
        self.parsed = parse_query(self.query)
        self.matcher = Matcher({word for term in self.parsed.positive_terms for word in term.words})

    def hits(self, kind, keys):
        """Hits for object keys, in their order (objects gone since the ranking are skipped)."""
        objects = kind.queryset().in_bulk(keys)
        found = []
        for key in keys:
            obj = objects.get(key)
            if obj is None:
                continue
            text = " ".join(getattr(obj, name) or "" for name in kind.snippet_fields)
            title = getattr(obj, kind.title_field) if kind.title_field else ""
            found.append(Hit(obj, title, snippet(text, self.matcher, markdown=kind.markdown) if text else ""))
        return found

    def collect(self, results, *, kind, page, per_kind, per_page):
        if kind is None:
            best = engine.best_of_each_kind(self.parsed, per_kind)
            for candidate in KINDS:
                count, keys = best.get(candidate.code, (0, []))
                results.groups.append(KindResults(candidate, count, self.hits(candidate, keys) if keys else []))
            return
        counts = engine.counts(self.parsed)
        for candidate in KINDS:
            group = KindResults(candidate, counts.get(candidate.code, 0))
            results.groups.append(group)
            if candidate.key == kind and group.count:
                group.page = Paginator(KindHits(self, candidate, group.count), per_page).get_page(page)
                group.hits = list(group.page.object_list)

    def run(self, *, kind=None, page=1, per_kind=5, per_page=20):
        results = SearchResults(query=self.query)
        if self.was_truncated:
            results.notices.append(
                f"Your search was longer than {MAX_QUERY_LENGTH} characters; only its start was used."
            )
        if not self.query:
            return results
        notices = query_notices(self.query)
        if notices or self.parsed.is_empty:
            results.notices += notices
            return results
        self.collect(results, kind=kind, page=page, per_kind=per_kind, per_page=per_page)
        if not results.total:
            # Nothing matched: try the query with its misspelt words respelt from the vocabulary.
            corrected = corrected_query(self.query)
            if corrected and corrected != self.query:
                retry = Searcher(corrected)
                if not retry.parsed.is_empty:
                    retry_results = SearchResults(query=self.query)
                    retry.collect(retry_results, kind=kind, page=page, per_kind=per_kind, per_page=per_page)
                    if retry_results.total:
                        results.groups = retry_results.groups
                        results.corrected_query = corrected
        return results


def search(q, *, kind=None, page=1, per_kind=5, per_page=20):
    """Search every kind for `q`: counts for all, the best `per_kind` hits each (or one kind page by page).

    A search that finds nothing is retried with its misspelt words respelt from the published
    vocabulary (`corrected_query` says so). Returns a SearchResults.
    """
    return Searcher(q).run(kind=kind, page=page, per_kind=per_kind, per_page=per_page)
