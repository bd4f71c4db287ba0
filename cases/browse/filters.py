"""The case browser's filters: design.md's query parameters, reusable by any page that lists cases.

Parameters marked * repeat: `country`* (ISO2), `region`, `theme`*, `approach`*, `family`,
`organisation`*, `challenge`*, `success_factor`* (slugs), `stage`, `level` (of government),
`year_from`, `year_to`, `q`,
`sort`. Values of one parameter combine with OR, parameters with AND.

Bad input, one rule for every parameter:
- A malformed value (not of the parameter's type: `year_from=abc`, `sort=bogus`,
  `stage=someday`, `region=mars`, `country=zzz`, `theme=Not A Slug`, a NUL byte in `q`) makes
  the form invalid: the page answers 400 and shows the error next to the field.
- A well-formed value that names nothing (`country=zz`, `theme=no-such-theme`), a value past a
  limit (more than MAX_VALUES values of one parameter, a `q` longer than the search takes) or
  a single-valued parameter given twice is ignored or cut, and the page says so in a notice
  ("Unknown country 'zz' ignored."): a shared link keeps working after a term is renamed.
"""

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import F
from django.utils.functional import SimpleLazyObject
from django_filters.constants import EMPTY_VALUES
from pyroaring import BitMap

from ..models import Approach, Case, Challenge, Country, Organisation, Region, SuccessFactor, Theme
from ..numbers import WholeNumberField
from ..search import MAX_QUERY_LENGTH, clean_query, matching_case_scores, parse_query, query_notices, search_cases
from ..search.service import EXACTLY_RANKED, AmongIds
from ..slugs import SLUG

MAX_VALUES = 20  # values of one repeatable parameter that are used
MAX_SHOWN_VALUE = 40  # characters of a rejected value repeated back in a message
ISO2 = re.compile(r"^[a-zA-Z]{2}$")

SORTS = {
    "relevance": ("Relevance", ("-rank", "title", "slug")),
    "title": ("Title", ("title", "slug")),
    "-year": ("Newest first", (F("start_year").desc(nulls_last=True), "title", "slug")),
    "year": ("Oldest first", (F("start_year").asc(nulls_last=True), "title", "slug")),
    "-updated": ("Recently updated", ("-updated_at", "slug")),
}


@lru_cache(maxsize=4096)
def encoded_pair(name, value):
    """ "name=value" URL-encoded: the map links each of some 200 countries, every page the same pairs."""
    return urlencode([(name, value)])


def shown(value):
    """A user's value, short enough to repeat back in a message. Not Truncator: it does not count
    combining marks, so a value made of them would be repeated back whole."""
    return value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"


@dataclass(frozen=True)
class Term:
    value: str  # as it appears in URLs (country codes in lower case)
    pk: object
    label: str


@dataclass(frozen=True)
class Terms:
    """The values given for a repeatable parameter: the terms they name, and what was ignored."""

    known: tuple = ()
    unknown: tuple = ()
    dropped: int = 0  # values past MAX_VALUES

    @property
    def values(self):
        return [term.value for term in self.known]


