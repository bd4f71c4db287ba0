"""The public pages of cases/views/browse.py: what each shows, what it hides; that their query counts do not
grow with the library (the ceilings per page: tests/test_query_counts.py)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseChallenge, Participation, Quote, Source, SupportingLink
from tests.factories import (
    ApproachFactory,
    CaseChallengeFactory,
    CaseFactory,
    CaseSuccessFactorFactory,
    ChallengeFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    SuccessFactorFactory,
    ThemeFactory,
)
from tests.pages_library import build_library

pytestmark = pytest.mark.django_db


def html_of(response):
    return response.content.decode()


def text_between(html, start, end):
    return html[html.index(start) : html.index(end, html.index(start))]


# --- Overview ----------------------------------------------------------------------------------


def test_home_shows_counts_newest_cases_entry_points_and_search_box(client, seed):
    response = client.get("/")
    assert response.status_code == 200
    html = html_of(response)
    published = Case.objects.published().count()
    assert re.search(rf"<strong>{published}</strong> published case", html)
    assert "Deep Space Food Challenge" in html
    assert 'href="/countries/ca/"' in html
    assert 'href="/challenges/cultural-norms-and-values/"' in html
    assert 'href="/themes/space-exploration/"' in html
    assert re.search(r'<form[^>]*action="/search/"[^>]*method="get"', html)
    assert 'name="q"' in html


def test_home_counts_countries_of_published_cases_only(client):
    CaseFactory(countries=["CA", "US"])
    CaseFactory(countries=["JP"], status=Case.Status.DRAFT)
    html = html_of(client.get("/"))
    assert "<strong>2</strong> countries involved" in html
    assert "<strong>1</strong> published case" in html


# --- Case page ---------------------------------------------------------------------------------


def test_case_page_shows_countries_and_a_quote_linked_at_its_second(client, seed):
    response = client.get("/cases/deep-space-food-challenge/")
    assert response.status_code == 200
    html = html_of(response)
    assert '<a href="/countries/ca/">Canada</a>' in html
    assert '<a href="/countries/us/">United States</a>' in html
    link = re.search(r'<a class="timestamp" href="([^"]*&amp;t=4201s)"[^>]*>([^<]*)</a>', html)
    assert link, "no quote link at 4201 seconds"
    assert link.group(1) == "https://www.youtube.com/watch?v=nGjuo-7sUXM&amp;t=4201s"
    assert link.group(2) == "01:10:01"


def test_case_page_side_panel_shows_organisations_by_role_themes_approaches_stage_years_website(client):
    case = CaseFactory(
        title="Panel case",
        stage=Case.Stage.SCALING,
        start_year=2019,
        end_year=2022,
        website="https://example.org/panel",
        themes=[ThemeFactory(name="Oceans")],
        approaches=[ApproachFactory(name="Testbeds")],
    )
    ParticipationFactory(case=case, organisation=OrganisationFactory(name="Funder org"), role=Participation.Role.FUNDER)
    ParticipationFactory(case=case, organisation=OrganisationFactory(name="Lead org"), role=Participation.Role.LEAD)
    html = html_of(client.get(case.get_absolute_url()))
    panel = text_between(html, '<aside class="facts"', "</aside>")
    assert panel.index("Lead") < panel.index("Lead org") < panel.index("Funder") < panel.index("Funder org")
    for shown in ("Oceans", "Testbeds", "Scaling", "2019–2022", 'href="https://example.org/panel"'):
        assert shown in panel


def test_case_page_shows_each_challenge_and_factor_with_its_note_and_its_own_quotes(client):
    case = CaseFactory()
    challenge = ChallengeFactory(name="Cultural norms")
    factor = SuccessFactorFactory(name="Shared platforms")
    CaseChallengeFactory(case=case, challenge=challenge, note="Met by *agile* work.")
    CaseSuccessFactorFactory(case=case, success_factor=factor, note="Shown by a platform.")
    about_challenge = QuoteFactory(text="Said about norms.", cases=[case])
    about_challenge.challenges.add(challenge)
    about_factor = QuoteFactory(text="Said about platforms.", cases=[case])
    about_factor.success_factors.add(factor)
    QuoteFactory(text="Said about something else.", cases=[case])
    QuoteFactory(text="Norms in another case.").challenges.add(challenge)

    html = html_of(client.get(case.get_absolute_url()))
    challenges = text_between(html, 'id="challenges-heading"', "</section>")
    factors = text_between(html, 'id="factors-heading"', "</section>")
    further = text_between(html, 'id="evidence-heading"', "</section>")
    assert "Met by <em>agile</em> work." in challenges and "Said about norms." in challenges
    assert "Shown by a platform." in factors and "Said about platforms." in factors
    assert "Said about something else." in further
    assert "Said about norms." not in further and "Said about platforms." not in further
    assert "Norms in another case." not in html


def test_case_page_lists_every_second_a_quote_cites(client):
    case = CaseFactory()
    QuoteFactory(cases=[case], start_second=65, other_seconds=[3723])
    html = html_of(client.get(case.get_absolute_url()))
    assert "&amp;t=65s" in html and ">00:01:05</a>" in html
    assert "&amp;t=3723s" in html and ">01:02:03</a>" in html


def test_case_body_markdown_is_sanitised(client):
    case = CaseFactory(body="**Bold** <script>alert(1)</script> [x](javascript:alert(2))")
    html = html_of(client.get(case.get_absolute_url()))
    assert "<strong>Bold</strong>" in html
    # CommonMark refuses the javascript: link and shows what was written as text, never as an href.
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html.lower()
    assert "[x](javascript:alert(2))" in html


def test_case_page_shows_published_parent_and_children_only(client):
    parent = CaseFactory(title="The parent")
    case = CaseFactory(title="The case", parent=parent)
    CaseFactory(title="Published child", parent=case)
    CaseFactory(title="Draft child", parent=case, status=Case.Status.DRAFT)
    html = html_of(client.get(case.get_absolute_url()))
    assert "The parent" in html and "Published child" in html and "Draft child" not in html

    draft_parent = CaseFactory(title="Hidden parent", status=Case.Status.REVIEW)
    orphan = CaseFactory(parent=draft_parent)
    assert "Hidden parent" not in html_of(client.get(orphan.get_absolute_url()))


def test_related_cases_are_ranked_by_what_they_share_and_exclude_drafts(client):
    space, food = ThemeFactory(), ThemeFactory()
    prizes = ApproachFactory()
    case = CaseFactory(countries=["CA"], themes=[space, food], approaches=[prizes])
    CaseFactory(title="Shares three", countries=["CA"], themes=[space, food])
    CaseFactory(title="Shares one", themes=[food])
    CaseFactory(title="Shares two", countries=["CA"], approaches=[prizes])
    CaseFactory(title="Shares nothing", countries=["JP"])
    CaseFactory(title="Draft sharing all", countries=["CA"], themes=[space, food], status=Case.Status.DRAFT)
    html = html_of(client.get(case.get_absolute_url()))
    related = text_between(html, 'id="related-heading"', "</section>")
    assert related.index("Shares three") < related.index("Shares two") < related.index("Shares one")
    assert "3 in common" in related
    assert "Shares nothing" not in related and "Draft sharing all" not in related


def test_a_related_case_lists_its_countries_by_name_with_no_query_for_them(client, django_assert_max_num_queries):
    theme = ThemeFactory()
    case = CaseFactory(themes=[theme], countries=["CA"])
    CaseFactory(title="Neighbour", themes=[theme], countries=["SN", "JP", "CA"])
    CaseFactory(title="Draft neighbour", themes=[theme], countries=["FR"], status=Case.Status.DRAFT)
    client.get(case.get_absolute_url())  # the library's bitmaps and term tables, once per version
    cache.clear()
    with django_assert_max_num_queries(30) as queries:
        html = html_of(client.get(case.get_absolute_url()))
    related = text_between(html, 'id="related-heading"', "</section>")
    assert related.index("Canada") < related.index("Japan") < related.index("Senegal")
    assert 'href="/countries/sn/"' in related and "France" not in related
    assert not any("cases_case_countries" in query["sql"] and "IN (" in query["sql"] for query in queries)


@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.REVIEW])
def test_unpublished_case_url_is_404(client, status):
    case = CaseFactory(status=status)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in html_of(response)


# --- Challenges and success factors ------------------------------------------------------------


def test_challenge_list_counts_published_cases_only(client):
    challenge = ChallengeFactory(name="Undeveloped ecosystems")
    CaseChallengeFactory(challenge=challenge)
    CaseChallengeFactory(challenge=challenge, case=CaseFactory(status=Case.Status.DRAFT))
    html = html_of(client.get("/challenges/"))
    assert re.search(r"Undeveloped ecosystems</a>\s*<span class=\"count\">1 case</span>", html)


def test_success_factor_list_groups_factors_by_kind(client):
    SuccessFactorFactory(name="Budgeting for success", kind="ecosystem")
    SuccessFactorFactory(name="Iteration and learning", kind="project")
    html = html_of(client.get("/success-factors/"))
    project = html.index("Project factors")
    ecosystem = html.index("Ecosystem factors")
    assert project < html.index("Iteration and learning") < ecosystem < html.index("Budgeting for success")


def test_challenge_page_shows_description_cases_with_notes_and_capped_quotes(client):
    challenge = ChallengeFactory(slug="scaling", name="Scaling", description="Hard to *scale*.")
    CaseChallengeFactory(challenge=challenge, case=CaseFactory(title="Scaled case"), note="Scaled by copying.")
    CaseChallengeFactory(challenge=challenge, case=CaseFactory(title="Draft scaled", status="draft"), note="Hidden.")
    for n in range(12):
        QuoteFactory(text=f"Scaling quote {n}.").challenges.add(challenge)
    html = html_of(client.get("/challenges/scaling/"))
    assert "Hard to <em>scale</em>." in html
    assert "Scaled case" in html and "Scaled by copying." in html
    assert "Draft scaled" not in html and "Hidden." not in html
    assert html.count('<blockquote class="quote"') == 10
    assert 'href="/quotes/?challenge=scaling"' in html and "All 12 quotes" in html


def test_success_factor_page_links_its_quotes_to_the_published_cases_they_support(client):
    factor = SuccessFactorFactory(slug="budgeting", name="Budgeting")
    case = CaseFactory(title="Budgeted case")
    CaseSuccessFactorFactory(success_factor=factor, case=case, note="Budgeted well.")
    quote = QuoteFactory(text="Money matters.", cases=[case, CaseFactory(title="Secret draft", status="draft")])
    quote.success_factors.add(factor)
    html = html_of(client.get("/success-factors/budgeting/"))
    assert "Budgeted well." in html and "Money matters." in html
    assert "Supports:" in html and "Secret draft" not in html


def test_unknown_challenge_is_404(client):
    assert client.get("/challenges/no-such-thing/").status_code == 404


# --- Countries ---------------------------------------------------------------------------------


def test_country_list_groups_by_region_and_tucks_away_countries_without_cases(client):
    CaseFactory(countries=["CA", "US"])
    CaseFactory(countries=["BR"], status=Case.Status.DRAFT)
    html = html_of(client.get("/countries/"))
    americas = text_between(html, ">Americas</h3>", "</section>")
    assert re.search(r'href="/countries/ca/">Canada</a>\s*<span class="count">1 case</span>', americas)
    hidden = text_between(americas, "<details>", "</details>")
    assert "other countries with no case yet" in hidden and "Brazil" in hidden and "Canada" not in hidden


def test_country_page_lists_its_cases_and_partner_countries_with_counts(client):
    CaseFactory(title="Two-way", countries=["CA", "US"])
    CaseFactory(title="Three-way", countries=["CA", "US", "FR"])
    CaseFactory(title="Draft with Japan", countries=["CA", "JP"], status=Case.Status.DRAFT)
    CaseFactory(title="Elsewhere", countries=["DE"])
    html = html_of(client.get("/countries/ca/"))
    assert "Two-way" in html and "Three-way" in html and "Elsewhere" not in html
    partners = text_between(html, 'id="partners-heading"', "</aside>")
    assert re.search(r'United States</a>\s*<span class="count">2</span>', partners)
    assert re.search(r'France</a>\s*<span class="count">1</span>', partners)
    assert partners.index("United States") < partners.index("France")
    assert "Japan" not in partners and "Draft with Japan" not in html


def test_country_code_in_upper_case_redirects_to_lower_case(client):
    response = client.get("/countries/CA/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/ca/"


@pytest.mark.parametrize("code", ["zz", "usa", "c1", "--"])
def test_unknown_or_malformed_country_code_is_404(client, code):
    assert client.get(f"/countries/{code}/").status_code == 404


# --- Themes, approaches, organisations ---------------------------------------------------------


def test_theme_and_approach_pages_list_their_published_cases(client):
    theme = ThemeFactory(slug="oceans", name="Oceans", description="Seas and *coasts*.")
    approach = ApproachFactory(slug="sandboxes", name="Sandboxes")
    CaseFactory(title="Ocean sandbox", themes=[theme], approaches=[approach])
    CaseFactory(title="Hidden ocean", themes=[theme], approaches=[approach], status=Case.Status.ARCHIVED)
    for url in ("/themes/oceans/", "/approaches/sandboxes/"):
        html = html_of(client.get(url))
        assert "Ocean sandbox" in html and "Hidden ocean" not in html
    assert "Seas and <em>coasts</em>." in html_of(client.get("/themes/oceans/"))


def test_organisation_page_shows_its_role_in_each_case(client):
    nasa = OrganisationFactory(slug="nasa", name="NASA")
    ParticipationFactory(organisation=nasa, case=CaseFactory(title="Led by NASA"), role=Participation.Role.LEAD)
    ParticipationFactory(organisation=nasa, case=CaseFactory(title="Funded by NASA"), role=Participation.Role.FUNDER)
    html = html_of(client.get("/organisations/nasa/"))
    assert re.search(r"Led by NASA</a>\s*<span class=\"role\">Lead</span>", html)
    assert re.search(r"Funded by NASA</a>\s*<span class=\"role\">Funder</span>", html)


def test_term_pages_paginate_and_answer_bad_page_numbers_with_4xx(client):
    theme = ThemeFactory(slug="busy")
    for n in range(25):
        CaseFactory(title=f"Busy case {n:02d}", themes=[theme])
    first, second = html_of(client.get("/themes/busy/")), html_of(client.get("/themes/busy/?page=2"))
    assert "Busy case 00" in first and "Busy case 24" not in first
    assert "Busy case 24" in second and "Page 2 of 2" in second
    past_the_end = client.get("/themes/busy/?page=3")
    assert past_the_end.status_code == 404 and "the last page is 2" in html_of(past_the_end)
    for bad in ("abc", "-1", "0", "1.5"):
        assert client.get(f"/themes/busy/?page={bad}").status_code == 400
    huge = client.get(f"/themes/busy/?page={'9' * 30}")
    assert huge.status_code == 404 and "no list here has that many pages" in html_of(huge)


TERM_PAGE_BROWSER_LINKS = [
    ("/countries/ca/", "/cases/?country=ca"),
    ("/themes/space-exploration/", "/cases/?theme=space-exploration"),
    ("/approaches/challenge-prizes/", "/cases/?approach=challenge-prizes"),
    ("/organisations/nasa/", "/cases/?organisation=nasa"),
    ("/challenges/undeveloped-ecosystems/", "/cases/?challenge=undeveloped-ecosystems"),
    ("/success-factors/legal-and-policy-frameworks/", "/cases/?success_factor=legal-and-policy-frameworks"),
]


def test_term_pages_link_to_the_case_browser_filtered_by_the_term(client, seed):
    for url, browser_link in TERM_PAGE_BROWSER_LINKS:
        html = html_of(client.get(url))
        assert f'href="{browser_link}"' in html, url
        filtered = client.get(browser_link)
        assert filtered.status_code == 200, browser_link
        assert "Deep Space Food Challenge" in html_of(filtered), browser_link


# --- Drafts nowhere ----------------------------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/challenges/",
    "/challenges/hunt-challenge/",
    "/success-factors/",
    "/success-factors/hunt-factor/",
    "/countries/",
    "/countries/ca/",
    "/countries/jp/",
    "/themes/hunt-theme/",
    "/approaches/hunt-approach/",
    "/organisations/hunt-organisation/",
    "/quotes/",
    "/quotes/?q=hunted",
    "/cases/published-hunt/",
]


@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.REVIEW, Case.Status.ARCHIVED])
def test_an_unpublished_case_appears_on_no_public_page(client, status):
    theme, approach = ThemeFactory(slug="hunt-theme"), ApproachFactory(slug="hunt-approach")
    challenge, factor = ChallengeFactory(slug="hunt-challenge"), SuccessFactorFactory(slug="hunt-factor")
    organisation = OrganisationFactory(slug="hunt-organisation")
    published = CaseFactory(slug="published-hunt", countries=["CA"], themes=[theme], approaches=[approach])
    hidden = CaseFactory(
        title="Zyxwv unpublished initiative",
        status=status,
        countries=["CA", "JP"],
        themes=[theme],
        approaches=[approach],
        parent=published,
    )
    published.parent = hidden
    published.save()
    ParticipationFactory(case=hidden, organisation=organisation)
    ParticipationFactory(case=published, organisation=organisation)
    CaseChallengeFactory(case=hidden, challenge=challenge)
    CaseSuccessFactorFactory(case=hidden, success_factor=factor)
    quote = QuoteFactory(text="A hunted statement.", cases=[hidden, published])
    quote.challenges.add(challenge)
    quote.success_factors.add(factor)

    for url in PUBLIC_PAGES + [quote.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Zyxwv" not in html_of(response), url
    # A withdrawn (archived) case keeps a 410 page for its citations (tests/test_permalinks.py).
    assert client.get(hidden.get_absolute_url()).status_code == (410 if status == Case.Status.ARCHIVED else 404)
    assert "<strong>1</strong> published case" in html_of(client.get("/"))
    assert "<strong>1</strong> countr" in html_of(client.get("/"))  # Japan only through the hidden case


# --- Many cases; query counts that do not grow with them ------------------------------------------------


@pytest.fixture
def many(db):
    """40 published cases with countries, themes, approaches, organisations, evidence; plus drafts."""
    first = build_library(cases=40)
    CaseFactory.create_batch(5, status=Case.Status.DRAFT, countries=["CA", "US"])
    return first


def test_a_parent_of_many_lists_every_child_and_a_country_counts_its_cases(client, many):
    """On a library of 40 (their query counts: tests/test_query_counts.py)."""
    assert html_of(client.get(many.get_absolute_url())).count('<li><a href="/cases/many-') >= 39
    published_in_canada = Case.objects.published().in_country("ca").count()
    assert published_in_canada > 1
    assert f'<span class="count">({published_in_canada})</span>' in html_of(client.get("/countries/ca/"))


def test_the_case_page_comes_from_the_cache_on_a_second_visit(client, many, settings, django_assert_max_num_queries):
    # An in-memory cache, so only the database's queries are counted (the default database cache
    # adds its reads and writes).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    # The first case is the parent of all others: 39 published children, many related cases.
    # The library version, the case, 4 prefetches (story evidence and supporting links included),
    # 1 on the story evidence's quotes, its links to terms (one query, and the six term tables when
    # no page has read them under this version), the quotes' challenge and success-factor links
    # (one query), related cases (ranked on the library's bitmaps, built once per version: here
    # before the visit, as tests/test_case_index.py pins their queries) fetched, their countries
    # from the bitmaps and the term tables
    from cases.browse import case_index

    case_index.current()
    with django_assert_max_num_queries(16):
        response = client.get(many.get_absolute_url())
    assert response.status_code == 200
    assert html_of(response).count('<li><a href="/cases/many-') >= 39
    # The same library again: the page comes from the cache, only the version is read.
    with django_assert_max_num_queries(1):
        assert html_of(client.get(many.get_absolute_url())) == html_of(response)


def _edit_quote(case):
    Quote.objects.filter(cases=case).update(text="A statement rewritten.")


def _unlink_quote(case):
    Quote.cases.through.objects.filter(case=case).delete()


def _rename_source(case):
    Source.objects.filter(quotes__cases=case).update(title="A renamed webinar")


def _add_supporting_link(case):
    SupportingLink.objects.create(case=case, title="A new report", url="https://example.org/report")


def _explain_missing_evidence(case):
    CaseChallenge.objects.filter(case=case).update(no_evidence_reason="The webinar never said.")


def _retitle(case):
    Case.objects.filter(pk=case.pk).update(title="A new title")


@pytest.mark.parametrize(
    "change", [_edit_quote, _unlink_quote, _rename_source, _add_supporting_link, _explain_missing_evidence, _retitle]
)
def test_the_cached_case_page_stays_exact_after_any_write(client, settings, change):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # the in-memory store outlives a test; another test's entries must not be hit
    case = CaseFactory(slug="cached", countries=["CA"])
    CaseChallengeFactory(case=case)
    QuoteFactory(cases=[case], text="The statement as it was.")
    before = html_of(client.get("/cases/cached/"))
    assert html_of(client.get("/cases/cached/")) == before  # now from the cache
    change(case)
    after = html_of(client.get("/cases/cached/"))
    cache.clear()
    assert after == html_of(client.get("/cases/cached/"))  # what the page shows uncached
    assert after != before


def test_a_cached_case_page_is_withdrawn_or_moved_with_its_case(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    CaseFactory(slug="gone")
    CaseFactory(slug="moving")
    assert client.get("/cases/gone/").status_code == client.get("/cases/moving/").status_code == 200
    Case.objects.filter(slug="gone").update(status=Case.Status.ARCHIVED)
    moving = Case.objects.get(slug="moving")
    moving.slug = "moved"
    moving.save()
    assert client.get("/cases/gone/").status_code == 410
    assert client.get("/cases/moving/").status_code == 301


def test_page_query_counts_do_not_grow_with_the_library(client):
    """The same pages run exactly as many queries on a library of 4 cases and on one of 34."""
    first = build_library(cases=4, prefix="small")
    urls = [
        "/",
        first.get_absolute_url(),
        "/challenges/",
        "/success-factors/",
        "/countries/",
        "/countries/ca/",
        "/quotes/",
        f"/challenges/{first.challenges.get().slug}/",
    ]

    def query_counts():
        result = {}
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            result[url] = len(queries)
        return result

    small = query_counts()
    build_library(cases=30, prefix="large")
    Case.objects.exclude(pk=first.pk).update(parent=first)
    assert Case.objects.get(pk=first.pk).children.count() == 33
    assert query_counts() == small


def test_a_much_quoted_case_shows_its_first_quotes_and_links_to_all(client):
    from cases.browse.case_page import EVIDENCE_SHOWN_PER_TERM, FURTHER_EVIDENCE_SHOWN

    case = CaseFactory(slug="much-quoted")
    challenge = ChallengeFactory(slug="the-barrier")
    CaseChallengeFactory(case=case, challenge=challenge)
    source = SourceFactory()
    on_challenge = [QuoteFactory(source=source, cases=[case]) for _ in range(EVIDENCE_SHOWN_PER_TERM + 3)]
    for quote in on_challenge:
        quote.challenges.add(challenge)
    further = [QuoteFactory(source=source, cases=[case]) for _ in range(FURTHER_EVIDENCE_SHOWN + 5)]

    html = client.get(case.get_absolute_url()).content.decode()

    assert html.count('class="quote') == EVIDENCE_SHOWN_PER_TERM + FURTHER_EVIDENCE_SHOWN
    assert f"All {len(on_challenge)} quotes on this challenge" in html
    assert "/quotes/?case=much-quoted&amp;challenge=the-barrier" in html
    assert f"All {len(on_challenge) + len(further)} quotes of this case" in html
