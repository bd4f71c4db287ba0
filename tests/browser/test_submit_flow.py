"""A person submits a case from a phone-sized page (390×844) in Chromium and gets the confirmation
with a reference; the case waits as a draft, its submitter kept private."""

from pathlib import Path

import pytest

from cases.models import Case, Submission
from tests.browser.chromium import needs_chromium, new_page

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def phone(chromium):
    with new_page(chromium, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as page:
        yield page


def test_a_person_fills_the_form_on_a_phone_and_gets_the_confirmation(live_server, phone):
    phone.goto(f"{live_server.url}/")
    phone.get_by_role("link", name="Submit a case").click()
    assert phone.locator("h1").inner_text() == "Submit a case"
    # Nothing overflows sideways on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # A first try without the required fields: the errors come first, each linking to its field.
    phone.fill("#id_title", "Nordic Border Ambulances")
    phone.click(".submit-form button[type=submit]")
    errors = phone.locator("#form-errors")
    assert "The submission was not sent" in errors.inner_text()
    assert errors.get_by_role("link", name="Your e-mail address").count() == 1
    assert phone.input_value("#id_title") == "Nordic Border Ambulances"  # kept

    phone.fill("#id_summary", "Two regions share ambulance dispatch across a national border.")
    phone.select_option("#id_level_of_government", "regional")
    phone.fill("#id_story_problem", "Ambulances stopped at the border; patients waited longer.")
    phone.fill("#id_story_results", "Response times fell by a fifth in the pilot year.")
    phone.select_option("#id_results_evidence", "evidence_based")
    phone.fill("#id_link_1_title", "Evaluation report")
    phone.fill("#id_link_1_url", "https://ambulance.example/evaluation.pdf")
    phone.fill("#id_submitter_name", "Kari Nordmann")
    phone.fill("#id_submitter_email", "kari@example.org")
    phone.check("#id_agree")
    phone.click(".submit-form button[type=submit]")

    phone.wait_for_url("**/submit/received/")
    assert "your case was received" in phone.locator("h1").inner_text()
    submission = Submission.objects.get()
    assert submission.reference in phone.locator(".reference").inner_text()
    assert "Kari" not in phone.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "submit-received-390.png"), full_page=True)
    assert Case.objects.get().status == Case.Status.DRAFT
