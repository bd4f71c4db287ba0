"""Facet counts of the case browser: for every option of a facet, how many cases it would leave.

A facet counts its options among the cases all the *other* active parameters leave (its own
selection set aside), so each option's count is exactly what following its link shows.

Each facet's counts are one aggregate over a link table, grouped by the option's key as the
link row holds it (an id or a code: no join before aggregating). compute_facets sends the
aggregates of all nine facets as two UNION ALL queries (id keys, text keys), then one for
the slugs and names of the options listed: three round trips whatever the number of facets,
options or cases.

The browser's counts (compute_facets) are cached under the library version and the SQL of the
queries: any write to what they read changes the version (cases/library_version.py), so a
cached count is always the one the queries would give now; a repeated view costs two queries
(the version, the cache entry) instead of counting every link row of every published case.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case as Conditional
from django.db.models import CharField, Count, F, IntegerField, Value, When
from django.db.models.functions import Cast

from .. import library_version
from ..models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Organisation,
    Participation,
    Region,
    SuccessFactor,
    Theme,
)

FACET_LIMIT = 30  # options fetched per facet (the most frequent; selected ones always)
FACET_SHOWN = 8  # options shown before the rest fold away


@dataclass(frozen=True)
class FacetSpec:
    name: str  # the query parameter
    label: str
    key: str  # what a link row groups on: "theme_id", "country__region"; for the stage, the case's field
    links: object = None  # the link rows' model (None: the cases themselves)
    model: object = None  # the taxonomy naming the options (None: the options are `choices`)
    lookup: str = "slug"  # the model field an option's value in URLs is
    choices: tuple = ()
    distinct: bool = False  # a case may have several link rows per option
    repeatable: bool = True

    def counts(self, *, cases, selected=(), limit=None, ordered=True):
        """The aggregate: rows of (facet name, option key, case count), most cases first."""
        cases = cases.order_by()
        if self.links is None:
            rows = cases.exclude(**{self.key: ""}).values(self.key).annotate(case_count=Count("pk"))
        else:
            rows = (
                self.links.objects.filter(case_id__in=cases.values("pk"))
                .values(self.key)
                .annotate(case_count=Count("case_id", distinct=self.distinct))
            )
        rows = rows.annotate(facet=Value(self.name)).values_list("facet", self.key, "case_count")
        if not ordered:
            return rows.order_by()  # not even a model's default order: SQLite refuses one in a UNION
        ordering = ["-case_count", self.key]
        if selected and self.model is not None:
            first = self.model.objects.filter(**{f"{self.lookup}__in": self.keys(selected)}).values("pk")
            ordering.insert(
                0,
                Conditional(
                    When(**{f"{self.key}__in": first}, then=Value(0)), default=Value(1), output_field=IntegerField()
                ),
            )
        rows = rows.order_by(*ordering)
        return rows[: limit + 1] if limit is not None else rows

    @property
    def integer_keys(self):
        """Whether the keys are ids (taxonomy rows) rather than text (country codes, choices)."""
        return self.model is not None and self.lookup != "code"

    def keys(self, values):
        """URL values as the database holds them (country codes in upper case)."""
        return [value.upper() for value in values] if self.lookup == "code" else list(values)

    def names(self, keys):
        """The query naming the options `keys` (as text): rows of (facet, key, value, name)."""
        return (
            self.model.objects.filter(pk__in=list(keys))
            .annotate(facet=Value(self.name), option=Cast("pk", CharField()), value=F(self.lookup))
            .values_list("facet", "option", "value", "name")
            .order_by()
        )

    def options(self, counts, names, *, selected=(), limit=None):
        """(value, label, count) of the options, selected ones first, then most cases, then by name."""
        labels = dict(self.choices)
        rows = []
        for key, count in counts:
            if self.model is None:
                rows.append((key, labels.get(key, key), count))
            elif str(key) in names:
                value, name = names[str(key)]
                rows.append((value.lower() if self.lookup == "code" else value, name, count))
        chosen = set(selected)
        rows.sort(key=lambda row: (row[0] not in chosen, -row[2], row[1]))
        return rows[: limit + 1] if limit is not None else rows


FACETS = [
    FacetSpec("country", "Country", "country_id", Case.countries.through, Country, lookup="code"),
    FacetSpec(
        "region",
        "Region",
        "country__region",
        Case.countries.through,
        choices=tuple(Region.choices),
        distinct=True,
        repeatable=False,
    ),
    FacetSpec("theme", "Theme", "theme_id", Case.themes.through, Theme),
    FacetSpec("approach", "Approach", "approach_id", Case.approaches.through, Approach),
    FacetSpec(
        "family",
        "Approach family",
        "approach__family",
        Case.approaches.through,
        choices=tuple(Approach.Family.choices),
        distinct=True,
        repeatable=False,
    ),
    # One organisation may hold several roles in a case: count each case once.
    FacetSpec("organisation", "Organisation", "organisation_id", Participation, Organisation, distinct=True),
    FacetSpec("challenge", "Challenge", "challenge_id", CaseChallenge, Challenge),
    FacetSpec("success_factor", "Success factor", "success_factor_id", CaseSuccessFactor, SuccessFactor),
    FacetSpec("stage", "Stage", "stage", choices=tuple(Case.Stage.choices), repeatable=False),
    FacetSpec(
        "level",
        "Level of government",
        "level_of_government",
        choices=tuple(Case.LevelOfGovernment.choices),
        repeatable=False,
    ),
]
SPECS = {spec.name: spec for spec in FACETS}


def _union(querysets):
    first, *rest = querysets
    return first.union(*rest, all=True) if rest else first


def _run(specs_and_queries):
    """Run the counts of several facets at once: {facet name: [(key, count)]}.

    One UNION ALL for the facets keyed by ids, one for those keyed by text: the keys stay as
    the link rows hold them (a cast would be computed on every row before grouping).
    """
    found = {spec.name: [] for spec, _ in specs_and_queries}
    for integer_keys in (True, False):
        queries = [query for spec, query in specs_and_queries if spec.integer_keys == integer_keys]
        if queries:
            for facet, key, count in _union(queries):
                found[facet].append((key, count))
    return found


def _names(specs_and_keys):
    """Name the options of several facets at once: {facet name: {key: (value, name)}}."""
    queries = [spec.names(keys) for spec, keys in specs_and_keys if spec.model is not None and keys]
    found = {spec.name: {} for spec, _ in specs_and_keys}
    if queries:
        for facet, key, value, name in _union(queries):
            found[facet][key] = (value, name)
    return found


def _ordered_in_compound():
    # SQLite refuses ORDER BY and LIMIT inside a UNION: there the facets come whole and are cut here.
    return connection.features.supports_slicing_ordering_in_compound


def count_options(name, *, cases, selected=(), limit=None):
    """(value, label, count) per option of facet `name` among `cases`, options no case has left out.

    `selected` (values as in URLs) come first, so a limit never drops them; `limit` options are
    returned, and one more if there are more.
    """
    spec = SPECS[name]
    counts = _run([(spec, spec.counts(cases=cases, selected=selected, limit=limit))])[name]
    names = _names([(spec, [key for key, _ in counts])])[name]
    return spec.options(counts, names, selected=selected, limit=limit)


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    # Unselected: the page with only this option in its facet (the set `count` counts); selected:
    # the page without it. The browser's controls add to a facet's selection instead.
    query: str


@dataclass
class Facet:
    name: str
    label: str
    repeatable: bool
    options: list = field(default_factory=list)
    more: bool = False  # options beyond FACET_LIMIT exist and are not listed
    shown: int = FACET_SHOWN
    all_options: list = None  # (value, label, count) of every option, for a facet counted whole

    @property
    def visible(self):
        return self.options[: self.shown]

    @property
    def folded(self):
        return self.options[self.shown :]

    @property
    def selected(self):
        return [option for option in self.options if option.selected]


def compute_facets(
    *, filterset, limit=FACET_LIMIT, shown=FACET_SHOWN, specs=FACETS, whole=(), version=None, cached=True
):
    """Every facet of a valid CaseFilter with its options' counts: three queries in all.

    `version`: the library version (library_version.current()) when the caller has read it
    already; None reads it (one more query). `cached=False` counts without the cache (a caller
    that caches what it builds from the counts under the same version: the case browser's
    panels), sparing the cache key's SQL, the cache read and the write.

    The facets named in `whole` count every option, not only the `limit` most frequent (the world
    map shades every country): their Facet's `all_options` holds (value, label, count) of each,
    from the same queries; the options listed are cut to `limit` as for the others.
    """
    ordered = _ordered_in_compound()
    every_filter = filterset.cases_without("sort")  # what a facet with nothing selected counts among
    queries = [
        (
            spec,
            spec.counts(
                cases=filterset.cases_without(spec.name) if filterset.selected(spec.name) else every_filter,
                selected=filterset.selected(spec.name),
                limit=None if spec.name in whole else limit,
                ordered=ordered,
            ),
        )
        for spec in specs
    ]
    counts, names = _counted(queries, version=version) if cached else _uncached(queries)
    facets = []
    for spec in specs:
        selected = filterset.selected(spec.name)
        all_rows = None
        if spec.name in whole:
            all_rows = spec.options(counts[spec.name], names[spec.name], selected=selected)
            rows = all_rows[: limit + 1] if limit is not None else all_rows
        else:
            rows = spec.options(counts[spec.name], names[spec.name], selected=selected, limit=limit)
        more = limit is not None and len(rows) > limit
        facet = Facet(spec.name, spec.label, spec.repeatable, more=more, shown=max(shown, len(selected)))
        facet.all_options = all_rows
        listed = set()
        for value, label, count in rows[:limit]:
            listed.add(value)
            facet.options.append(_option(filterset, spec.name, value, label, count, selected))
        # A selected option no remaining case has: shown (greyed, 0) so it can be removed.
        labels = filterset.selected_labels(spec.name)
        facet.options[:0] = [
            _option(filterset, spec.name, value, labels.get(value, value), 0, selected)
            for value in selected
            if value not in listed
        ]
        facets.append(facet)
    return facets


def _sql_or_empty(query, digests=None):
    """A query's SQL and parameters for the cache key; a query that cannot match (over `none()`,
    as the case browser's search of stop words only gives) has none: Django raises EmptyResultSet.

    A list parameter (a search's matching ids, thousands of them, the same list object in every
    facet's query) is given by its digest, computed once per list object in `digests`."""
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:
        return "EMPTY"
    digests = {} if digests is None else digests
    keyed = []
    for param in params:
        if isinstance(param, list):
            if id(param) not in digests:
                digests[id(param)] = (param, hashlib.sha256(repr(param).encode()).hexdigest())
            param = ("list", digests[id(param)][1])
        keyed.append(param)
    return sql, keyed


def _counted(queries, *, version=None):
    """({facet: [(key, count)]}, {facet: {key: (value, name)}}) of the (spec, query) pairs, from the
    cache when the library has not changed since the same queries were counted."""
    digests = {}  # holds the lists too, so that no id() is reused while keying
    parts = [(spec.name, _sql_or_empty(query, digests)) for spec, query in queries]
    return library_version.cached("facets", parts, lambda: _uncached(queries), version=version, using=connection.alias)


def _uncached(queries):
    counts = _run(queries)
    names = _names([(spec, [option for option, _ in counts[spec.name]]) for spec, _ in queries])
    return (
        {spec.name: counts[spec.name] for spec, _ in queries},
        {spec.name: names[spec.name] for spec, _ in queries},
    )


def _option(filterset, name, value, label, count, selected):
    is_selected = value in selected
    if is_selected:
        values = [other for other in selected if other != value]
    else:
        values = [value]
    return Option(value, label, count, is_selected, filterset.querystring(**{name: values}))
