"""A library with many rows for the public pages' query-count tests, and a draft to hunt for."""

import itertools

from cases.models import (
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Country,
    Participation,
    Quote,
)
from tests.factories import (
    ApproachFactory,
    CaseFactory,
    ChallengeFactory,
    OrganisationFactory,
    SourceFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

COUNTRY_CODES = ["CA", "US", "FR", "DE", "GB", "AE", "CN", "TR", "JP", "BR"]


def build_library(cases=40, quotes_per_case=3, prefix="many"):
    """`cases` published cases, each in three countries, with two themes, two approaches, two
    organisations, a challenge, a success factor, a parent (after the first), and quotes linked to
    the case, its challenge and its factor. Bulk inserts keep it fast. Returns the first case."""
    countries = list(Country.objects.filter(code__in=COUNTRY_CODES).order_by("code"))
    themes = [ThemeFactory() for _ in range(5)]
    approaches = [ApproachFactory() for _ in range(4)]
    organisations = [OrganisationFactory(country=countries[i]) for i in range(6)]
    challenges = [ChallengeFactory() for _ in range(3)]
    factors = [SuccessFactorFactory(kind=kind) for kind in ("project", "ecosystem", "project")]
    sources = [SourceFactory() for _ in range(3)]

    built = Case.objects.bulk_create(
        CaseFactory.build(
            slug=f"{prefix}-{n}", title=f"{prefix.capitalize()} case {n}", start_year=2000 + n % 20, end_year=2021
        )
        for n in range(cases)
    )
    parent = built[0]
    Case.objects.filter(pk__in=[case.pk for case in built[1:]]).update(parent=parent)

    def links(through, field, pools):
        rows = []
        for n, case in enumerate(built):
            for offset, pool in enumerate(pools):
                rows.append(through(case_id=case.pk, **{f"{field}_id": pool[(n + offset) % len(pool)].pk}))
        through.objects.bulk_create(rows, ignore_conflicts=True)

    links(Case.countries.through, "country", [countries] * 3)
    links(Case.themes.through, "theme", [themes] * 2)
    links(Case.approaches.through, "approach", [approaches] * 2)
    Participation.objects.bulk_create(
        Participation(case=case, organisation=organisations[(n + k) % len(organisations)], role=role)
        for n, case in enumerate(built)
        for k, role in enumerate(["lead", "partner"])
    )
    CaseChallenge.objects.bulk_create(
        CaseChallenge(case=case, challenge=challenges[n % len(challenges)], note=f"Note {n}.")
        for n, case in enumerate(built)
    )
    CaseSuccessFactor.objects.bulk_create(
        CaseSuccessFactor(case=case, success_factor=factors[n % len(factors)], note=f"Factor note {n}.")
        for n, case in enumerate(built)
    )
    seconds = itertools.count(10, 37)
    quotes = Quote.objects.bulk_create(
        Quote(
            source=sources[n % len(sources)],
            text=f"Statement {n}-{k} about many things.",
            start_second=next(seconds),
            other_seconds=[5000 + n],
            position=n * 10 + k,
        )
        for n in range(cases)
        for k in range(quotes_per_case)
    )
    Quote.cases.through.objects.bulk_create(
        Quote.cases.through(quote_id=quote.pk, case_id=built[i // quotes_per_case].pk) for i, quote in enumerate(quotes)
    )
    Quote.challenges.through.objects.bulk_create(
        Quote.challenges.through(quote_id=quote.pk, challenge_id=challenges[(i // quotes_per_case) % 3].pk)
        for i, quote in enumerate(quotes)
        if i % quotes_per_case == 0
    )
    Quote.success_factors.through.objects.bulk_create(
        Quote.success_factors.through(quote_id=quote.pk, successfactor_id=factors[(i // quotes_per_case) % 3].pk)
        for i, quote in enumerate(quotes)
        if i % quotes_per_case == 1
    )
    return parent
