"""The published cases as compressed bitmaps of their ids (pyroaring): one per facet option, per start
year and per end year, so the case browser filters and counts its facets with set operations whose
cost follows the number of options, not of cases.

The index is built from a few plain queries (the published cases, each facet's link rows, the
taxonomies naming the options) and kept per process under the library version
(library_version.memoized): every write to what it holds changes the version inside the writing
transaction, so an index is never read under a version it was not built for. The serialized index
is also kept in the shared cache under the version, so the other workers load it instead of
building it again.

Case ids are 32-bit in a BitMap: an id past 2**32 - 1 raises OverflowError while building.
"""

from collections import defaultdict
from dataclasses import dataclass

from pyroaring import BitMap, FrozenBitMap

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


@dataclass(frozen=True)
class Source:
    """Where a facet's options and their cases are read."""

    key: str  # the link row's field naming the option ("theme_id"), the case's field ("stage"), or
    # for a facet grouping another's options (`groups`), the field of that facet's taxonomy ("region")
    links: object = None  # the link rows' model (with a case_id); None: a field of the case
    model: object = None  # the taxonomy naming the options (pk → value in URLs, name)
    lookup: str = "slug"  # the taxonomy's field an option's value in URLs is
    choices: tuple = ()  # (value, label) of options that are choices
    groups: str = ""  # the facet whose options this one groups (a region: its countries' cases)


SOURCES = {
    "country": Source("country_id", Case.countries.through, Country, lookup="code"),
    "region": Source("region", choices=tuple(Region.choices), groups="country"),
    "theme": Source("theme_id", Case.themes.through, Theme),
    "approach": Source("approach_id", Case.approaches.through, Approach),
    "family": Source("family", choices=tuple(Approach.Family.choices), groups="approach"),
    "organisation": Source("organisation_id", Participation, Organisation),
    "challenge": Source("challenge_id", CaseChallenge, Challenge),
    "success_factor": Source("success_factor_id", CaseSuccessFactor, SuccessFactor),
    "stage": Source("stage", choices=tuple(Case.Stage.choices)),
    "level": Source("level_of_government", choices=tuple(Case.LevelOfGovernment.choices)),
}

EMPTY = FrozenBitMap()


def union(bitmaps):
    """The union of an iterable of bitmaps (a new BitMap; empty for none)."""
    return BitMap().union(*bitmaps)


@dataclass(frozen=True)
class CaseIndex:
    """Published case ids: every one, per facet option, per start and end year. Frozen bitmaps:
    one index serves every thread of a process."""

    published: FrozenBitMap
    options: dict  # {facet name: {value as in URLs: FrozenBitMap}}, options with a case only
    labels: dict  # {facet name: {value: label}}
    start_years: dict  # {year: FrozenBitMap}; cases without a start year in none
    end_years: dict  # {year or None: FrozenBitMap}; None: cases without an end year

    def union(self, name, values):
        """The cases having any of the options `values` (as in URLs) of facet `name`: OR within a
        parameter, as the filters combine values."""
        options = self.options[name]
        return union(options.get(value, EMPTY) for value in values)

    def ending_from(self, year):
        """The cases running in `year` or later: an end year from `year` on, or none
        (CaseQuerySet.active_between's year_from)."""
        return union(ids for end, ids in self.end_years.items() if end is None or end >= year)

    def starting_by(self, year):
        """The cases started in `year` or before (CaseQuerySet.active_between's year_to); a case
        without a start year is not one of them."""
        return union(ids for start, ids in self.start_years.items() if start <= year)

    def counts(self, name, among):
        """[(value, label, count)] of the options of facet `name` with a case in `among` (a
        bitmap), in no particular order."""
        labels = self.labels[name]
        rows = []
        for value, ids in self.options[name].items():
            count = ids.intersection_cardinality(among)
            if count:
                rows.append((value, labels[value], count))
        return rows

    def start_year_counts(self, among):
        """{start year: number of the cases in `among` started that year}, years without one left out."""
        counts = {year: ids.intersection_cardinality(among) for year, ids in self.start_years.items()}
        return {year: count for year, count in sorted(counts.items()) if count}

    def serialize(self):
        """The index as plain values and bytes (for the shared cache); load() reverses it."""
        return {
            "published": self.published.serialize(),
            "options": {name: {v: ids.serialize() for v, ids in opts.items()} for name, opts in self.options.items()},
            "labels": self.labels,
            "start_years": {year: ids.serialize() for year, ids in self.start_years.items()},
            "end_years": {year: ids.serialize() for year, ids in self.end_years.items()},
        }

    @classmethod
    def load(cls, data):
        thaw = FrozenBitMap.deserialize
        return cls(
            published=thaw(data["published"]),
            options={name: {v: thaw(ids) for v, ids in opts.items()} for name, opts in data["options"].items()},
            labels=data["labels"],
            start_years={year: thaw(ids) for year, ids in data["start_years"].items()},
            end_years={year: thaw(ids) for year, ids in data["end_years"].items()},
        )


