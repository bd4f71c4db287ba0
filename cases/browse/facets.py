"""Facet counts of the case browser: for every option of a facet, how many cases it would leave.

A facet counts its options among the cases all the *other* active parameters leave (its own
selection set aside), so each option's count is exactly what following its link shows.

The counts are set operations on the library's bitmaps (cases/browse/case_index.py): the cases
the parameters leave are the intersection of each parameter's cases (CaseFilter.case_ids), and an
option's count is the cardinality of its cases within them. Their cost follows the number of
options, not of cases; the index is built once per library version (a write changes the version
in its transaction), so a count is never stale.
"""

from dataclasses import dataclass, field

from pyroaring import BitMap

from . import case_index

FACET_LIMIT = 30  # options listed per facet (the most frequent; selected ones always)
FACET_SHOWN = 8  # options shown before the rest fold away


@dataclass(frozen=True)
class FacetSpec:
    name: str  # the query parameter, and the facet's name in the index (case_index.SOURCES)
    label: str
    repeatable: bool = True

    def options(self, counts, *, selected=(), limit=None):
        """(value, label, count) of `counts`' options, selected ones first, then most cases, then
        by name; `limit` of them, and one more if there are more."""
        chosen = set(selected)
        rows = sorted(counts, key=lambda row: (row[0] not in chosen, -row[2], row[1]))
        return rows[: limit + 1] if limit is not None else rows


FACETS = [
    FacetSpec("country", "Country"),
    FacetSpec("region", "Region", repeatable=False),
    FacetSpec("theme", "Theme"),
    FacetSpec("approach", "Approach"),
    FacetSpec("family", "Approach family", repeatable=False),
    FacetSpec("organisation", "Organisation"),
    FacetSpec("challenge", "Challenge"),
    FacetSpec("success_factor", "Success factor"),
    FacetSpec("stage", "Stage", repeatable=False),
    FacetSpec("level", "Level of government", repeatable=False),
]
SPECS = {spec.name: spec for spec in FACETS}


def count_options(name, *, cases=None, selected=(), limit=None, index=None):
    """(value, label, count) per option of facet `name` among the published `cases` (a queryset:
    one query for its ids; None: every published case), options no case has left out.

    `selected` (values as in URLs) come first, so a limit never drops them; `limit` options are
    returned, and one more if there are more. `index`: the CaseIndex when the caller holds it
    (None: case_index.current(), one query while the library is unchanged).
    """
    if index is None:
        index = case_index.current()
    among = index.published if cases is None else index.published & BitMap(cases.values_list("pk", flat=True))
    return SPECS[name].options(index.counts(name, among), selected=selected, limit=limit)


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    filterset: object = field(repr=False, compare=False)  # the page's CaseFilter
    facet: str = ""  # the option's facet (its query parameter)
    facet_selected: tuple = ()  # the values selected in that facet

    @property
    def query(self):
        """Unselected: the page with only this option in its facet (the set `count` counts);
        selected: the page without it. Built on demand: the browser's controls are form inputs
        that add to a facet's selection, not links, so a page builds none."""
        if self.selected:
            values = [other for other in self.facet_selected if other != self.value]
        else:
            values = [self.value]
        return self.filterset.querystring(**{self.facet: values})


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
    *, filterset, limit=FACET_LIMIT, shown=FACET_SHOWN, specs=FACETS, whole=(), version=None, index=None
):
    """Every facet of a valid CaseFilter with its options' counts.

    `index`: the CaseIndex when the caller holds it; else `version`, the library version
    (library_version.current()) when the caller has read it already; None reads it (one query).
    The index itself costs no query while the library is unchanged.

    The facets named in `whole` count every option, not only the `limit` most frequent (the world
    map shades every country): their Facet's `all_options` holds (value, label, count) of each;
    the options listed are cut to `limit` as for the others.
    """
    if index is None:
        index = case_index.current(version=version)
    every_filter = filterset.case_ids(index)  # what a facet with nothing selected counts among
    facets = []
    for spec in specs:
        selected = filterset.selected(spec.name)
        among = filterset.case_ids(index, without=spec.name) if selected else every_filter
        all_rows = spec.options(index.counts(spec.name, among), selected=selected)
        rows = all_rows[: limit + 1] if limit is not None else all_rows
        more = limit is not None and len(rows) > limit
        facet = Facet(spec.name, spec.label, spec.repeatable, more=more, shown=max(shown, len(selected)))
        facet.all_options = all_rows if spec.name in whole else None
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


def _option(filterset, name, value, label, count, selected):
    return Option(value, label, count, value in selected, filterset, name, tuple(selected))
