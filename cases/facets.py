"""Facet counts of the case browser: for every option of a facet, how many cases it would leave.

A facet counts its options among the cases all the *other* active parameters leave (its own
selection set aside), so each option's count is exactly what following its link shows. Each
count_* function is one aggregate query over a link table, whatever the number of options.
"""
from dataclasses import dataclass, field

from django.db.models import Case as Conditional, Count, IntegerField, Value, When

from .models import Approach, Case, CaseChallenge, CaseSuccessFactor, Participation, Region

FACET_LIMIT = 30  # options fetched per facet (the most frequent; selected ones always)
FACET_SHOWN = 8  # options shown before the rest fold away


def _count_links(*, links, cases, value, label=None, distinct=False, selected=(), limit=None):
    """(value, label, count) per option of a link table, among `cases`; most cases first.

    `value`/`label` are lookups from the link row (e.g. "theme__slug"). Options no case has
    are left out; options in `selected` come first so a limit never drops them.
    """
    rows = (
        links.filter(case_id__in=cases.order_by().values("pk"))
        .values(*([value, label] if label else [value]))
        .annotate(case_count=Count("case_id", distinct=distinct))
    )
    ordering = ["-case_count", label or value]
    if selected:
        first = Conditional(When(**{f"{value}__in": list(selected)}, then=Value(0)), default=Value(1),
                            output_field=IntegerField())
        ordering.insert(0, first)
    rows = rows.order_by(*ordering)
    if limit is not None:
        rows = rows[: limit + 1]
    return [(row[value], row[label] if label else row[value], row["case_count"]) for row in rows]


def _lower(rows):
    return [(value.lower(), label, count) for value, label, count in rows]


def _upper(values):
    return [value.upper() for value in values]


def count_countries(*, cases, selected=(), limit=None):
    return _lower(_count_links(
        links=Case.countries.through.objects, cases=cases, value="country__code", label="country__name",
        selected=_upper(selected), limit=limit,
    ))


def count_regions(*, cases, selected=(), limit=None):
    labels = dict(Region.choices)
    rows = _count_links(
        links=Case.countries.through.objects, cases=cases, value="country__region", distinct=True, selected=selected,
    )
    return [(value, labels.get(value, value), count) for value, _, count in rows]


def count_themes(*, cases, selected=(), limit=None):
    return _count_links(
        links=Case.themes.through.objects, cases=cases, value="theme__slug", label="theme__name",
        selected=selected, limit=limit,
    )


def count_approaches(*, cases, selected=(), limit=None):
    return _count_links(
        links=Case.approaches.through.objects, cases=cases, value="approach__slug", label="approach__name",
        selected=selected, limit=limit,
    )


def count_families(*, cases, selected=(), limit=None):
    labels = dict(Approach.Family.choices)
    rows = _count_links(
        links=Case.approaches.through.objects, cases=cases, value="approach__family", distinct=True,
        selected=selected,
    )
    return [(value, labels.get(value, value), count) for value, _, count in rows]


def count_organisations(*, cases, selected=(), limit=None):
    # One organisation may hold several roles in a case: count each case once.
    return _count_links(
        links=Participation.objects, cases=cases, value="organisation__slug", label="organisation__name",
        distinct=True, selected=selected, limit=limit,
    )


def count_challenges(*, cases, selected=(), limit=None):
    return _count_links(
        links=CaseChallenge.objects, cases=cases, value="challenge__slug", label="challenge__name",
        selected=selected, limit=limit,
    )


def count_success_factors(*, cases, selected=(), limit=None):
    return _count_links(
        links=CaseSuccessFactor.objects, cases=cases, value="success_factor__slug", label="success_factor__name",
        selected=selected, limit=limit,
    )


def count_stages(*, cases, selected=(), limit=None):
    labels = dict(Case.Stage.choices)
    rows = cases.exclude(stage="").values("stage").annotate(case_count=Count("pk")).order_by("-case_count", "stage")
    return [(row["stage"], labels.get(row["stage"], row["stage"]), row["case_count"]) for row in rows]


@dataclass(frozen=True)
class FacetSpec:
    name: str  # the query parameter
    label: str
    count: object  # one of the count_* functions
    repeatable: bool = True


FACETS = [
    FacetSpec("country", "Country", count_countries),
    FacetSpec("region", "Region", count_regions, repeatable=False),
    FacetSpec("theme", "Theme", count_themes),
    FacetSpec("approach", "Approach", count_approaches),
    FacetSpec("family", "Approach family", count_families, repeatable=False),
    FacetSpec("organisation", "Organisation", count_organisations),
    FacetSpec("challenge", "Challenge", count_challenges),
    FacetSpec("success_factor", "Success factor", count_success_factors),
    FacetSpec("stage", "Stage", count_stages, repeatable=False),
]


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    query: str  # unselected: the page with only this option in its facet; selected: without it


@dataclass
class Facet:
    name: str
    label: str
    repeatable: bool
    options: list = field(default_factory=list)
    more: bool = False  # options beyond FACET_LIMIT exist and are not listed
    shown: int = FACET_SHOWN

    @property
    def visible(self):
        return self.options[: self.shown]

    @property
    def folded(self):
        return self.options[self.shown :]

    @property
    def selected(self):
        return [option for option in self.options if option.selected]


def compute_facets(*, filterset, limit=FACET_LIMIT, shown=FACET_SHOWN, specs=FACETS):
    """Every facet of a valid CaseFilter with its options' counts: one query per facet."""
    facets = []
    for spec in specs:
        selected = filterset.selected(spec.name)
        labels = filterset.selected_labels(spec.name)
        rows = spec.count(cases=filterset.cases_without(spec.name), selected=selected, limit=limit)
        more = limit is not None and len(rows) > limit
        facet = Facet(spec.name, spec.label, spec.repeatable, more=more, shown=max(shown, len(selected)))
        listed = set()
        for value, label, count in rows[:limit]:
            listed.add(value)
            facet.options.append(_option(filterset, spec.name, value, label, count, selected))
        # A selected option no remaining case has: shown (greyed, 0) so it can be removed.
        facet.options[:0] = [
            _option(filterset, spec.name, value, labels.get(value, value), 0, selected)
            for value in selected if value not in listed
        ]
        facets.append(facet)
    return facets


def _option(filterset, name, value, label, count, selected):
    is_selected = value in selected
    if is_selected:
        values = [other for other in selected if other != value]
    else:
        values = [value]
    return Option(value, label, count, is_selected, filterset.querystring(**{name: values}))
