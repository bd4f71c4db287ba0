"""Fill the library with a realistic, deterministic generated library (for benchmarks and demos).

Every generated row carries the slug prefix `gen-` (quotes: their source's slug), so
`--clear` removes exactly the generated rows and never touches curated content.
"""

import random
import time
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

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

PREFIX = "gen-"
BATCH_SIZE = 2000

THEMES = [
    "Food security",
    "Space",
    "Mobility",
    "Health",
    "Climate",
    "Culture",
    "Digital identity",
    "Energy",
    "Water",
    "Education",
    "Migration",
    "Urban planning",
    "Agriculture",
    "Disaster resilience",
    "Open data",
    "Taxation",
    "Justice",
    "Tourism",
    "Oceans",
    "Employment",
    "Housing",
    "Cybersecurity",
]
APPROACHES = [
    ("Challenge prize", "experimentation"),
    ("Open innovation competition", "collective_intelligence"),
    ("Hackathon", "collective_intelligence"),
    ("Crowdsourcing", "collective_intelligence"),
    ("Citizens' assembly", "collective_intelligence"),
    ("Testbed", "experimentation"),
    ("Accelerator", "experimentation"),
    ("Grant programme", "experimentation"),
    ("Network", "governance"),
    ("Governance body", "governance"),
    ("Regulatory cooperation", "governance"),
    ("Sandbox", "experimentation"),
    ("Living lab", "experimentation"),
    ("Foresight exercise", "collective_intelligence"),
    ("Joint procurement", "governance"),
    ("Community of practice", "governance"),
]
CHALLENGES = [
    "Cultural norms and values",
    "Lack of feedback mechanisms and learning loops",
    "Undeveloped ecosystems",
    "Scaling of experiments",
    "Diverging legal frameworks",
    "Data sharing barriers",
    "Language barriers",
    "Misaligned budget cycles",
    "Political turnover",
    "Unclear ownership",
]
SUCCESS_FACTORS = [
    ("Shared vision", "project"),
    ("Committed leadership", "project"),
    ("Trust between partners", "project"),
    ("Clear governance", "project"),
    ("Dedicated funding", "project"),
    ("Open communication", "project"),
    ("Early user involvement", "project"),
    ("Iterative delivery", "project"),
    ("Legal and policy frameworks", "ecosystem"),
    ("Shared infrastructure and common platforms", "ecosystem"),
    ("Communities of practice", "ecosystem"),
    ("Budgeting for success", "ecosystem"),
    ("Agency processes and reporting requirements", "ecosystem"),
    ("External assessments and impact studies", "ecosystem"),
]
PLACES = [
    "Nordic",
    "Baltic",
    "Alpine",
    "Danube",
    "Pacific",
    "Andean",
    "Mediterranean",
    "Sahel",
    "Mekong",
    "Caribbean",
    "Arctic",
    "Great Lakes",
    "North Sea",
    "Gulf",
    "Atlantic",
    "Balkan",
    "Amazon",
    "Rhine",
    "Iberian",
    "Celtic",
    "Global",
    "Transatlantic",
    "Pan-African",
    "Asia-Pacific",
    "Open",
    "Joint",
    "Shared",
    "Common",
]
ORGANISATION_WORDS = [
    "Agency",
    "Ministry",
    "Office",
    "Institute",
    "Authority",
    "Council",
    "Lab",
    "Foundation",
    "Network",
    "Centre",
    "Observatory",
    "Alliance",
    "Fund",
    "University",
    "Commission",
]
ORGANISATION_KINDS = [choice for choice, _ in Organisation.Kind.choices]
STATUS_WEIGHTS = [("published", 88), ("draft", 5), ("review", 4), ("archived", 3)]
STAGES = ["idea", "pilot", "scaling", "institutionalised", ""]
ROLES = ["partner", "partner", "partner", "funder", "host", "member"]  # after the one lead
VERBS = [
    "tested",
    "scaled",
    "co-designed",
    "piloted",
    "funded",
    "shared",
    "compared",
    "evaluated",
    "opened",
    "connected",
    "standardised",
    "prototyped",
]
OBJECTS = [
    "solutions across borders",
    "a common data platform",
    "joint procurement rules",
    "a shared testbed",
    "prize rules in two countries",
    "a network of cities",
    "open standards",
    "the results with citizens",
    "regulatory sandboxes",
    "lessons between agencies",
    "a joint budget line",
    "mutual recognition of pilots",
]
SPEAKER_OPENINGS = [
    "What we learned is that",
    "The key point was that",
    "Honestly,",
    "In our experience",
    "I think",
    "One thing that surprised us is that",
    "From the government side,",
    "For the partners,",
    "When we started,",
    "Looking back,",
]
SPEAKER_CLAIMS = [
    "trust takes longer to build than the technology",
    "you need a champion in every agency",
    "the legal frameworks did not match",
    "the budget cycles were out of step",
    "citizens wanted results, not reports",
    "sharing data was the hardest part",
    "the prize money mattered less than the visibility",
    "we had to translate every rule twice",
    "scaling needed a different team than piloting",
    "feedback loops were missing at first",
    "the ecosystem simply was not there yet",
    "common platforms saved us months",
]
HEADINGS = ["Introduction", "Panel discussion", "Lessons learned", "Questions from the audience", "Closing remarks"]


