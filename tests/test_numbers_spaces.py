"""Only spaces, tabs and line ends may surround a whole number (numbers.SPACES): every reader of a
number in a query string follows the rule (the API's page_size too, found by QA)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cases.numbers import NotAWholeNumber, WholeNumberField, parse_whole_number
from cases.views.paging import BadPage, page_of

ITEMS = list(range(45))

# Python's str.strip() takes these; cases.numbers.SPACES does not.
CONTROLS = ["\x1c", "\x1f", "\x0b", "\x0c", "\x85", "\xa0", "\u3000", "\u2028"]


def request(query):
    return RequestFactory().get(f"/somewhere/?{query}")


@pytest.mark.parametrize(
    "raw",
    ["%2B2", "+2", "%EF%BC%92", "2%00", "%002", "%E2%80%8B2", "%C2%A02", "%E3%80%802", "2%C2%85", "%0C2", "2%0B"],
)
def test_more_malformed_pages_are_a_400(raw):
    # Fine on main: "+2" is " 2" in a query string, and spaces may surround a number (page 2).
    if raw == "+2":
        assert page_of(request(f"page={raw}"), ITEMS, 20).number == 2
        return
    with pytest.raises(BadPage) as raised:
        page_of(request(f"page={raw}"), ITEMS, 20)
    assert raised.value.status == 400


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_parse_whole_number_and_the_form_field_refuse_control_characters(control):
    with pytest.raises(NotAWholeNumber):
        parse_whole_number(f"{control}5")
    from django import forms

    with pytest.raises(forms.ValidationError):
        WholeNumberField().clean(f"5{control}")


@pytest.mark.django_db
@pytest.mark.parametrize("control", ["%1F", "%1C", "%0B", "%C2%85", "%C2%A0"])
def test_the_apis_page_size_refuses_control_characters_as_the_pages_do(client, control):
    # str.strip() took the control characters: "?page_size=%1F5" was read as 5 where "?page=%1F2" is a 400.
    response = client.get(reverse("api:quote-list") + f"?page_size={control}5")
    assert response.status_code == 400, response.content[:200]
