"""CSV and JSON exports: exactly the filtered set (all pages), one row per case, links as slugs."""

import csv
import io
import json

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cases.browse import exports
from cases.browse.filters import CaseFilter
from cases.models import Case, Participation
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    OrganisationFactory,
    ParticipationFactory,
    SuccessFactorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def read_json(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def detailed():
    """One fully linked published case, with a published parent, and a draft linked alike."""
    food = ThemeFactory(slug="food")
    prize = ApproachFactory(slug="prize")
    parent = CaseFactory(slug="parent", title="Parent", countries=["CA"])
    case = CaseFactory(
        slug="deep-space-food",
        title='Deep Space Food, "the challenge"',
        summary="Food for space.\nTwo lines.",
        countries=["US", "CA"],
        themes=[food],
        approaches=[prize],
        stage="scaling",
        start_year=2019,
        end_year=2024,
        website="https://example.org/dsfc",
        parent=parent,
    )
    ParticipationFactory(
        case=case, organisation=OrganisationFactory(slug="nasa", name="NASA"), role=Participation.Role.LEAD
    )
    ParticipationFactory(
        case=case, organisation=OrganisationFactory(slug="csa", name="CSA"), role=Participation.Role.PARTNER
    )
    CaseChallengeFactory(case=case, challenge=ChallengeFactory(slug="culture", order=1))
    CaseChallengeFactory(case=case, challenge=ChallengeFactory(slug="scaling", order=2))
    CaseSuccessFactorFactory(case=case, success_factor=SuccessFactorFactory(slug="trust"))
    CaseFactory(slug="draft", status=Case.Status.DRAFT, countries=["CA"], themes=[food])
    CaseFactory(slug="in-review", status=Case.Status.REVIEW, countries=["CA"], themes=[food])
    return case


def test_csv_row_holds_every_field_with_links_joined(client, detailed):
    rows = {row["slug"]: row for row in read_csv(client.get(reverse("cases:case-export-csv")))}
    assert list(rows) == ["deep-space-food", "parent"]
    row = rows["deep-space-food"]
    assert list(row) == exports.FIELDS
    assert row["title"] == 'Deep Space Food, "the challenge"'
    assert row["summary"] == "Food for space.\nTwo lines."
    assert (row["stage"], row["start_year"], row["end_year"]) == ("scaling", "2019", "2024")
    assert row["parent"] == "parent"
    assert row["countries"] == "CA;US"
    assert row["organisations"] == "nasa:lead;csa:partner"
    assert row["themes"] == "food"
    assert row["approaches"] == "prize"
    assert row["challenges"] == "culture;scaling"
    assert row["success_factors"] == "trust"
    assert row["url"] == "http://testserver/cases/deep-space-food/"
    assert "status" not in row and "body" not in row


def test_json_has_the_count_and_lists(client, detailed):
    data = read_json(client.get(reverse("cases:case-export-json"), {"country": "us"}))
    assert data["count"] == 1
    [row] = data["results"]
    assert row["countries"] == ["CA", "US"]
    assert row["organisations"] == ["nasa:lead", "csa:partner"]
    assert row["challenges"] == ["culture", "scaling"]
    assert row["start_year"] == 2019 and row["end_year"] == 2024


def test_a_parent_that_is_not_published_is_not_named(client, detailed):
    Case.objects.filter(slug="parent").update(status=Case.Status.DRAFT)
    data = read_json(client.get(reverse("cases:case-export-json")))
    assert [(row["slug"], row["parent"]) for row in data["results"]] == [("deep-space-food", "")]


@pytest.fixture
def many():
    """45 published cases (Canada or the US, food or space) and 5 drafts, written in bulk."""
    food, space = ThemeFactory(slug="food"), ThemeFactory(slug="space")
    built = [
        CaseFactory.build(slug=f"case-{number:02d}", title=f"Case {number:02d}", start_year=2000 + number % 10)
        for number in range(45)
    ] + [CaseFactory.build(slug=f"draft-{number}", status=Case.Status.DRAFT) for number in range(5)]
    cases = Case.objects.bulk_create(built)
    Case.countries.through.objects.bulk_create(
        Case.countries.through(case_id=case.pk, country_id="CA" if number % 3 or number >= 45 else "US")
        for number, case in enumerate(cases)
    )
    Case.themes.through.objects.bulk_create(
        Case.themes.through(case_id=case.pk, theme_id=(food if number % 2 or number >= 45 else space).pk)
        for number, case in enumerate(cases)
    )


@pytest.mark.parametrize(
    "query", ["", "country=ca", "country=ca&theme=food", "theme=food&theme=space&year_from=2005", "q=Summary"]
)
def test_exports_equal_the_filtered_set_across_all_pages(client, many, query):
    expected = list(CaseFilter(QueryDict(query)).qs.values_list("slug", flat=True))
    assert len(expected) > 0
    csv_slugs = [row["slug"] for row in read_csv(client.get(reverse("cases:case-export-csv") + "?" + query))]
    data = read_json(client.get(reverse("cases:case-export-json") + "?" + query))
    assert csv_slugs == expected
    assert [row["slug"] for row in data["results"]] == expected
    assert data["count"] == len(expected)
    assert not any(slug.startswith("draft") for slug in csv_slugs)


def test_exports_follow_the_sort(client, many):
    rows = read_csv(client.get(reverse("cases:case-export-csv"), {"sort": "-year"}))
    years = [int(row["start_year"]) for row in rows]
    assert years == sorted(years, reverse=True)


def test_exports_with_a_malformed_filter_answer_400_in_plain_text(client, many):
    for name in ("case-export-csv", "case-export-json"):
        response = client.get(reverse(f"cases:{name}"), {"year_from": "abc", "sort": "bogus"})
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "year_from: Enter a whole number." in text
        assert "sort: Select a valid choice." in text


def test_exports_ignore_unknown_values_as_the_browser_does(client, many):
    rows = read_csv(client.get(reverse("cases:case-export-csv"), {"country": ["zz", "us"]}))
    assert len(rows) == 15


def test_export_queries_are_bounded_per_chunk(client, many, monkeypatch, django_assert_max_num_queries, settings):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    monkeypatch.setattr(exports, "CHUNK_SIZE", 20)
    # 45 cases in 3 chunks: the library version (the export is cached under it), the cases (one
    # query, read in chunks), then one query a chunk for their links and claims (export_sql).
    with django_assert_max_num_queries(1 + 1 + 3 * 1):
        rows = read_csv(client.get(reverse("cases:case-export-csv")))
    assert len(rows) == 45
    with django_assert_max_num_queries(1):  # the same export again: the version only
        assert read_csv(client.get(reverse("cases:case-export-csv"))) == rows


def test_the_case_browser_links_its_exports_with_its_filters(client, many):
    response = client.get(reverse("cases:case-list"), {"country": "ca", "page": "2"})  # 30 cases: page 2 exists
    assert response.context["csv_url"] == "/cases.csv?country=ca"
    assert response.context["json_url"] == "/cases.json?country=ca"
    html = response.content.decode()
    assert 'href="/cases.csv?country=ca"' in html
    assert 'href="/cases.json?country=ca"' in html


def test_csv_cells_never_start_a_spreadsheet_formula(client):
    CaseFactory(slug="formula", title='=HYPERLINK("http://evil.example")', summary="+1 and @SUM(A1)")
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/cases.csv").streaming_content).decode())))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["summary"] == "'+1 and @SUM(A1)"


def test_exports_carry_each_claim_with_its_supporting_quote_links(client, detailed):
    from cases.models import Challenge
    from tests.factories import QuoteFactory

    on_culture = QuoteFactory(cases=[detailed], start_second=5)
    on_culture.challenges.add(Challenge.objects.get(slug="culture"))
    on_case = QuoteFactory(cases=[detailed], start_second=9)
    data = read_json(client.get(reverse("cases:case-export-json")))
    case = next(row for row in data["results"] if row["slug"] == "deep-space-food")
    assert case["claims"] == [
        {"claim": "summary", "evidenced": True, "quotes": [f"http://testserver/quotes/{on_case.pk}/"]},
        {"claim": "challenge:culture", "evidenced": True, "quotes": [f"http://testserver/quotes/{on_culture.pk}/"]},
        {"claim": "challenge:scaling", "evidenced": False, "quotes": []},
        {"claim": "success-factor:trust", "evidenced": False, "quotes": []},
    ]
    row = next(
        row for row in read_csv(client.get(reverse("cases:case-export-csv"))) if row["slug"] == "deep-space-food"
    )
    assert row["claims"] == (
        f"summary: http://testserver/quotes/{on_case.pk}/; challenge:culture: http://testserver/quotes/{on_culture.pk}/; "
        "challenge:scaling: not yet evidenced; success-factor:trust: not yet evidenced"
    )


def claims_cell(claims):
    """The claims of a case as the CSV export's cell: `claim: url url; claim: not yet evidenced; …`."""
    return "; ".join(
        f"{claim['claim']}: {' '.join(claim['quotes']) if claim['evidenced'] else 'not yet evidenced'}"
        for claim in claims
    )


def case_csv_oracle(rows):
    """The case export's CSV text written in Python from case_rows (the JSON's rows)."""
    return exports.csv_lines(
        rows=({**row, "claims": claims_cell(row["claims"])} for row in rows),
        fields=exports.FIELDS,
        list_fields=exports.LIST_FIELDS,
    )


def test_exported_claims_follow_the_claims_rule(rf):
    """The claims the export's SQL aggregates (export_sql) are those cases.claims groups from its
    evidence rows, in the case page's order: on quotes backing two claims, a claim not made, story
    evidence outside the case's quotes, a section of blanks (not a claim, yet its quotes leave the
    summary), an empty section with evidence (its quotes stay on the summary), a case with nothing."""
    from cases.claims import CHALLENGE, FACTOR, STORY, SUMMARY, evidence_by_claim, evidence_rows
    from cases.models import CaseChallenge, CaseSuccessFactor, StoryEvidence
    from tests.factories import QuoteFactory

    case = CaseFactory(slug="claims", story_problem="A problem.", story_results=" \n\t\u00a0", story_lessons="")
    bare = CaseFactory(slug="bare")
    first, second, unclaimed = (ChallengeFactory(order=order) for order in (2, 1, 3))
    factor = SuccessFactorFactory()
    for challenge in (first, second):
        CaseChallengeFactory(case=case, challenge=challenge)
    CaseSuccessFactorFactory(case=case, success_factor=factor)
    quotes = [QuoteFactory(cases=[case]) for _ in range(8)]
    quotes[0].challenges.add(first)
    quotes[1].challenges.add(first, second)
    quotes[1].success_factors.add(factor)
    quotes[2].challenges.add(unclaimed)
    elsewhere = QuoteFactory()
    StoryEvidence.objects.create(case=case, section="problem").quotes.add(elsewhere, quotes[3])
    StoryEvidence.objects.create(case=case, section="results").quotes.add(quotes[4])
    StoryEvidence.objects.create(case=case, section="lessons").quotes.add(quotes[5])

    request = rf.get("/cases.json")
    json_rows = {
        row["slug"]: row for row in exports.case_rows(cases=Case.objects.all(), absolute_url=request.build_absolute_uri)
    }
    rows = {slug: row["claims"] for slug, row in json_rows.items()}
    text = "".join(exports.case_csv_lines(cases=Case.objects.all(), absolute_url=request.build_absolute_uri))
    cells = {row["slug"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}

    ids = [case.pk, bare.pk]
    evidence = evidence_by_claim(evidence_rows(ids, by_slug=True), case_ids=ids)
    for subject in (case, bare):
        keys = [(SUMMARY, 0)] + [(STORY, section.value) for section, _text in subject.story]
        keys += [
            (CHALLENGE, link.challenge.slug)
            for link in CaseChallenge.objects.filter(case=subject).order_by("challenge__order", "challenge__name", "pk")
        ]
        keys += [
            (FACTOR, link.success_factor.slug)
            for link in CaseSuccessFactor.objects.filter(case=subject).order_by(
                "success_factor__kind", "success_factor__order", "success_factor__name", "pk"
            )
        ]
        expected = [
            {
                "claim": SUMMARY if group == SUMMARY else f"{group}:{slug}",
                "evidenced": bool(evidence[subject.pk].get((group, slug))),
                "quotes": [f"http://testserver/quotes/{pk}/" for pk in evidence[subject.pk].get((group, slug), [])],
            }
            for group, slug in keys
        ]
        assert rows[subject.slug] == expected
        # The CSV export's cells, written by the database (export_sql's `as_text`), are the same
        # claims and lists as the JSON's, joined as claims_cell and csv_lines join them.
        assert cells[subject.slug]["claims"] == claims_cell(expected)
        for field in exports.LIST_FIELDS:
            assert cells[subject.slug][field] == ";".join(json_rows[subject.slug][field])
    summary = rows["claims"][0]["quotes"]
    assert summary == [
        f"http://testserver/quotes/{quote.pk}/" for quote in (quotes[2], quotes[5], quotes[6], quotes[7])
    ]
    assert [claim["claim"] for claim in rows["claims"]] == [
        "summary",
        "story:problem",
        f"challenge:{second.slug}",
        f"challenge:{first.slug}",
        f"success-factor:{factor.slug}",
    ]
    assert rows["bare"] == [{"claim": "summary", "evidenced": False, "quotes": []}]


def test_url_maker_gives_what_reverse_and_build_absolute_uri_give(rf):
    from django.urls import reverse

    from cases.url_paths import url_maker

    request = rf.get("/cases.csv")
    for name, kwarg, values in (
        ("cases:case-detail", "slug", ["a", "gen-0001", "x_y-9", "0123"]),
        ("cases:quote-detail", "pk", [1, 42, 1234567890]),
        # A str converter: characters reverse() quotes, keeps, or leaves to the URL's own syntax.
        ("cases:source-detail", "key", ["a~b.c", "é ü", "a;b:c@d", "100%", "x?y#z", "[v]", "'\"<>"]),
    ):
        made = url_maker(request.build_absolute_uri, name, kwarg)
        for value in values:
            assert made(value) == request.build_absolute_uri(reverse(name, kwargs={kwarg: value}))


@pytest.fixture
def pinned_library(detailed):
    """`detailed` with everything an export row shows: a story with evidence, supporting links,
    quotes on the summary, a challenge and a story section, formula-like and non-ASCII text."""
    from cases.models import Challenge, StoryEvidence, SupportingLink
    from tests.factories import QuoteFactory

    detailed.story_problem = "Astronauts eat; =badly"
    detailed.story_lessons = "Ask chefs ＋ engineers."
    detailed.level_of_government = "national"
    detailed.contact_email = "team@example.org"
    detailed.save()
    SupportingLink.objects.create(case=detailed, title="B report", url="https://example.org/b", kind="report", order=1)
    SupportingLink.objects.create(case=detailed, title="A video", url="https://example.org/a", kind="video", order=1)
    on_culture = QuoteFactory(cases=[detailed], start_second=5)
    on_culture.challenges.add(Challenge.objects.get(slug="culture"))
    on_summary = [QuoteFactory(cases=[detailed], start_second=9), QuoteFactory(cases=[detailed], start_second=11)]
    on_story = QuoteFactory(cases=[detailed], start_second=13)
    StoryEvidence.objects.create(case=detailed, section="problem").quotes.add(on_story)
    return {"culture": on_culture.pk, "summary": [quote.pk for quote in on_summary], "story": on_story.pk}


def test_case_csv_bytes_are_pinned(client, pinned_library):
    """The exact bytes of a small export (header, quoting, line ends, cell order, formula guards),
    pinned so that making the export faster cannot change what it writes."""
    from cases.models import Case

    case = Case.objects.get(slug="deep-space-food")
    parent = Case.objects.get(slug="parent")
    response = client.get(reverse("cases:case-export-csv"), {"sort": "title"})
    body = b"".join(response.streaming_content).decode()
    quote = "http://testserver/quotes/{}/".format
    summary_quotes = " ".join(quote(pk) for pk in pinned_library["summary"])
    expected = (
        "slug,title,summary,stage,start_year,end_year,website,parent,published_at,updated_at,"
        "level_of_government,contact_email,story_problem,story_innovation,story_stakeholders,story_results,"
        "story_failures,story_conditions,story_replication,story_lessons,results_evidence,countries,"
        "organisations,themes,approaches,challenges,success_factors,supporting_links,claims,url\r\n"
        f'deep-space-food,"Deep Space Food, ""the challenge""","Food for space.\nTwo lines.",scaling,2019,2024,'
        f"https://example.org/dsfc,parent,{case.published_at.isoformat()},{case.updated_at.isoformat()},"
        "national,team@example.org,Astronauts eat; '=badly,,,,,,,Ask chefs ＋ engineers.,"
        f"{case.results_evidence},CA;US,nasa:lead;csa:partner,food,prize,culture;scaling,trust,"
        "video:https://example.org/a;report:https://example.org/b,"
        f"summary: {summary_quotes}; story:problem: {quote(pinned_library['story'])}; "
        "story:lessons: not yet evidenced; "
        f"challenge:culture: {quote(pinned_library['culture'])}; challenge:scaling: not yet evidenced; "
        "success-factor:trust: not yet evidenced,http://testserver/cases/deep-space-food/\r\n"
        f"parent,Parent,Summary of Parent.,pilot,2020,,,,{parent.published_at.isoformat()},"
        f"{parent.updated_at.isoformat()},{parent.level_of_government},,,,,,,,,,{parent.results_evidence},"
        "CA,,,,,,,summary: not yet evidenced,http://testserver/cases/parent/\r\n"
    )
    assert body == expected


def test_case_json_is_pinned(client, pinned_library):
    """The JSON export's text for the same library: the same values, lists as lists."""
    from cases.models import Case

    case = Case.objects.get(slug="deep-space-food")
    response = client.get(reverse("cases:case-export-json"), {"sort": "title", "country": "us"})
    body = b"".join(response.streaming_content).decode()
    quote = "http://testserver/quotes/{}/".format
    row = {
        "slug": "deep-space-food",
        "title": 'Deep Space Food, "the challenge"',
        "summary": "Food for space.\nTwo lines.",
        "stage": "scaling",
        "start_year": 2019,
        "end_year": 2024,
        "website": "https://example.org/dsfc",
        "parent": "parent",
        "published_at": case.published_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "level_of_government": "national",
        "contact_email": "team@example.org",
        "story_problem": "Astronauts eat; =badly",
        "story_innovation": "",
        "story_stakeholders": "",
        "story_results": "",
        "story_failures": "",
        "story_conditions": "",
        "story_replication": "",
        "story_lessons": "Ask chefs ＋ engineers.",
        "results_evidence": case.results_evidence,
        "countries": ["CA", "US"],
        "organisations": ["nasa:lead", "csa:partner"],
        "themes": ["food"],
        "approaches": ["prize"],
        "challenges": ["culture", "scaling"],
        "success_factors": ["trust"],
        "supporting_links": ["video:https://example.org/a", "report:https://example.org/b"],
        "claims": [
            {"claim": "summary", "evidenced": True, "quotes": [quote(pk) for pk in pinned_library["summary"]]},
            {"claim": "story:problem", "evidenced": True, "quotes": [quote(pinned_library["story"])]},
            {"claim": "story:lessons", "evidenced": False, "quotes": []},
            {"claim": "challenge:culture", "evidenced": True, "quotes": [quote(pinned_library["culture"])]},
            {"claim": "challenge:scaling", "evidenced": False, "quotes": []},
            {"claim": "success-factor:trust", "evidenced": False, "quotes": []},
        ],
        "url": "http://testserver/cases/deep-space-food/",
    }
    assert body == '{"count": 1, "results": [\n' + json.dumps(row, ensure_ascii=False) + "\n]}\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (2019, "2019"),
        (-5, "'-5"),
        ("deep-space-food", "deep-space-food"),
        ("http://testserver/cases/a-b/", "http://testserver/cases/a-b/"),
        ("  =1+1", "  '=1+1"),
        ("＝SUM(A1)", "'＝SUM(A1)"),
        ("ok;=1+1", "ok;'=1+1"),
        ("ok; @x", "ok; '@x"),
        ("line\n-1", "line\n'-1"),
        ("\tplain", "'\tplain"),
        ("\n=1", "'\n'=1"),
        ("a - b", "a - b"),
    ],
)
def test_spreadsheet_safe_guards_every_formula_start_and_nothing_else(value, expected):
    assert exports.spreadsheet_safe(value) == expected


