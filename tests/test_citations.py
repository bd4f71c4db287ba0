"""cases/browse/citations.py, the .bib/.ris downloads and the citation blocks: they parse, carry the right fields, escape."""

import datetime as dt

import bibtexparser
import pytest
import rispy
from django.urls import reverse
from django.utils import timezone

from cases.browse import citations
from cases.models import Case
from tests.factories import CaseFactory, QuoteFactory, SourceFactory, ThemeFactory

pytestmark = pytest.mark.django_db

URL = "https://library.example/cases/deep-space-food-challenge/"
ACCESSED = dt.date(2025, 3, 4)


@pytest.fixture
def case():
    return CaseFactory(
        slug="deep-space-food-challenge",
        title="Deep Space Food Challenge",
        summary="Canada & the US: 100% {prizes} for $food_tech #space ~ ^ \\ done.",
        published_at=dt.datetime(2024, 5, 17, 10, 0, tzinfo=dt.UTC),
        themes=[ThemeFactory(name="Space", slug="space"), ThemeFactory(name="Food security", slug="food-security")],
    )


def parse_bibtex(text):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    assert len(library.entries) == 1
    return library.entries[0]


def test_bibtex_parses_with_the_fields_of_the_case(case):
    entry = parse_bibtex(citations.case_bibtex(case, url=URL, accessed=ACCESSED, keywords=["Space", "Food security"]))
    assert entry.entry_type == "misc"
    assert entry.key == "deep-space-food-challenge-2024"
    assert entry["title"] == "{Deep Space Food Challenge}"
    assert entry["author"] == "{Cross-border Innovation Case Library}"
    assert entry["year"] == "2024"
    assert entry["url"] == URL
    assert entry["urldate"] == "2025-03-04"
    assert entry["keywords"] == "Space, Food security"


def test_bibtex_escapes_latex_special_characters(case):
    entry = parse_bibtex(citations.case_bibtex(case, url=URL, accessed=ACCESSED))
    assert entry["abstract"] == (
        r"Canada \& the US: 100\% \textbraceleft{}prizes\textbraceright{} for \$food\_tech \#space \textasciitilde{} "
        r"\textasciicircum{} \textbackslash{} done."
    )


def test_bibtex_of_a_title_with_braces_and_newlines_stays_one_entry():
    case = CaseFactory(title="A {broken\n} title } with @misc{x,", summary="Line one\nline two")
    text = citations.case_bibtex(case, url=URL, accessed=ACCESSED)
    entry = parse_bibtex(text)
    assert "\n" not in entry["title"]
    # Classic BibTeX counts every brace, escaped or not: they must balance.
    assert text.count("{") == text.count("}")


def test_ris_parses_with_the_fields_of_the_case(case):
    text = citations.case_ris(case, url=URL, accessed=ACCESSED, keywords=["Space", "Food security"])
    [record] = rispy.loads(text)
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == "Deep Space Food Challenge"
    assert record["authors"] == ["Cross-border Innovation Case Library"]
    assert record["year"] == "2024"
    assert record["date"] == "2024/05/17"
    assert record["urls"] == [URL]
    assert record["access_date"] == "2025/03/04"
    assert record["keywords"] == ["Space", "Food security"]
    assert text.endswith("ER  - \r\n")


def test_ris_keeps_every_value_on_one_line():
    case = CaseFactory(title="Two\nlines", summary="ER  - injected\r\nTY  - JOUR")
    [record] = rispy.loads(citations.case_ris(case, url=URL, accessed=ACCESSED))
    assert record["title"] == "Two lines"
    assert record["abstract"] == "ER - injected TY - JOUR"


def test_apa_line_names_the_library_date_title_and_permalink(case):
    assert citations.case_apa(case, url=URL, accessed=ACCESSED) == (
        "Cross-border Innovation Case Library. (2024, May 17). Deep Space Food Challenge. "
        f"Retrieved March 4, 2025, from {URL}"
    )


def test_a_never_published_case_is_dated_by_its_last_update():
    case = CaseFactory(published_at=None)
    assert citations.case_date(case) == timezone.localdate(case.updated_at)


def test_bib_and_ris_downloads_of_a_published_case(client, case):
    bib = client.get(reverse("cases:case-cite-bib", kwargs={"slug": case.slug}))
    ris = client.get(reverse("cases:case-cite-ris", kwargs={"slug": case.slug}))
    assert bib.status_code == ris.status_code == 200
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert ris["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    entry = parse_bibtex(bib.content.decode())
    assert entry["url"] == "http://testserver/cases/deep-space-food-challenge/"
    assert entry["keywords"] == "Food security, Space"
    [record] = rispy.loads(ris.content.decode())
    assert record["urls"] == ["http://testserver/cases/deep-space-food-challenge/"]


# An archived case stays citable: tests/test_permalinks.py.
@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.REVIEW])
def test_no_citation_of_an_unpublished_case(client, status):
    case = CaseFactory(status=status)
    assert client.get(reverse("cases:case-cite-bib", kwargs={"slug": case.slug})).status_code == 404
    assert client.get(reverse("cases:case-cite-ris", kwargs={"slug": case.slug})).status_code == 404


def test_case_page_has_the_cite_block_and_meta_tags(client, case):
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Cite this case" in html
    assert "Cross-border Innovation Case Library. (2024, May 17). Deep Space Food Challenge." in html
    assert 'href="/cases/deep-space-food-challenge/cite.bib"' in html
    assert 'href="/cases/deep-space-food-challenge/cite.ris"' in html
    assert '<meta name="citation_title" content="Deep Space Food Challenge">' in html
    assert '<meta name="citation_publication_date" content="2024/05/17">' in html
    assert '<meta name="DC.identifier" content="http://testserver/cases/deep-space-food-challenge/">' in html
    assert '<meta name="DC.date" content="2024-05-17">' in html


def test_meta_tags_escape_the_case_text(client):
    case = CaseFactory(title='A "quoted" <title>')
    html = client.get(case.get_absolute_url()).content.decode()
    assert '<meta name="citation_title" content="A &quot;quoted&quot; &lt;title&gt;">' in html


@pytest.fixture
def quote():
    source = SourceFactory(
        title="Surfacing Insights and Experimenting across Borders",
        youtube_id="nGjuo-7sUXM",
        slug="nGjuo-7sUXM",
        channel="OECD Observatory of Public Sector Innovation",
        published_on=dt.date(2023, 6, 14),
    )
    return QuoteFactory(source=source, text="Borders are where innovation gets hard.", start_second=352)


def test_quote_citation_gives_the_source_the_second_and_the_link(quote):
    assert citations.quote_apa(quote, seconds_url=quote.youtube_url) == (
        "OECD Observatory of Public Sector Innovation. (2023, June 14). "
        "Surfacing Insights and Experimenting across Borders [Video]. YouTube. "
        "https://www.youtube.com/watch?v=nGjuo-7sUXM&t=352s (at 00:05:52)"
    )
    assert citations.quote_in_text(quote) == "(OECD Observatory of Public Sector Innovation, 2023, 00:05:52)"


def test_quote_page_gives_a_ready_citation(client, quote):
    html = client.get(quote.get_absolute_url()).content.decode()
    assert "Cite this quote" in html
    assert 'href="https://www.youtube.com/watch?v=nGjuo-7sUXM&amp;t=352s"' in html
    assert "00:05:52" in html
    assert "(OECD Observatory of Public Sector Innovation, 2023, 00:05:52)" in html
    assert f'<meta name="DC.identifier" content="http://testserver/quotes/{quote.pk}/">' in html