def _weighted_cumulative(count, *, skew):
    """Cumulative weights of a Zipf-like distribution over `count` items (a few popular, a long tail)."""
    return list(accumulate(1.0 / (rank + 1) ** skew for rank in range(count)))


class Command(BaseCommand):
    help = (
        "Generate a realistic, deterministic library (cases with countries, organisations, taxonomy, notes; "
        "sources; quotes linked to cases). Generated rows have the slug prefix 'gen-'; --clear deletes only those."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="Number of cases to generate (default 1000).")
        parser.add_argument("--quotes", type=int, default=20000, help="Number of quotes to generate (default 20000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same library.")
        parser.add_argument("--clear", action="store_true", help="Delete previously generated rows (gen-) first.")
        parser.add_argument(
            "--force", action="store_true", help="Generate even when the library holds curated (non-generated) cases."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done, write nothing.")

    def handle(self, *args, cases, quotes, seed, clear, force, dry_run, verbosity, **options):
        if cases < 0 or quotes < 0:
            raise CommandError("--cases and --quotes must not be negative.")
        if quotes and not cases:
            raise CommandError("Quotes need cases to be linked to: give --cases too.")
        self.verbosity = verbosity
        generated = Case.objects.filter(slug__startswith=PREFIX).count()
        curated = Case.objects.exclude(slug__startswith=PREFIX).count()
        if generated and not clear:
            raise CommandError(f"The library already holds {generated} generated cases: pass --clear to replace them.")
        if curated and not force:
            raise CommandError(
                f"The library holds {curated} curated cases: pass --force to add generated rows beside them "
                "(they stay untouched; --clear only ever deletes 'gen-' rows)."
            )
        if dry_run:
            if clear:
                self.stdout.write(f"Would delete {generated} generated cases and the other generated rows.")
            self.stdout.write(f"Would generate {cases} cases and {quotes} quotes with seed {seed}.")
            return
        started = time.monotonic()
        with transaction.atomic():
            if clear:
                self.clear()
            if cases:
                self.generate(random.Random(seed), case_count=cases, quote_count=quotes)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics and visibility map, or the planner keeps estimating the tables as
            # they were and cannot use index-only scans until autovacuum comes by.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        done = f"Generated {cases} cases and {quotes} quotes (seed {seed})" if cases else "Cleared the generated rows"
        self.stdout.write(self.style.SUCCESS(f"{done} in {time.monotonic() - started:.1f} s."))

    def say(self, message):
        if self.verbosity >= 2:
            self.stdout.write(message)

    def clear(self):
        """Delete the generated rows only, link tables first, in bulk.

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
        self.say(f"Deleted the generated rows ({deleted} generated cases).")

    def generate(self, rng, *, case_count, quote_count):
        themes = Theme.objects.bulk_create(
            Theme(name=name, slug=f"{PREFIX}{_slug(name)}", description=f"Cases about {name.lower()}.")
            for name in THEMES
        )
        approaches = Approach.objects.bulk_create(
            Approach(name=name, slug=f"{PREFIX}{_slug(name)}", family=family, description=f"The {name.lower()} method.")
            for name, family in APPROACHES
        )
        challenges = Challenge.objects.bulk_create(
            Challenge(
                name=name, slug=f"{PREFIX}{_slug(name)}", order=order, description=f"**{name}** holds cases back."
            )
            for order, name in enumerate(CHALLENGES)
        )
        success_factors = SuccessFactor.objects.bulk_create(
            SuccessFactor(
                name=name,
                slug=f"{PREFIX}{_slug(name)}",
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
        self.say(f"Taxonomy: {len(themes)} themes, {len(approaches)} approaches, {len(organisations)} organisations.")

        cases = self.generate_cases(rng, count=case_count)
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
            self.say(f"{len(rows)} {model._meta.verbose_name_plural}.")

        sources = self.generate_sources(rng, count=max(5, quote_count // 600))
        self.generate_quotes(
            rng,
            count=quote_count,
            sources=[source for source in sources if source.kind == "video"],
            cases=cases,
            challenges=challenges,
            success_factors=success_factors,
        )

    def generate_cases(self, rng, *, count):
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
        self.say(f"{len(cases)} cases ({len(children)} with a parent).")
        return cases

    def generate_sources(self, rng, *, count):
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

    def generate_quotes(self, rng, *, count, sources, cases, challenges, success_factors):
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
                        Quote.success_factors.through(
                            quote_id=quote.pk, successfactor_id=rng.choice(success_factors).pk
                        )
                    )
            Quote.cases.through.objects.bulk_create(case_links, batch_size=BATCH_SIZE)
            Quote.challenges.through.objects.bulk_create(challenge_links, batch_size=BATCH_SIZE)
            Quote.success_factors.through.objects.bulk_create(factor_links, batch_size=BATCH_SIZE)
            made += len(batch)
            self.say(f"{made} quotes.")


def _slug(name):
    return "".join(char if char.isalnum() else "-" for char in name.lower().replace("'", "")).strip("-")


def _raw_delete(queryset):
    """DELETE … WHERE in one statement: no signals, no history rows, no per-row cascade collection."""
    return queryset._raw_delete(queryset.db)


def _distinct(items):
    return list(dict.fromkeys(items))