class TermsField(forms.Field):
    """A repeatable parameter naming rows of `model` by `lookup` (a slug or a country code).

    Cleans to a Terms in one query; malformed values are a validation error, unknown ones
    are kept aside for the notice.
    """

    widget = forms.MultipleHiddenInput

    def __init__(self, *, model, lookup="slug", pattern=SLUG, kind="slug", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.model, self.lookup, self.pattern, self.kind = model, lookup, pattern, kind

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        return list(dict.fromkeys(item.strip().lower() for item in value if isinstance(item, str) and item.strip()))

    def clean(self, value):
        values = self.to_python(value)
        malformed = [item for item in values if not self.pattern.match(item)]
        if malformed:
            raise forms.ValidationError(
                "“%(value)s” is not a %(kind)s.",
                code="malformed",
                params={"value": shown(malformed[0]), "kind": self.kind},
            )
        used, dropped = values[:MAX_VALUES], max(0, len(values) - MAX_VALUES)
        if not used:
            return Terms()
        keys = [item.upper() for item in used] if self.lookup == "code" else used
        rows = {
            key.lower(): (pk, label)
            for key, pk, label in self.model.objects.filter(**{f"{self.lookup}__in": keys})
            .order_by()
            .values_list(self.lookup, "pk", "name")
        }
        known = tuple(Term(item, *rows[item]) for item in used if item in rows)
        unknown = tuple(item for item in used if item not in rows)
        return Terms(known=known, unknown=unknown, dropped=dropped)


class CaseFilterForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        year_from, year_to = cleaned_data.get("year_from"), cleaned_data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", "“To” must not be before “from”.")
        return cleaned_data


class TermsFilter(django_filters.Filter):
    field_class = TermsField


class YearFilter(django_filters.Filter):
    field_class = WholeNumberField


def terms_filter(model, *, label, lookup="slug", pattern=SLUG, kind="slug", method):
    return TermsFilter(label=label, method=method, model=model, lookup=lookup, pattern=pattern, kind=kind)


def year_filter(label, method):
    return YearFilter(
        label=label,
        method=method,
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class CaseFilter(django_filters.FilterSet):
    """Published cases by design.md's query parameters (see the module docstring for bad input)."""

    q = django_filters.CharFilter(label="Search", method="filter_q")
    country = terms_filter(
        Country, label="Country", lookup="code", pattern=ISO2, kind="two-letter country code", method="filter_country"
    )
    region = django_filters.ChoiceFilter(label="Region", choices=Region.choices, method="filter_region")
    theme = terms_filter(Theme, label="Theme", method="filter_theme")
    approach = terms_filter(Approach, label="Approach", method="filter_approach")
    family = django_filters.ChoiceFilter(
        label="Approach family", choices=Approach.Family.choices, method="filter_family"
    )
    organisation = terms_filter(Organisation, label="Organisation", method="filter_organisation")
    challenge = terms_filter(Challenge, label="Challenge", method="filter_challenge")
    success_factor = terms_filter(SuccessFactor, label="Success factor", method="filter_success_factor")
    stage = django_filters.ChoiceFilter(label="Stage", choices=Case.Stage.choices, method="filter_stage")
    level = django_filters.ChoiceFilter(
        label="Level of government", choices=Case.LevelOfGovernment.choices, method="filter_level"
    )
    year_from = year_filter("From year", "filter_years")
    year_to = year_filter("To year", "filter_years")
    sort = django_filters.ChoiceFilter(
        label="Sort", choices=[(key, label) for key, (label, _) in SORTS.items()], method="keep"
    )

    REPEATABLE = ("country", "theme", "approach", "organisation", "challenge", "success_factor")
    SINGLE = ("q", "region", "family", "stage", "level", "year_from", "year_to", "sort")

    class Meta:
        model = Case
        fields = []
        form = CaseFilterForm

    def __init__(self, data=None, queryset=None, **kwargs):
        # Always bound: no parameters at all is a valid (empty) filter, not an unbound form.
        data = {} if data is None else data
        if queryset is None:
            queryset = Case.objects.published()
        super().__init__(data, queryset, **kwargs)

    # --- the filters ------------------------------------------------------------------------

    def case_scores(self, value):
        """matching_case_scores(value), matched once per filter set: the page's cases and the
        facets' case ids read the same search."""
        if getattr(self, "_searched", (None, None))[0] != value:
            self._searched = (value, matching_case_scores(value))
        return self._searched[1]

    def filter_q(self, cases, name, value):
        return search_cases(cases, value, case_scores=self.case_scores(value))

    def filter_country(self, cases, name, terms):
        return cases.in_country(*terms.values) if terms.known else cases

    def filter_region(self, cases, name, value):
        return cases.in_region(value)

    def filter_theme(self, cases, name, terms):
        return cases.with_theme(*terms.values) if terms.known else cases

    def filter_approach(self, cases, name, terms):
        return cases.with_approach(*terms.values) if terms.known else cases

    def filter_family(self, cases, name, value):
        return cases.in_family(value)

    def filter_organisation(self, cases, name, terms):
        return cases.with_organisation(*terms.values) if terms.known else cases

    def filter_challenge(self, cases, name, terms):
        return cases.meeting_challenge(*terms.values) if terms.known else cases

    def filter_success_factor(self, cases, name, terms):
        return cases.showing_success_factor(*terms.values) if terms.known else cases

    def filter_stage(self, cases, name, value):
        return cases.at_stage(value)

    def filter_level(self, cases, name, value):
        return cases.at_level(value)

    def filter_years(self, cases, name, value):
        return cases.active_between(**{name: value})

    def keep(self, cases, name, value):
        return cases  # sorting happens last, in filter_queryset

    def filter_queryset(self, queryset, *, exclude=()):
        """The cases matching every valid parameter except those in `exclude`, in the chosen order."""
        for name, value in self.form.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by(*SORTS[self.sort_key][1])

    def cases_without(self, name):
        """The cases every other parameter leaves, as a queryset."""
        return self.filter_queryset(self.queryset.all(), exclude={name, "sort"}).order_by()

    # --- the same filters as sets of case ids -----------------------------------------------

    def case_sets(self, index):
        """{parameter: BitMap of the published cases its value leaves} of each parameter in use
        (sort aside), from `index` (a case_index.CaseIndex): the filter_* methods above as sets,
        value for value. A valid filter set only; the index holds the published cases, whatever
        queryset the filter set was given."""
        if getattr(self, "_case_sets", (None, None))[0] is not index:
            self._case_sets = (index, self._sets_of(index))
        return self._case_sets[1]

    def _sets_of(self, index):
        sets = {}
        for name, value in self.form.cleaned_data.items():
            if name == "sort" or value in EMPTY_VALUES:  # django-filter skips an empty value
                continue
            if isinstance(value, Terms):
                if value.known:
                    sets[name] = index.union(name, value.values)
            elif name == "q":
                if parse_query(value).had_words:  # a query without words leaves every case (search_cases)
                    sets[name] = BitMap(pk for pk, _ in self.case_scores(value))
            elif name == "year_from":
                sets[name] = index.ending_from(value)
            elif name == "year_to":
                sets[name] = index.starting_by(value)
            else:  # region, family, stage, level: one option of the facet of that name
                sets[name] = index.union(name, [value])
        return sets

    def ranked_cases(self, index, cases):
        """The cases the filters leave in relevance order (a search sorted by relevance), as a
        RankedCases paged from `cases` (a queryset of published cases, unfiltered: what a page's
        rows are read from). The same order as filter_queryset's, without its CASE over every
        match: the search's ranked ids that the filters leave (case_ids), in the search's order,
        then the other cases they leave by title and slug."""

        def split():
            survivors = self.case_ids(index)
            scores = self.case_scores(self.form.cleaned_data["q"])[:EXACTLY_RANKED]
            ranked = [pk for pk, score in scores if score and pk in survivors]  # search_cases' ranked ids
            return ranked, survivors - BitMap(ranked)

        return RankedCases(cases, split)

    def case_ids(self, index, *, without=None):
        """The BitMap of the published cases every parameter but `without` (a name) leaves: the
        cases a facet counts its options in, cases_without's set."""
        ids = BitMap(index.published)
        for name, cases in sorted(self.case_sets(index).items(), key=lambda item: len(item[1])):
            if name != without:
                ids &= cases
        return ids

    # --- what the page says about the parameters --------------------------------------------

    @property
    def searched(self):
        _ = self.errors  # validate first: fills form.cleaned_data
        return clean_query(self.form.cleaned_data.get("q") or "")[0]

    @property
    def sort_key(self):
        sort = self.form.cleaned_data.get("sort") if hasattr(self.form, "cleaned_data") else ""
        if sort == "relevance" and not self.searched:
            return "title"
        return sort or ("relevance" if self.searched else "title")

    def sort_options(self):
        """(key, label) of the orders on offer: relevance only with a search."""
        return [(key, label) for key, (label, _) in SORTS.items() if key != "relevance" or self.searched]

    def selected(self, name):
        """The values of parameter `name` in use, as they appear in URLs."""
        value = self.form.cleaned_data.get(name)
        if isinstance(value, Terms):
            return value.values
        if value in (None, ""):
            return []
        return [str(value)]

    def selected_labels(self, name):
        """{value: label} of the values of parameter `name` in use."""
        value = self.form.cleaned_data.get(name)
        if isinstance(value, Terms):
            return {term.value: term.label for term in value.known}
        if value in (None, ""):
            return {}
        return {str(value): dict(getattr(self.form.fields[name], "choices", ())).get(value, str(value))}

    @cached_property
    def _canonical(self):
        """{parameter: [value, …]} of the valid values, in the filters' order."""
        canonical = {name: self.selected(name) for name in self.filters}
        canonical["q"] = [self.searched] if self.searched else []
        return canonical

    @cached_property
    def _encoded(self):
        return {name: [encoded_pair(name, value) for value in values] for name, values in self._canonical.items()}

    def params(self, **replace):
        """The canonical parameters of this page (valid values only), with some replaced: a permalink."""
        params = {**self._canonical, **replace}
        return [(name, value) for name, values in params.items() for value in values]

    def querystring(self, **replace):
        """params(**replace) as a query string; the page builds one per facet option, so the
        values not replaced are encoded once."""
        parts = []
        for name, encoded in self._encoded.items():
            parts += [encoded_pair(name, value) for value in replace[name]] if name in replace else encoded
        return "&".join(parts)

    def chips(self):
        """The active filters, each with the query that drops just that value."""
        chips = []
        for name in self.filters:
            if name == "sort":
                continue
            value = self.form.cleaned_data.get(name)
            label = self.filters[name].label
            if isinstance(value, Terms):
                for term in value.known:
                    rest = [other for other in value.values if other != term.value]
                    chips.append({"label": f"{label}: {term.label}", "query": self.querystring(**{name: rest})})
            elif name == "q" and self.searched:
                chips.append({"label": f"Search: {shown(self.searched)}", "query": self.querystring(q=[])})
            elif value not in (None, ""):
                field = self.form.fields[name]
                text = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
                chips.append({"label": f"{label}: {text}", "query": self.querystring(**{name: []})})
        return chips

    def notices(self):
        """What was ignored or adjusted, in plain words."""
        notices = []
        data = self.data
        for name in self.SINGLE:
            if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
                notices.append(f"“{name}” was given {len(data.getlist(name))} times: the last value is used.")
        cleaned = getattr(self.form, "cleaned_data", {})
        for name in self.REPEATABLE:
            terms = cleaned.get(name)
            if not isinstance(terms, Terms):
                continue
            label = self.filters[name].label.lower()
            for value in terms.unknown:
                notices.append(f"Unknown {label} “{shown(value)}” ignored.")
            if terms.dropped:
                notices.append(f"Only the first {MAX_VALUES} values of “{name}” are used; {terms.dropped} ignored.")
        if cleaned.get("q") and clean_query(cleaned["q"])[1]:
            notices.append(f"The search uses only the first {MAX_QUERY_LENGTH} characters of your query.")
        if self.searched:
            notices += query_notices(self.searched)
        if cleaned.get("sort") == "relevance" and not self.searched:
            notices.append("Sorting by relevance needs a search: sorted by title.")
        return notices


class RankedCases:
    """Cases in a search's relevance order, as a sequence a Paginator slices: the ranked ids first,
    in their order, then the others by SORTS["relevance"]'s tie-break (title, slug).

    `split` is called once, on the first slice: () -> ([ranked id, …], BitMap of the other ids).
    A slice is a lazy list (a page served from the cache reads no row): the ids of the others it
    reaches (one query, only when the ranked ids run out), then its rows by id (one query and
    `cases`' prefetches), ordered in Python."""

    def __init__(self, cases, split):
        self.cases, self._split, self._ids = cases, split, None

    def ids(self):
        if self._ids is None:
            self._ids = self._split()
        return self._ids

    def __len__(self):
        ranked, others = self.ids()
        return len(ranked) + len(others)

    def __getitem__(self, window):
        return SimpleLazyObject(lambda: self._rows(window.start or 0, window.stop))

    def _rows(self, start, stop):
        ranked, others = self.ids()
        ids = ranked[start:stop]
        if stop > len(ranked) and others:
            tie_break = SORTS["relevance"][1][1:]
            ids += (
                self.cases.filter(AmongIds(F("pk"), others))
                .order_by(*tie_break)
                .values_list("pk", flat=True)[max(start - len(ranked), 0) : stop - len(ranked)]
            )
        if not ids:
            return []
        position = {pk: number for number, pk in enumerate(ids)}
        return sorted(self.cases.filter(pk__in=ids), key=lambda case: position[case.pk])
