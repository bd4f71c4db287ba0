"""Hostile input never answers 500: numbers in other scripts' digits, characters PostgreSQL or XML
cannot carry, in addresses, parameters, forms, imports and stored data (issue 13)."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from cases.characters import xml_safe
from cases.models import Case, Quote
from cases.numbers import NotAWholeNumber, WholeNumberField, parse_whole_number, whole_numbers
from tests.curation import client_for, editor  # noqa: F401
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    ChallengeFactory,
    QuoteFactory,
    SourceFactory,
    ThemeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# Characters str.isdigit() or int() accept that are not ASCII digits: superscript, circled,
# Arabic-Indic, Devanagari, fullwidth, mathematical bold.
UNICODE_DIGITS = ["²", "①", "٣", "३", "３", "𝟗", "1²", "٣٣"]


# --- the one number parser ----------------------------------------------------------------------


@pytest.mark.parametrize("raw, number", [("0", 0), ("7", 7), (" 42 ", 42), ("007", 7), (12, 12)])
def test_whole_numbers_of_ascii_digits_are_read(raw, number):
    assert parse_whole_number(raw) == number


@pytest.mark.parametrize(
    "raw", [*UNICODE_DIGITS, "", " ", "-1", "+1", "1.5", "1e3", "0x1", "1_000", True, None, 1.0, "9" * 19]
)
def test_anything_else_is_not_a_whole_number(raw):
    with pytest.raises(NotAWholeNumber):
        parse_whole_number(raw)


def test_bounds_are_checked():
    assert parse_whole_number("5", minimum=1, maximum=5) == 5
    for raw in ("0", "6"):
        with pytest.raises(NotAWholeNumber):
            parse_whole_number(raw, minimum=1, maximum=5)


@pytest.mark.parametrize("raw", UNICODE_DIGITS)
def test_the_form_field_refuses_other_scripts_digits(raw):
    field = WholeNumberField(required=False)
    assert not field.clean("") and field.clean("-12") == -12 and field.clean("2025") == 2025
    with pytest.raises(Exception, match="Enter a whole number"):
        field.clean(raw)


def test_stored_seconds_keep_only_whole_numbers():
    assert whole_numbers([5, "7", "²", "٣", None, True, -1, 2.5]) == [5, 7]


# --- page numbers on every paginated public view ------------------------------------------------


@pytest.fixture
def library():
    case = CaseFactory(title="Bridge", themes=[ThemeFactory(slug="mobility")])
    challenge = ChallengeFactory(slug="trust")
    CaseChallengeFactory(case=case, challenge=challenge)
    source = SourceFactory(slug="vid00000001", youtube_id="vid00000001")
    topic = TopicFactory(slug="bridges")
    quote = QuoteFactory(source=source, cases=[case])
    quote.topics.add(topic)
    quote.challenges.add(challenge)
    return case


PAGINATED = [
    "/cases/",
    "/quotes/",
    "/sources/",
    "/sources/vid00000001/",
    "/themes/mobility/",
    "/challenges/trust/",
    "/topics/bridges/",
    "/search/?q=bridge&kind=cases",
    "/search/?q=bridge",
    "/matrix/",
]


@pytest.mark.parametrize("url", PAGINATED)
@pytest.mark.parametrize("digit", ["²", "①", "٣", "３", "1²"])
def test_a_page_number_in_other_digits_is_a_clear_400(client, library, url, digit):
    response = client.get(f"{url}{'&' if '?' in url else '?'}page={digit}")
    assert response.status_code == 400  # one page helper reads page numbers: ASCII digits only
    assert "page" in response.content.decode()


@pytest.mark.parametrize("url", PAGINATED)
def test_an_ascii_page_number_still_works(client, library, url):
    assert client.get(f"{url}{'&' if '?' in url else '?'}page=1").status_code == 200


@pytest.mark.parametrize("raw", ["²", "٣", "２０２０"])
def test_a_year_filter_in_other_digits_is_a_400(client, library, raw):
    assert client.get("/cases/", {"year_from": raw}).status_code == 400


# --- a quote's other seconds --------------------------------------------------------------------


def quote_form(client, quote):
    url = reverse("admin:cases_quote_change", args=[quote.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["other_seconds"] = "[]"
    return url, data


@pytest.mark.parametrize("seconds", ['["²"]', '["٣"]', '["①"]', '["12"]', "[true]", "[-5]", "[1.5]", '{"a": 1}', "7"])
def test_other_seconds_must_be_whole_numbers(client_for, editor, seconds):
    quote = QuoteFactory()
    client = client_for(editor)
    url, data = quote_form(client, quote)
    data["other_seconds"] = seconds
    response = client.post(url, data)
    assert response.status_code == 200
    assert "whole numbers of seconds" in response.content.decode()
    data["other_seconds"] = "[75, 3600]"
    assert client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.other_seconds == [75, 3600]


@pytest.mark.parametrize("field", ["start_second", "position"])
@pytest.mark.parametrize("raw", ["٣", "²", "３"])
def test_admin_integer_fields_refuse_other_digits(client_for, editor, field, raw):
    quote = QuoteFactory(start_second=10)
    client = client_for(editor)
    url, data = quote_form(client, quote)
    data[field] = raw
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter a whole number" in response.content.decode()
    quote.refresh_from_db()
    assert quote.start_second == 10


def test_admin_year_fields_refuse_other_digits(client_for, editor):
    case = CaseFactory(start_year=2020)
    url = reverse("admin:cases_case_change", args=[case.pk])
    client = client_for(editor)
    form = client.get(url).context["adminform"].form
    assert isinstance(form.fields["start_year"], WholeNumberField)
    assert isinstance(form.fields["end_year"], WholeNumberField)


def test_saved_other_seconds_in_other_digits_do_not_take_pages_down(client, library):
    quote = Quote.objects.get()
    Quote.objects.filter(pk=quote.pk).update(other_seconds=["²", "٣", "①", 90, "x", None])
    for url in [library.get_absolute_url(), quote.get_absolute_url(), "/quotes/", "/sources/vid00000001/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "00:01:30" in response.content.decode(), url


# --- NUL and other characters PostgreSQL text cannot hold ---------------------------------------


NUL_URLS = [
    "/sources/%00/",
    "/sources/a%00b/",
    "/cases/%00/",
    "/countries/%00/",
    "/quotes/?q=%00",
    "/cases/?q=a%00",
    "/cases/?country=%00",
    "/search/?q=%00",
    "/search/?%00=1",
    "/compare/?cases=%00",
    "/matrix/?theme=%00",
    "/quotes/?source=%00",
    "/cases/?sort=%00",
    "/healthz?%00",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_in_a_public_address_is_a_400(client, library, url):
    assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?country=%00",
        "/api/v1/cases/?q=a%00",
        "/api/v1/cases/%00/",
        "/api/v1/quotes/?%00=1",
        "/api/v1/themes/?cursor=%00",
    ],
)
def test_nul_in_an_api_address_is_a_json_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "cannot store" in json.loads(response.content)["detail"]


def test_nul_outside_the_api_still_answers_the_sites_400_page(client):
    response = client.get("/cases/?country=%00")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/quote/?source__id__exact=%00",
        "/admin/cases/case/?status=%00",
        "/admin/cases/case/?q=%00",
        "/admin/autocomplete/?app_label=cases&model_name=case&field_name=parent&term=%00",
        "/admin/cases/case/%00/change/",
    ],
)
def test_nul_in_an_admin_address_is_a_400(client_for, editor, library, url):
    assert client_for(editor).get(url).status_code == 400


def test_nul_in_a_posted_form_is_a_400(client_for, editor):
    quote = QuoteFactory()
    client = client_for(editor)
    url, data = quote_form(client, quote)
    data["text"] = "a\x00b"
    # A multipart form (as the admin posts) gets the field's error; a urlencoded one a 400.
    assert client.post(url, data).status_code == 200
    encoded = urlencode(data)
    assert client.post(url, encoded, content_type="application/x-www-form-urlencoded").status_code == 400
    quote.refresh_from_db()
    assert "\x00" not in quote.text


# --- characters XML 1.0 cannot carry ------------------------------------------------------------

XML_ILLEGAL_SAMPLES = ["\x0b", "\x0c", "\x01", "\x1f", "\x08", "\ufffe"]


def test_xml_safe_removes_what_xml_cannot_carry():
    assert (
        xml_safe("page\x0bbreak\x0cand\x01\x1f\ufffe\ud800 tab\tline\nreturn\r") == "page break and tab\tline\nreturn\r"
    )
    assert xml_safe(None) is None and xml_safe(3) == 3


@pytest.mark.parametrize("char", XML_ILLEGAL_SAMPLES)
def test_the_feed_stays_up_for_text_stored_with_controls(client, char):
    case = CaseFactory(themes=[ThemeFactory()])
    # Written past the save-time cleaning, as text stored before it existed would be.
    Case.objects.filter(pk=case.pk).update(title=f"Bridge{char}one", summary=f"A{char}summary")
    response = client.get(reverse("cases:case-feed"))
    assert response.status_code == 200
    body = response.content.decode()
    assert char not in body and "Bridge" in body


def test_saving_strips_controls_from_every_text_field(client_for, editor):
    case = CaseFactory()
    case.title, case.summary, case.body = "Bridge\x0bone", "A\x01summary", "Body\x0c"
    case.save()
    case.refresh_from_db()
    assert (case.title, case.summary, case.body) == ("Bridge one", "Asummary", "Body ")
    quote = QuoteFactory()
    client = client_for(editor)
    url, data = quote_form(client, quote)
    data["text"] = "Pasted\x0bfrom a PDF\x02"
    assert client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.text == "Pasted from a PDF"


def test_the_sitemap_stays_up_for_keys_with_controls(client):
    SourceFactory(slug="odd\x0bkey", youtube_id="vid00000009")
    Case.objects.filter(pk=CaseFactory().pk).update(title="Bridge\x0b")
    for url in ["/sitemap.xml", "/sitemap-sources.xml", "/sitemap-cases.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url  # the keys are served with the controls taken out
        assert "\x0b" not in response.content.decode()


def test_an_imported_file_is_stored_without_controls(tmp_path):
    from cases.importing.importer import import_paths

    path = tmp_path / "pasted.md"
    path.write_text(
        "---\ntitle: Pasted\x0b title\nvideoId: abcdefghijk\n---\n\n## Pasted\x0b heading\n\n"
        'A statement\x0c with a\x01 control <a class="yt-timestamp" data-t="00:01:05"></a>.\n',
        encoding="utf-8",
    )
    report = import_paths([path])
    assert report.failed == 0, report.as_dict()
    from cases.models import Document

    document = Document.objects.get()
    for text in [document.title, document.body, document.raw_text, *Quote.objects.values_list("text", flat=True)]:
        assert xml_safe(text) == text


# --- smaller: spreadsheet formulas, the CSRF page, the favicon ----------------------------------


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "'=1+1"),
        ("ok;=1+1", "ok;'=1+1"),
        ("ok; =1+1", "ok; '=1+1"),
        ("\n=1+1", "'\n'=1+1"),
        ("＝1+1", "'＝1+1"),
        ("ok;＋1", "ok;'＋1"),
        ("－1", "'－1"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\r@x", "'\r'@x"),
        ("a\n+1", "a\n'+1"),
        ("a\t-1", "a\t'-1"),
        (" =1", " '=1"),
        ("plain, -5 degrees", "plain, -5 degrees"),
        ("a-b=c", "a-b=c"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_formula_guard_looks_past_separators(text, safe):
    from cases.browse.exports import spreadsheet_safe

    assert spreadsheet_safe(text) == safe


def test_exported_csv_cells_hold_no_formula_after_a_separator(client):
    import csv
    import io

    CaseFactory(slug="formula", title="ok;=1+1", summary='\n＝HYPERLINK("http://evil.example")')
    for url in ["/cases.csv", "/matrix.csv"]:
        text = (
            b"".join(client.get(url).streaming_content).decode()
            if url == "/cases.csv"
            else client.get(url).content.decode()
        )
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        for cell in cells:
            for part in cell.replace("\r", "\n").replace("\t", "\n").replace(";", "\n").split("\n"):
                assert part.lstrip()[:1] not in set("=+@＝＋＠"), (url, cell)


def test_a_csrf_failure_is_the_sites_own_page_under_the_csp(client_for, editor):
    from django.test import Client

    case = CaseFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    response = strict.post(reverse("admin:cases_case_change", args=[case.pk]), {"title": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be sent" in html
    assert "<style" not in html and " style=" not in html and "<script>" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content[:4] == b"\x00\x00\x01\x00"


# Django's own admin reads these, not the project's page helper. A page number it cannot read is
# the first page; Python's int() reads "٣" (an Arabic-Indic digit) as 3, so that one is a number
# to it (a page past the end is still a page; a year 3 that no case has). An id that does not
# parse is an object that does not exist (a redirect to the index with a message); a year that
# does not parse is a bad lookup (Django's ?e=1 redirect); the source filter offers sources by
# id and ignores a value that is none of them.
ADMIN_DIGITS = [
    ("/admin/cases/quote/?p={}", "²", 200),
    ("/admin/cases/quote/?p={}", "①", 200),
    ("/admin/cases/quote/?p={}", "٣", 200),
    ("/admin/cases/case/?p={}", "²", 200),
    ("/admin/cases/case/?p={}", "①", 200),
    ("/admin/cases/case/?p={}", "٣", 200),
    ("/admin/cases/quote/{}/change/", "²", 302),
    ("/admin/cases/quote/{}/change/", "①", 302),
    ("/admin/cases/quote/{}/change/", "٣", 302),
    ("/admin/cases/quote/?source__id__exact={}", "²", 200),
    ("/admin/cases/quote/?source__id__exact={}", "①", 200),
    ("/admin/cases/quote/?source__id__exact={}", "٣", 200),
    ("/admin/cases/case/?start_year={}", "²", 302),
    ("/admin/cases/case/?start_year={}", "①", 302),
    ("/admin/cases/case/?start_year={}", "٣", 200),
]


@pytest.mark.parametrize("url, digit, status", ADMIN_DIGITS)
def test_admin_pages_and_ids_in_other_digits_answer_no_500(client_for, editor, library, url, digit, status):
    response = client_for(editor).get(url.format(digit))
    assert response.status_code == status


@pytest.mark.django_db
def test_one_line_fields_lose_bidirectional_controls_and_bodies_keep_them():
    case = CaseFactory(title="Open\u202e data\u2066 hub", body="A body with an isolate \u2067here\u2069.")
    case.refresh_from_db()
    assert case.title == "Open data hub"
    assert "\u2067" in case.body  # markdown bodies keep what their writers typed


@pytest.mark.django_db
def test_a_submissions_links_are_cleaned_though_bulk_created():
    from cases.models import SupportingLink
    from cases.submissions import submit_case

    submit_case(
        case_fields={"title": "Sent in", "story_problem": "A problem."},
        links=[("Report\x0b\u202e", "https://r.example/", "report")],
        submitter_name="A Person",
        submitter_email="a@example.org",
    )
    assert SupportingLink.objects.get().title == "Report "
