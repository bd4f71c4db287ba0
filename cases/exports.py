"""CSV and JSON exports of a set of cases, streamed: one row per case, its links as slugs.

Rows are read in chunks of CHUNK_SIZE cases with the links prefetched per chunk, so an export
runs a fixed number of queries per chunk whatever the size of the library.
"""
import csv
import json

from django.db.models import Prefetch

from .models import Approach, Challenge, Country, Participation, SuccessFactor, Theme

CHUNK_SIZE = 500
FIELDS = [
    "slug", "title", "summary", "stage", "start_year", "end_year", "website", "parent", "published_at",
    "updated_at", "countries", "organisations", "themes", "approaches", "challenges", "success_factors", "url",
]
LIST_FIELDS = ["countries", "organisations", "themes", "approaches", "challenges", "success_factors"]


def for_export(cases):
    """`cases` with what a row needs, and nothing else (no body, no search vector)."""
    return (
        cases.select_related("parent")
        .only(
            "slug", "title", "summary", "stage", "start_year", "end_year", "website", "published_at", "updated_at",
            "parent__slug", "parent__status",
        )
        .prefetch_related(
            Prefetch("countries", queryset=Country.objects.only("code").order_by("code")),
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("organisation").only(
                    "case_id", "role", "organisation__slug", "organisation__name"
                ),
            ),
            Prefetch("themes", queryset=Theme.objects.only("slug")),
            Prefetch("approaches", queryset=Approach.objects.only("slug")),
            Prefetch("challenges", queryset=Challenge.objects.only("slug", "order", "name")),
            Prefetch("success_factors", queryset=SuccessFactor.objects.only("slug", "kind", "order", "name")),
        )
    )


def case_rows(*, cases, absolute_url, chunk_size=None):
    """One dict per case of `cases` (in its order), links as lists; `absolute_url(path)` makes the url."""
    for case in for_export(cases).iterator(chunk_size=chunk_size or CHUNK_SIZE):
        parent = case.parent if case.parent_id and case.parent.status == "published" else None
        yield {
            "slug": case.slug,
            "title": case.title,
            "summary": case.summary,
            "stage": case.stage,
            "start_year": case.start_year,
            "end_year": case.end_year,
            "website": case.website,
            "parent": parent.slug if parent else "",
            "published_at": case.published_at.isoformat() if case.published_at else "",
            "updated_at": case.updated_at.isoformat() if case.updated_at else "",
            "countries": [country.code for country in case.countries.all()],
            "organisations": [
                f"{participation.organisation.slug}:{participation.role}" for participation in case.participations.all()
            ],
            "themes": [theme.slug for theme in case.themes.all()],
            "approaches": [approach.slug for approach in case.approaches.all()],
            "challenges": [challenge.slug for challenge in case.challenges.all()],
            "success_factors": [factor.slug for factor in case.success_factors.all()],
            "url": absolute_url(case.get_absolute_url()),
        }


class _Echo:
    """A file-like object that hands back what is written to it, for csv.writer."""

    def write(self, value):
        return value


def csv_lines(*, rows):
    """The CSV text of `rows`, a header first, one line at a time; lists `;`-joined."""
    writer = csv.writer(_Echo())
    yield writer.writerow(FIELDS)
    for row in rows:
        yield writer.writerow(
            [";".join(row[name]) if name in LIST_FIELDS else ("" if row[name] is None else row[name]) for name in FIELDS]
        )


def json_chunks(*, count, rows):
    """`{"count": N, "results": [...]}` as text, one case at a time."""
    yield '{"count": %d, "results": [' % count
    for index, row in enumerate(rows):
        yield ("\n" if index == 0 else ",\n") + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"