@pytest.mark.parametrize(
    "values",
    [
        ["plain", None, 2019, "http://testserver/cases/a/", ""],
        ["plain", -5, "ok"],
        ["ok", "a;=1", "b"],
        ["\tfirst", "x"],
        ["x", "\nlast"],
        ["x", "  @y"],
        ["x\x1f=y", "z"],
        ["x", "line\n-1", "＋"],
    ],
)
def test_a_line_is_guarded_as_its_cells_are(values):
    assert exports.spreadsheet_safe_line(values) == [exports.spreadsheet_safe(value) for value in values]


# Cells with what the writer quotes (delimiter, quote, line breaks), what it does not, and empty ones.
CELLS = st.text(alphabet=st.sampled_from(["a", " ", ",", '"', "\r", "\n", ";", "=", "\x00", "é", "x"]), max_size=6)


@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=4), plain=st.integers(min_value=0, max_value=4))
def test_lines_with_a_plain_cell_are_what_the_writer_writes(rows, plain):
    """_lines joins a plain cell in as it is only where csv.writer would write it as it is: the
    text is the writer's, for any cells, wherever the plain cell is (first, last, a line's only)."""
    rows = [cells for cells in rows if plain < len(cells)]
    expected = io.StringIO()
    csv.writer(expected).writerows([["f"], *rows])
    assert "".join(exports._lines(["f"], rows, plain=plain)) == expected.getvalue()
    assert "".join(exports._lines(["f"], rows)) == expected.getvalue()


