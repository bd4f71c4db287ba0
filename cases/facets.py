"""Facet counts of the case browser: for every option of a facet, how many cases it would leave.

A facet counts its options among the cases all the *other* active parameters leave (its own
selection set aside), so each option's count is exactly what following its link shows. A
count_* function is one aggregate query over a link table, grouped by the option's key (the
integer or code in the link row: no join before aggregating), and, for the options listed,
one query for their slugs and names: two queries whatever the number of options.
"""
from dataclasses import dataclass, field

from django.db.models import Case as Conditional, Count, IntegerField, Value, When

from .models import (
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


def _counts(*, links, cases, key, distinct=False, first=None, limit=None):
    """[(key, count)] of a link table among `cases`, most cases first; keys in `first` lead."""
    rows = (
        links.filter(case_id__in=cases.order_by().values("pk"))
        .values(key)
        .annotate(case_count=Count("case_id", distinct=distinct))
    )
    ordering = ["-case_count", key]
    if first is not None:
        ordering.insert(0, Conditional(When(**{f"{key}__in": first}, then=Value(0)), default=Value(1),
                                       output_field=IntegerField()))
    rows = rows.order_by(*ordering)
    if limit is not None:
        rows = rows[: limit + 1]
    return [(row[key], row["case_count"]) for row in rows]


def _count_terms(*, links, key, model, lookup="slug", cases, selected=(), limit=None, distinct=False):
    """(value, name, count) per option of a taxonomy `model` linked through `links`.

    `selected` are values of `lookup` (slugs, or codes); they come first so a limit keeps them.
    Options no case has are left out.
    """
    first = model.objects.filter(**{f"{lookup}__in": list(selected)}).values("pk") if selected else None
    counts = _counts(links=links, cases=cases, key=key, distinct=distinct, first=first, limit=limit)
    if not counts:
        return []
    names = {pk: (value, name) for pk, value, name in model.objects.filter(
        pk__in=[pk for pk, _ in counts]).order_by().values_list("pk", lookup, "name")}
    rows = [(*names[pk], count) for pk, count in counts]
    # Ties in name order (the query could only break them by key); selected ones stay first.
    chosen = set(selected)
    return sorted(rows, key=lambda row: (row[0] not in chosen, -row[2], row[1]))


def _count_choices(*, links, key, choices, cases, selected=()):
    """(value, label, count) per value of a choice field reached through `links` (a region, a family)."""
    labels = dict(choices)
    counts = _counts(links=links, cases=cases, key=key, distinct=True)
    rows = [(value, labels.get(value, value), count) for value, count in counts]
    return sorted(rows, key=lambda row: (-row[2], row[1]))


def count_countries(*, cases, selected=(), limit=None):
    rows = _count_terms(
        links=Case.countries.through.objects, key="country_id", model=Country, lookup="code", cases=cases,
        selected=[value.upper() for value in selected], limit=limit,
    )
    return [(code.lower(), name, count) for code, name, count in rows]


def count_regions(*, cases, selected=(), limit=None):
    return _count_choices(
        links=Case.countries.through.objects, key="country__region", choices=Region.choices, cases=cases,
    )


def count_themes(*, cases, selected=(), limit=None):
    return _count_terms(links=Case.themes.through.objects, key="theme_id", model=Theme, cases=cases,
                        selected=selected, limit=limit)


def count_approaches(*, cases, selected=(), limit=None):
    return _count_terms(links=Case.approaches.through.objects, key="approach_id", model=Approach, cases=cases,
                        selected=selected, limit=limit)


def count_families(*, cases, selected=(), limit=None):
    return _count_choices(
        links=Case.approaches.through.objects, key="approach__family", choices=Approach.Family.choices, cases=cases,
    )


def count_organisations(*, cases, selected=(), limit=None):
    # One organisation may hold several roles in a case: count each case once.
    return _count_terms(links=Participation.objects, key="organisation_id", model=Organisation, cases=cases,
                        selected=selected, limit=limit, distinct=True)


def count_challenges(*, cases, selected=(), limit=None):
    return _count_terms(links=CaseChallenge.objects, key="challenge_id", model=Challenge, cases=cases,
                        selected=selected, limit=limit)


def count_success_factors(*, cases, selected=(), limit=None):
    return _count_terms(links=CaseSuccessFactor.objects, key="success_factor_id", model=SuccessFactor,
                        cases=cases, selected=selected, limit=limit)


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
