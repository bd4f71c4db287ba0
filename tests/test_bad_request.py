"""The site's 400 page (kb.views.bad_request): what Django refuses before any view still gets it."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_request_for_another_host_gets_the_site_s_400_page(client):
    response = client.get("/cases/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "This address asks for something the page cannot show" in response.content.decode()


def test_too_many_files_in_one_form_say_so(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(f"{number}.md", b"text") for number in range(3)]
    response = client.post("/submit/", {"attachments": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This form sent more files than one upload takes" in html
    assert "At most 2 files can be uploaded at a time" in html
