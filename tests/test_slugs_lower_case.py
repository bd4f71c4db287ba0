"""Slugs are lower case: the browser's filters read URL values in lower case, so a capital letter
in a term's slug made it counted in its facet but unreachable by its link (QA)."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import Approach, Case, Challenge, Organisation, SuccessFactor, Theme
from tests.factories import CaseFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Theme, Approach, Organisation, Challenge, SuccessFactor, Case])
def test_a_slug_with_a_capital_letter_is_refused_with_its_lower_case_form(model):
    field = model._meta.get_field("slug")
    with pytest.raises(ValidationError) as refused:
        field.clean("Gen-Cyber", None)
    assert refused.value.error_list[0].code == "upper_case"
    assert "“gen-cyber”" in refused.value.messages[0]
    assert field.clean("gen-cyber", None) == "gen-cyber"


def test_the_admin_refuses_a_capitalised_theme_slug_and_keeps_the_term_reachable(admin_client, client):
    theme = ThemeFactory(slug="gen-cyber", name="Cybersecurity")
    CaseFactory(slug="secure", themes=[theme])
    response = admin_client.post(
        f"/admin/cases/theme/{theme.pk}/change/", {"name": "Cybersecurity", "slug": "Gen-Cyber", "description": ""}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "Use lower-case letters in a slug" in response.content.decode()
    theme.refresh_from_db()
    assert theme.slug == "gen-cyber"
    assert "secure" in client.get("/cases/?theme=gen-cyber").content.decode()