def test_a_plain_cell_is_joined_in_and_a_quoted_one_written_by_the_writer():
    rows = [["a, b", "summary: http://x/quotes/1/", "z"], ["a", 'claim, "quoted"', ""]]
    text = "".join(exports._lines(["one", "two", "three"], rows, plain=1))
    assert text == 'one,two,three\r\n"a, b",summary: http://x/quotes/1/,z\r\na,"claim, ""quoted""",\r\n'


def test_the_story_whitespace_is_what_strip_removes():
    from cases.browse.export_sql import WHITESPACE

    assert set(WHITESPACE) == {chr(code) for code in range(0x110000) if chr(code).isspace()}


def test_a_case_deleted_while_its_export_streams_is_written_without_links(rf, detailed, monkeypatch):
    # None found any more.
    monkeypatch.setattr(exports, "case_aggregates", lambda case_ids, quote_url, as_text=False: {})
    request = rf.get("/cases.json")
    row = next(exports.case_rows(cases=Case.objects.filter(pk=detailed.pk), absolute_url=request.build_absolute_uri))
    assert row["slug"] == "deep-space-food"
    assert all(row[field] == [] for field in exports.LIST_FIELDS)
    assert row["claims"] == [{"claim": "summary", "evidenced": False, "quotes": []}]
    text = "".join(
        exports.case_csv_lines(cases=Case.objects.filter(pk=detailed.pk), absolute_url=request.build_absolute_uri)
    )
    [cells] = csv.DictReader(io.StringIO(text, newline=""))
    assert cells["slug"] == "deep-space-food"
    assert all(cells[field] == "" for field in exports.LIST_FIELDS)
    assert cells["claims"] == "summary: not yet evidenced"


