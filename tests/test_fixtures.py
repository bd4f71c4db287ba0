"""The curated seed library of fixtures/: it loads, it is complete, and it says what the seed document says."""

import re

import pytest

from cases.models import (
    Case,
    Challenge,
    Organisation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
)
from tests.sample_corpus import FIXTURE_CORPUS

# Read-only tests share one load of the seed library per module (tests/conftest.py).
pytestmark = pytest.mark.django_db

VIDEO_ID = "nGjuo-7sUXM"
SEED_DOCUMENT = FIXTURE_CORPUS / "public_sector_innovation_and_collaboration.md"  # as in ../shared/corpus
# The fixtures come from this document; four other documents summarise the same video.
SEED_SLUG = "public_sector_innovation_and_collaboration"
OTHER_DOCUMENTS = {
    "challenges_and_success_factors_in_crossborder_collaboration": 57,
    "crossborder_government_innovation": 49,
    "examples_and_case_studies_of_innovation_across_borders": 65,
    "scaling_and_institutionalizing_innovation": 44,
}

CASE_COUNTRIES = {
    "deep-space-food-challenge": {"CA", "US"},
    "global-innovation-collaborative": {"FR", "GB", "US", "DE"},
    "creative-cities-challenge": set(),
    "5g-mobix": {"CN", "TR"},
    "uae-government-accelerators": {"AE"},
    "uae-moonshot-apprenticeship-program": {"AE"},
    "moonshot-pilot-grant": {"AE"},
    "agile-nations-network": {"AE"},
    "nasa-international-space-apps-challenge": {"US"},
    "gavi": set(),
    "london-office-of-technology-and-innovation": {"GB"},
}

ECOSYSTEM_FACTORS = {
    "legal-and-policy-frameworks",
    "shared-infrastructure-and-common-platforms",
    "communities-of-practice",
    "budgeting-for-success",
    "agency-processes-and-reporting-requirements",
    "external-assessments-and-impact-studies",
}


def seed_document_seconds():
    """The distinct seconds of the seed document's anchors."""
    text = SEED_DOCUMENT.read_text(encoding="utf-8")
    values = re.findall(r'data-t="(\d{2}):(\d{2}):(\d{2})"', text)
    return sorted({int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in values})


@pytest.mark.parametrize("slug, countries", sorted(CASE_COUNTRIES.items()))
def test_seed_case_is_published_with_its_countries(seed_module, slug, countries):
    case = Case.objects.get(slug=slug)
    assert case.is_published
    assert case.published_at is not None
    assert set(case.countries.values_list("code", flat=True)) == countries


def test_there_are_exactly_the_eleven_seed_cases(seed_module):
    assert set(Case.objects.values_list("slug", flat=True)) == set(CASE_COUNTRIES)
    assert Case.objects.published().count() == 11


def test_parent_cases(seed_module):
    assert Case.objects.get(slug="creative-cities-challenge").parent.slug == "global-innovation-collaborative"
    assert Case.objects.get(slug="moonshot-pilot-grant").parent.slug == "uae-moonshot-apprenticeship-program"


def test_deep_space_food_challenge_as_the_document_states_it(seed_module):
    case = Case.objects.get(slug="deep-space-food-challenge")
    assert set(case.organisations.values_list("slug", flat=True)) == {"canadian-space-agency", "nasa"}
    assert case.approaches.filter(slug="parallel-prize-competitions").exists()


def test_the_eu_is_an_organisation_of_5g_mobix_not_a_country(seed_module):
    case = Case.objects.get(slug="5g-mobix")
    assert case.participations.filter(organisation__slug="european-union").exists()
    assert Organisation.objects.get(slug="european-union").country is None


def test_four_challenges_in_order(seed_module):
    assert list(Challenge.objects.values_list("slug", "order")) == [
        ("cultural-norms-and-values", 1),
        ("lack-of-feedback-mechanisms-and-learning-loops", 2),
        ("undeveloped-ecosystems", 3),
        ("scaling-of-experiments", 4),
    ]
    assert all(challenge.description for challenge in Challenge.objects.all())