def _frozen(groups):
    return {key: FrozenBitMap(ids) for key, ids in groups.items()}


def build(*, using="default"):
    """A CaseIndex of the library as this transaction sees it: one query for the published cases,
    then per taxonomy facet one for its link rows and one for its options' names (13 in all)."""
    case_fields = {name: source.key for name, source in SOURCES.items() if source.links is None and not source.groups}
    rows = (
        Case.objects.using(using)
        .published()
        .order_by()
        .values_list("pk", "start_year", "end_year", *case_fields.values())
    )
    every, starts, ends = [], defaultdict(list), defaultdict(list)
    by_field = {name: defaultdict(list) for name in case_fields}
    for pk, start, end, *values in rows:
        every.append(pk)
        if start is not None:
            starts[start].append(pk)
        ends[end].append(pk)
        for name, value in zip(case_fields, values, strict=True):
            if value:  # a blank stage or level is no option
                by_field[name][value].append(pk)
    published = FrozenBitMap(every)
    options, labels = {}, {}
    for name, groups in by_field.items():
        options[name] = _frozen(groups)
        labels[name] = {value: dict(SOURCES[name].choices).get(value, value) for value in groups}
    for name, source in SOURCES.items():
        if source.links is None:
            continue
        links = defaultdict(list)
        for case_id, key in source.links.objects.using(using).order_by().values_list("case_id", source.key):
            links[key].append(case_id)
        grouped = {other: source_ for other, source_ in SOURCES.items() if source_.groups == name}
        taxonomy = (
            source.model.objects.using(using)
            .order_by()
            .values_list("pk", source.lookup, "name", *(source_.key for source_ in grouped.values()))
        )
        options[name], labels[name] = {}, {}
        group_members = {other: defaultdict(list) for other in grouped}
        for pk, value, label, *group_keys in taxonomy:
            if pk not in links:
                continue
            ids = FrozenBitMap(links[pk]) & published  # the link rows of unpublished cases drop here
            if not ids:
                continue
            value = value.lower() if source.lookup == "code" else value
            options[name][value], labels[name][value] = ids, label
            for other, group_key in zip(grouped, group_keys, strict=True):
                group_members[other][group_key].append(ids)
        for other, members in group_members.items():
            options[other] = {key: FrozenBitMap(union(ids)) for key, ids in members.items()}
            labels[other] = {key: dict(SOURCES[other].choices).get(key, key) for key in members}
    return CaseIndex(
        published=published,
        options=options,
        labels=labels,
        start_years=_frozen(starts),
        end_years=_frozen(ends),
    )


def current(*, version=None, using="default"):
    """The CaseIndex of the library at `version` (library_version.current()'s number; None reads
    it, library_version.in_use: one query, none inside cached()'s compute): this process's when it
    has one, else the shared cache's, else built."""
    if version is None:
        version = library_version.in_use(using=using)
    return library_version.memoized("case-index", lambda: _shared(version, using), version=version, using=using)


def _shared(version, using):
    # Serialized in the shared cache (the other workers load it), so loaded here too.
    data = library_version.cached(
        "case-index", (), lambda: build(using=using).serialize(), version=version, using=using
    )
    return CaseIndex.load(data)
