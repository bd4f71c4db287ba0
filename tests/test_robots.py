"""/robots.txt: crawlers are sent to the sitemap and kept off the admin, API, search and exports."""

import pytest


@pytest.mark.django_db
def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_off_the_exports(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {
        "/admin/",
        "/api/",
        "/search/",
        "/cases/?",
        "/quotes/?",
        "/cases.csv",
        "/cases.json",
        "/quotes.csv",
        "/quotes.json",
        "/matrix.csv",
    }
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200
    # The lists and the case pages stay open to crawlers (rules match by prefix): not their filters.
    assert not any("/cases/deep-space-food/".startswith(rule) or rule in ("/", "/cases/") for rule in disallowed)