def test_the_csv_export_is_the_json_rows_written_as_csv(rf, detailed):
    """case_csv_lines (cells written by the database) gives the text csv_lines writes from
    case_rows (JSON parsed, lists and claims joined in Python: case_csv_oracle), guard and quoting
    included."""
    from cases.models import Challenge
    from tests.factories import QuoteFactory

    CaseFactory(slug="formula", title="=1+1, said", summary='@SUM(A1)\n"+quoted"; -x', countries=["CA"])
    quote = QuoteFactory(cases=[detailed])
    quote.challenges.add(Challenge.objects.get(slug="culture"))
    QuoteFactory(cases=[detailed])
    request = rf.get("/cases.csv")
    cases = Case.objects.published().order_by("slug")
    written = "".join(exports.case_csv_lines(cases=cases, absolute_url=request.build_absolute_uri))
    rows = exports.case_rows(cases=cases, absolute_url=request.build_absolute_uri)
    assert written == "".join(case_csv_oracle(rows))
    assert written.count("\r\n") > 3  # the header and the rows, not an empty export


# -- the export's text kept under the library version (library_version.cached_stream) ---------------


def export_text(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("path", ["/cases.csv?country=ca", "/cases.json?country=ca&sort=-year"])
def test_a_repeated_export_is_read_from_the_cache_and_a_write_refreshes_it(client, detailed, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = export_text(client, path)
    with CaptureQueriesContext(connection) as repeated:
        assert export_text(client, path) == first
    # The version and the cache entry (the rate limit's count besides): no case is read.
    assert not [query for query in repeated.captured_queries if "cases_case" in query["sql"].split("FROM", 1)[-1]]

    case = Case.objects.get(slug="deep-space-food")
    case.title = "Deep Space Food, renamed"
    case.save()
    renamed = export_text(client, path)
    assert "Deep Space Food, renamed" in renamed and renamed != first
    Case.objects.filter(slug="deep-space-food").update(status=Case.Status.DRAFT)  # bulk: no signal
    assert "deep-space-food" not in export_text(client, path)


@pytest.mark.parametrize(
    "path", ["/cases.csv?country=ca", "/cases.json", "/cases/", "/cases/deep-space-food/", "/quotes/"]
)
def test_a_script_prefix_sent_by_one_client_never_reaches_the_next(client, detailed, path):
    """The cached pages and exports hold URLs that reverse() starts with the script prefix: entries
    made under one prefix are kept under their own keys, not served under another (FORCE_SCRIPT_NAME
    makes it one a deployment; tests/test_script_prefix.py)."""
    from django.test.utils import override_script_prefix

    from tests.factories import QuoteFactory

    QuoteFactory(cases=[detailed])

    def text(**extra):
        response = client.get(path, **extra)
        assert response.status_code == 200
        return (b"".join(response.streaming_content) if response.streaming else response.content).decode()

    with override_script_prefix("/a,b/"):  # what Django's WSGI handler sets from SCRIPT_NAME
        assert "/a,b/" in text(SCRIPT_NAME="/a,b")  # the prefix's own links
    plain = text()
    assert "/a,b/" not in plain and "/quotes/" in plain


def test_the_cached_export_keeps_the_sort_and_the_site_address_apart(client, detailed):
    by_title = export_text(client, "/cases.csv?country=ca&sort=title")
    by_year = export_text(client, "/cases.csv?country=ca&sort=-year")
    slugs = [[row["slug"] for row in csv.DictReader(io.StringIO(text))] for text in (by_title, by_year)]
    assert slugs == [["deep-space-food", "parent"], ["deep-space-food", "parent"][::-1]]
    other_host = export_text(client, "/cases.csv?country=ca&sort=title", HTTP_HOST="localhost")
    assert "http://localhost/cases/deep-space-food/" in other_host
    assert "http://testserver/" not in other_host


def test_an_export_past_the_size_bound_is_streamed_and_not_stored(client, detailed, monkeypatch):
    from django.core.cache import cache

    from cases import library_version

    stored = []
    monkeypatch.setattr(cache, "set", lambda key, value, *args, **kwargs: stored.append(key))
    monkeypatch.setattr(library_version, "CACHED_STREAM_MAX_CHARACTERS", 10)
    text = export_text(client, "/cases.csv")
    assert "deep-space-food" in text and not stored
    monkeypatch.setattr(library_version, "CACHED_STREAM_MAX_CHARACTERS", len(text))
    assert export_text(client, "/cases.csv") == text and len(stored) == 1
