"""Generating a realistic, deterministic library in bulk, and deleting exactly what was generated."""

from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.utils.text import slugify

from cases.models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
)

from .vocabulary import (
    APPROACHES,
    CHALLENGES,
    HEADINGS,
    OBJECTS,
    ORGANISATION_KINDS,
    ORGANISATION_WORDS,
    PLACES,
    ROLES,
    SPEAKER_CLAIMS,
    SPEAKER_OPENINGS,
    STAGES,
    STATUS_WEIGHTS,
    SUCCESS_FACTORS,
    THEMES,
    VERBS,
)

# Every generated row's slug starts with it (a quote: its source's), so clearing never touches curated rows.
PREFIX = "gen-"
BATCH_SIZE = 2000


def _silent(message):
    """The default `say`: progress goes nowhere."""


def _weighted_cumulative(count, *, skew):
    """Cumulative weights of a Zipf-like distribution over `count` items (a few popular, a long tail)."""
    return list(accumulate(1.0 / (rank + 1) ** skew for rank in range(count)))


def clear_generated(*, say=_silent):
    """Delete the generated rows only (slugs starting with PREFIX), link tables first, in bulk.

    Raw deletes on purpose: a generated row has no change history worth keeping, and a
    per-row delete (signals, history records) takes minutes for 200,000 quotes.
    """
    generated_sources = Source.objects.filter(slug__startswith=PREFIX)
    generated_quotes = Quote.objects.filter(source__in=generated_sources)
    generated_cases = Case.objects.filter(slug__startswith=PREFIX)
    for link in (
        Quote.cases.through,
        Quote.challenges.through,
        Quote.success_factors.through,
        Quote.topics.through,
    ):
        _raw_delete(link.objects.filter(quote__in=generated_quotes))
    _raw_delete(generated_quotes)
    Case.objects.filter(parent__in=generated_cases).exclude(slug__startswith=PREFIX).update(parent=None)
    generated_cases.update(parent=None)
    for link in (
        Case.countries.through,
        Case.themes.through,
        Case.approaches.through,
        Case.publications.through,
        Quote.cases.through,
        Participation,
        CaseChallenge,
        CaseSuccessFactor,
    ):
        _raw_delete(link.objects.filter(case__in=generated_cases))
    deleted = _raw_delete(generated_cases)
    generated_organisations = Organisation.objects.filter(slug__startswith=PREFIX)
    _raw_delete(Participation.objects.filter(organisation__in=generated_organisations))
    _raw_delete(Case.publications.through.objects.filter(source__in=generated_sources))
    for link, field in (
        (Case.themes.through, "theme"),
        (Case.approaches.through, "approach"),
        (CaseChallenge, "challenge"),
        (CaseSuccessFactor, "success_factor"),
        (Quote.challenges.through, "challenge"),
        (Quote.success_factors.through, "successfactor"),
    ):
        _raw_delete(link.objects.filter(**{f"{field}__slug__startswith": PREFIX}))
    for model in (Organisation, Theme, Approach, Challenge, SuccessFactor, Source):
        _raw_delete(model.objects.filter(slug__startswith=PREFIX))
    say(f"Deleted the generated rows ({deleted} generated cases).")