def test_fourteen_success_factors_eight_project_six_ecosystem(seed_module):
    assert SuccessFactor.objects.count() == 14
    assert SuccessFactor.objects.filter(kind="project").count() == 8
    ecosystem = set(SuccessFactor.objects.filter(kind="ecosystem").values_list("slug", flat=True))
    assert ecosystem == ECOSYSTEM_FACTORS


def test_sources_are_the_video_and_the_two_reports(seed_module):
    video = Source.objects.get(slug=VIDEO_ID)
    assert video.kind == "video"
    assert video.youtube_id == VIDEO_ID
    assert video.url == f"https://www.youtube.com/watch?v={VIDEO_ID}"
    reports = Source.objects.filter(kind="report")
    assert set(reports.values_list("slug", flat=True)) == {
        "achieving-cross-border-government-innovation",
        "surfacing-insights-and-experimenting-across-borders",
    }
    assert not reports.exclude(youtube_id="").exists()


def test_every_timestamp_of_the_seed_document_is_a_quote_second(seed_module):
    expected = seed_document_seconds()
    assert len(expected) == 71
    quoted = set()
    for quote in Quote.objects.filter(source__youtube_id=VIDEO_ID, document__slug=SEED_SLUG):
        quoted.update(quote.seconds)
    assert sorted(quoted) == expected


def test_one_quote_per_timestamped_statement(seed_module):
    seed_quotes = Quote.objects.filter(document__slug=SEED_SLUG)
    assert seed_quotes.count() == 72
    positions = sorted(seed_quotes.values_list("position", flat=True))
    assert positions == list(range(1, 73))
    for slug, statements in OTHER_DOCUMENTS.items():
        assert Quote.objects.filter(document__slug=slug).count() == statements, slug
    assert Quote.objects.filter(source__slug=VIDEO_ID).count() == 72 + sum(OTHER_DOCUMENTS.values())


def test_every_fixture_quote_is_adopted_by_its_document(seed_module):
    """The fixture quotes (no document) are matched to the statements they were read from."""
    assert not Quote.objects.filter(document__isnull=True).exists()


def test_every_case_has_evidence(seed_module):
    assert not Case.objects.filter(quotes__isnull=True).exists()


def test_quote_at_01_10_01_is_evidence_of_the_deep_space_food_challenge(seed_module):
    quote = Quote.objects.get(document__slug=SEED_SLUG, start_second=1 * 3600 + 10 * 60 + 1)
    assert quote.cases.filter(slug="deep-space-food-challenge").exists()
    assert quote.youtube_url.endswith("&t=4201s")


def test_quotes_link_the_challenges_and_factors_the_document_names(seed_module):
    assert (
        Quote.objects.get(document__slug=SEED_SLUG, start_second=27 * 60 + 30)
        .challenges.filter(slug="cultural-norms-and-values")
        .exists()
    )
    assert (
        Quote.objects.get(document__slug=SEED_SLUG, start_second=27 * 60 + 33)
        .challenges.filter(slug="lack-of-feedback-mechanisms-and-learning-loops")
        .exists()
    )
    assert (
        Quote.objects.get(document__slug=SEED_SLUG, start_second=39 * 60 + 32)
        .success_factors.filter(slug="legal-and-policy-frameworks")
        .exists()
    )


def test_quotes_match_the_parsed_seed_document(seed_module):
    parser = pytest.importorskip("cases.importing.parser")
    statements = parser.parse_document(SEED_DOCUMENT.read_text(encoding="utf-8")).statements
    quotes = list(Quote.objects.filter(document__slug=SEED_SLUG).order_by("position"))
    assert len(quotes) == len(statements)
    for quote, statement in zip(quotes, statements):
        assert quote.position == statement.position
        assert quote.text == statement.text
        assert quote.seconds == list(statement.seconds)
        assert quote.heading_path == " > ".join(statement.heading_path)


def test_new_rows_get_fresh_keys_after_the_seed(seed_module):
    """Loading explicit pks must leave the key sequences past them (PostgreSQL)."""
    theme = Theme.objects.create(name="A new theme", slug="a-new-theme")
    case = Case.objects.create(title="A new case", slug="a-new-case")
    assert theme.pk > 12 and case.pk > 11
