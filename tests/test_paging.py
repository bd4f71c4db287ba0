"""The one page helper (cases/views/paging.py): parsing and the past-the-end policy, directly."""

import pytest
from django.test import RequestFactory
from django.views.generic import ListView

from cases.views.paging import BadPage, PageMixin, bad_page_response, page_of, query_without_page

ITEMS = list(range(45))


def request(query=""):
    return RequestFactory().get("/somewhere/" + (f"?{query}" if query else ""))


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("", 1),
        ("page=", 1),
        ("page=%201%20", 1),
        ("page=3", 3),
        # However many leading zeros (more than parse_whole_number's 18 characters): still page 2.
        ("page=" + "0" * 17 + "2", 2),
        ("page=" + "0" * 40 + "2", 2),
    ],
)
def test_page_of_reads_the_page_parameter(query, number):
    page = page_of(request(query), ITEMS, 20)
    assert page.number == number
    assert list(page.object_list) == ITEMS[(number - 1) * 20 : number * 20]


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        "000",
        "-1",
        "1.5",
        "x",
        "²",
        "0" * 40,
        "%D9%A3",
        "1" + "%D9%A3" * 30,
        "-" + "9" * 30,
        "%1F2",
        "2%1C",
        "%0B2",
    ],
)
def test_a_malformed_page_is_a_400(raw):
    with pytest.raises(BadPage) as raised:
        page_of(request(f"page={raw}"), ITEMS, 20)
    assert raised.value.status == 400
    assert "whole number from 1 up" in raised.value.message


def test_a_page_past_the_end_is_a_404_naming_the_last_page():
    with pytest.raises(BadPage) as raised:
        page_of(request("page=4"), ITEMS, 20)
    assert raised.value.status == 404
    assert raised.value.message == "There is no page 4: the last page is 3."


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("1000000001", "1000000001"),
        ("0" * 5 + "9" * 30, "9" * 20 + "…"),
        ("12345678901234567890", "12345678901234567890"),
    ],
)
def test_a_whole_number_past_any_last_page_is_a_404_however_long(raw, shown):
    with pytest.raises(BadPage) as raised:
        page_of(request(f"page={raw}"), ITEMS, 20)
    assert raised.value.status == 404
    assert raised.value.message == f"There is no page {shown}: no list here has that many pages."


def test_an_empty_list_has_one_empty_first_page():
    assert list(page_of(request(), [], 20).object_list) == []


def test_query_without_page_keeps_the_other_parameters():
    assert query_without_page(request("q=kelp&page=2&kind=quotes")) == "q=kelp&kind=quotes"


@pytest.mark.parametrize(
    ("query", "status", "first_page"),
    [("q=kelp&page=x", 400, "/somewhere/?q=kelp"), ("page=9", 404, "/somewhere/")],
)
def test_a_bad_page_is_answered_with_its_message_and_a_link_to_the_first_page(db, query, status, first_page):
    error = BadPage("The message.", status=status)
    response = bad_page_response(request(query), error)
    assert response.status_code == status
    html = response.content.decode()
    assert "The message." in html
    assert f'href="{first_page}"' in html


class Numbers(PageMixin, ListView):
    paginate_by = 20
    template_name = "404.html"  # any template: the tests read the context, not the page

    def get_queryset(self):
        return ITEMS


@pytest.mark.parametrize(("query", "status"), [("page=3", 200), ("page=4", 404), ("page=%D9%A3", 400), ("", 200)])
def test_a_list_view_with_the_mixin_pages_by_the_one_policy(db, query, status):
    response = Numbers.as_view()(request(query))
    assert response.status_code == status
    if status == 200:
        assert list(response.context_data["page_obj"].object_list) == (ITEMS[40:] if query else ITEMS[:20])