def generate_library(rng, *, case_count, quote_count, say=_silent):
    """Generate `case_count` cases with their taxonomy, links and notes, and `quote_count` quotes linked
    to them, drawing every choice from `rng` (a random.Random: the same seed, the same library).
    Bulk inserts only; `say` receives a line per step. Returns nothing."""
    themes = Theme.objects.bulk_create(
        Theme(name=name, slug=f"{PREFIX}{slugify(name)}", description=f"Cases about {name.lower()}.") for name in THEMES
    )
    approaches = Approach.objects.bulk_create(
        Approach(name=name, slug=f"{PREFIX}{slugify(name)}", family=family, description=f"The {name.lower()} method.")
        for name, family in APPROACHES
    )
    challenges = Challenge.objects.bulk_create(
        Challenge(name=name, slug=f"{PREFIX}{slugify(name)}", order=order, description=f"**{name}** holds cases back.")
        for order, name in enumerate(CHALLENGES)
    )
    success_factors = SuccessFactor.objects.bulk_create(
        SuccessFactor(
            name=name,
            slug=f"{PREFIX}{slugify(name)}",
            kind=kind,
            order=order,
            description=f"**{name}** helps cases succeed.",
        )
        for order, (name, kind) in enumerate(SUCCESS_FACTORS)
    )
    countries = list(Country.objects.exclude(region="antarctica").order_by("code"))
    rng.shuffle(countries)
    countries = countries[:90]  # a realistic spread: most cases involve a few dozen countries
    country_weights = _weighted_cumulative(len(countries), skew=0.5)

    organisations = []
    for number in range(max(50, case_count // 6)):
        place = rng.choice(PLACES)
        word = rng.choice(ORGANISATION_WORDS)
        theme = rng.choice(THEMES)
        organisations.append(
            Organisation(
                name=f"{place} {theme} {word} {number + 1}",
                slug=f"{PREFIX}org-{number + 1:05d}",
                kind=rng.choice(ORGANISATION_KINDS),
                country=rng.choices(countries, cum_weights=country_weights)[0] if rng.random() < 0.85 else None,
            )
        )
    organisations = Organisation.objects.bulk_create(organisations, batch_size=BATCH_SIZE)
    organisation_weights = _weighted_cumulative(len(organisations), skew=0.7)
    say(f"Taxonomy: {len(themes)} themes, {len(approaches)} approaches, {len(organisations)} organisations.")

    cases = generate_cases(rng, count=case_count, say=say)
    links = {
        model: []
        for model in (
            Case.countries.through,
            Case.themes.through,
            Case.approaches.through,
            Participation,
            CaseChallenge,
            CaseSuccessFactor,
        )
    }
    for case in cases:
        for country in _distinct(rng.choices(countries, cum_weights=country_weights, k=rng.randint(1, 4))):
            links[Case.countries.through].append(Case.countries.through(case_id=case.pk, country_id=country.pk))
        for theme in rng.sample(themes, rng.randint(1, 3)):
            links[Case.themes.through].append(Case.themes.through(case_id=case.pk, theme_id=theme.pk))
        for approach in rng.sample(approaches, rng.randint(1, 2)):
            links[Case.approaches.through].append(Case.approaches.through(case_id=case.pk, approach_id=approach.pk))
        picked = _distinct(rng.choices(organisations, cum_weights=organisation_weights, k=rng.randint(1, 5)))
        for position, organisation in enumerate(picked):
            role = "lead" if position == 0 else rng.choice(ROLES)
            links[Participation].append(Participation(case_id=case.pk, organisation_id=organisation.pk, role=role))
        for challenge in rng.sample(challenges, rng.randint(0, 3)):
            links[CaseChallenge].append(
                CaseChallenge(
                    case_id=case.pk,
                    challenge_id=challenge.pk,
                    note=f"The partners {rng.choice(VERBS)} {rng.choice(OBJECTS)} to overcome this.",
                )
            )
        for factor in rng.sample(success_factors, rng.randint(0, 4)):
            links[CaseSuccessFactor].append(
                CaseSuccessFactor(
                    case_id=case.pk,
                    success_factor_id=factor.pk,
                    note=f"{rng.choice(SPEAKER_OPENINGS)} {rng.choice(SPEAKER_CLAIMS)}.",
                )
            )
    for model, rows in links.items():
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        say(f"{len(rows)} {model._meta.verbose_name_plural}.")

    sources = generate_sources(rng, count=max(5, quote_count // 600))
    generate_quotes(
        rng,
        count=quote_count,
        sources=[source for source in sources if source.kind == "video"],
        cases=cases,
        challenges=challenges,
        success_factors=success_factors,
        say=say,
    )


def generate_cases(rng, *, count, say=_silent):
    """`count` cases (statuses, stages, years and texts drawn from `rng`), one in twenty under a parent."""
    status_values = [status for status, _ in STATUS_WEIGHTS]
    status_weights = [weight for _, weight in STATUS_WEIGHTS]
    epoch = datetime(2015, 1, 1, tzinfo=UTC)
    cases = []
    for number in range(count):
        place, theme, (approach, _) = rng.choice(PLACES), rng.choice(THEMES), rng.choice(APPROACHES)
        title = f"{place} {theme.lower()} {approach.lower()} {number + 1}"
        start_year = rng.randint(1998, 2025)
        end_year = None if rng.random() < 0.4 else min(2026, start_year + rng.randint(0, 8))
        status = rng.choices(status_values, weights=status_weights)[0]
        verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
        summary = (
            f"Public bodies from several countries {verb} {obj} in {theme.lower()}, "
            f"using a {approach.lower()} to learn together across borders."
        )
        body = "\n\n".join(
            [
                f"## Background\n\nThe {place} partners started in {start_year} to work on {theme.lower()}.",
                f"## What they did\n\nThey {verb} {obj}; {rng.choice(SPEAKER_OPENINGS).lower()} "
                f"{rng.choice(SPEAKER_CLAIMS)}.",
                f"## Results\n\n- {rng.choice(VERBS).capitalize()} {rng.choice(OBJECTS)}\n"
                f"- {rng.choice(VERBS).capitalize()} {rng.choice(OBJECTS)}",
            ]
        )
        cases.append(
            Case(
                title=title[0].upper() + title[1:],
                slug=f"{PREFIX}case-{number + 1:05d}",
                summary=summary,
                body=body,
                status=status,
                stage=rng.choice(STAGES),
                start_year=start_year,
                end_year=end_year,
                website=f"https://example.org/{PREFIX}case-{number + 1:05d}",
                published_at=epoch + timedelta(hours=number * 7) if status in ("published", "archived") else None,
            )
        )
    cases = Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)
    # About one case in twenty is part of an earlier, larger initiative.
    children = []
    for case in cases[20:]:
        if rng.random() < 0.05:
            case.parent_id = cases[rng.randrange(0, 20)].pk
            children.append(case)
    Case.objects.bulk_update(children, ["parent"], batch_size=BATCH_SIZE)
    say(f"{len(cases)} cases ({len(children)} with a parent).")
    return cases


def generate_sources(rng, *, count):
    """`count` videos and a tenth as many reports (at least one)."""
    sources = [
        Source(
            kind="video",
            title=f"{rng.choice(PLACES)} webinar on {rng.choice(THEMES).lower()} ({number + 1})",
            slug=f"{PREFIX}video-{number + 1:04d}",
            youtube_id=f"gen{number + 1:08d}",
            url=f"https://www.youtube.com/watch?v=gen{number + 1:08d}",
            channel="Generated channel",
            duration_seconds=rng.randint(2400, 7200),
        )
        for number in range(count)
    ]
    sources += [
        Source(
            kind="report",
            title=f"Generated report {number + 1}",
            slug=f"{PREFIX}report-{number + 1:03d}",
            url=f"https://example.org/{PREFIX}report-{number + 1:03d}",
            publisher="Generated publisher",
        )
        for number in range(max(1, count // 10))
    ]
    return Source.objects.bulk_create(sources, batch_size=BATCH_SIZE)


def generate_quotes(rng, *, count, sources, cases, challenges, success_factors, say=_silent):
    """`count` quotes from `sources` (videos) in time order, each linked to one or two of `cases`
    (a few popular, a long tail) and sometimes to a challenge and a success factor."""
    case_weights = _weighted_cumulative(len(cases), skew=0.3)
    case_order = list(cases)
    rng.shuffle(case_order)  # popularity does not follow creation order
    seconds = {source.pk: 0 for source in sources}
    made = 0
    while made < count:
        batch = []
        for _ in range(min(BATCH_SIZE * 5, count - made)):
            source = rng.choice(sources)
            seconds[source.pk] += rng.randint(5, 40)
            others = [seconds[source.pk] + rng.randint(1, 20)] if rng.random() < 0.1 else []
            batch.append(
                Quote(
                    source_id=source.pk,
                    start_second=seconds[source.pk],
                    other_seconds=others,
                    text=f"{rng.choice(SPEAKER_OPENINGS)} {rng.choice(SPEAKER_CLAIMS)}, "
                    f"so we {rng.choice(VERBS)} {rng.choice(OBJECTS)}.",
                    heading_path=rng.choice(HEADINGS),
                    position=made + len(batch),
                )
            )
        batch = Quote.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        case_links, challenge_links, factor_links = [], [], []
        for quote in batch:
            for case in _distinct(rng.choices(case_order, cum_weights=case_weights, k=rng.randint(1, 2))):
                case_links.append(Quote.cases.through(quote_id=quote.pk, case_id=case.pk))
            if rng.random() < 0.4:
                challenge_links.append(
                    Quote.challenges.through(quote_id=quote.pk, challenge_id=rng.choice(challenges).pk)
                )
            if rng.random() < 0.4:
                factor_links.append(
                    Quote.success_factors.through(quote_id=quote.pk, successfactor_id=rng.choice(success_factors).pk)
                )
        Quote.cases.through.objects.bulk_create(case_links, batch_size=BATCH_SIZE)
        Quote.challenges.through.objects.bulk_create(challenge_links, batch_size=BATCH_SIZE)
        Quote.success_factors.through.objects.bulk_create(factor_links, batch_size=BATCH_SIZE)
        made += len(batch)
        say(f"{made} quotes.")


def _raw_delete(queryset):
    """DELETE … WHERE in one statement: no signals, no history rows, no per-row cascade collection."""
    return queryset._raw_delete(queryset.db)


def _distinct(items):
    return list(dict.fromkeys(items))
