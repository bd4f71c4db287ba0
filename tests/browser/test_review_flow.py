"""An Editor and a Publisher in Chromium: the Editor's change to a published case waits for review
(the public page unchanged), the Publisher finds it in the review queue and approves it."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from cases.models import Case
from cases.reference_data import load_reference_data
from tests.browser.chromium import needs_chromium
from tests.factories import CaseFactory, QuoteFactory

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def curators(transactional_db):
    """An Editor and a Publisher (the groups come from migrations, which a flush empties)."""
    load_reference_data()
    users = {}
    for name, group in (("edna", "Editors"), ("pablo", "Publishers")):
        user = User.objects.create_user(name, f"{name}@example.org", "a-long-test-password", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        users[name] = user
    return users


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")


def test_editor_proposes_publisher_approves(curators, live_server, page, tmp_path):
    case = CaseFactory(title="Open Borders Lab", slug="open-borders-lab", countries=["CA"])
    QuoteFactory(cases=[case])
    log_in(page, live_server, "edna")
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    page.fill("#id_title", "Open Borders Laboratory")
    page.click("input[name=_continue]")
    assert "waits for a Publisher's review" in page.locator(".messagelist").inner_text()
    assert Case.objects.get(pk=case.pk).title == "Open Borders Lab"
    assert "Open Borders Lab" in page.context.new_page().goto(f"{live_server.url}/cases/open-borders-lab/").text()

    page.context.clear_cookies()
    log_in(page, live_server, "pablo")
    queue = page.locator("#review-queue")
    assert "Open Borders Lab" in queue.inner_text() and "by edna" in queue.inner_text()
    queue.get_by_role("link", name="Open Borders Lab").first.click()
    diff = page.locator(".revision-diff").inner_text()
    assert "Open Borders Lab" in diff and "Open Borders Laboratory" in diff
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / "review.png"), full_page=True)
    page.click("input[name=approve]")
    assert "approved" in page.locator(".messagelist").inner_text()
    case.refresh_from_db()
    assert case.title == "Open Borders Laboratory"
