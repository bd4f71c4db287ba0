"""Public evidence pages: sources and their quotes in time order, imported documents, wiki topics."""

import re

import pytest
from django.urls import reverse

from cases.models import Case, Document, Quote
from tests.factories import CaseFactory, DocumentFactory, QuoteFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

SEED_VIDEO = "nGjuo-7sUXM"
SEED_DOCUMENT = "public_sector_innovation_and_collaboration"


def source_url(source):
    return reverse("cases:source-detail", kwargs={"key": source.slug})


# --------------------------------------------------------------------------- /sources/


def test_source_list_shows_every_source_with_its_quote_count(client):
    video = SourceFactory(title="A webinar")
    QuoteFactory.create_batch(3, source=video)
    SourceFactory(title="A quiet webinar")
    response = client.get(reverse("cases:source-list"))
    assert response.status_code == 200
    rows = {source.title: source.quote_count for source in response.context["sources"]}
    assert rows == {"A webinar": 3, "A quiet webinar": 0}
    assert source_url(video) in response.content.decode()


def test_source_list_bad_page_is_a_400(client):
    assert client.get(reverse("cases:source-list"), {"page": "two"}).status_code == 400


# --------------------------------------------------------------------------- /sources/<video_id>/


def test_source_detail_lists_its_quotes_in_time_order_linking_the_video_and_published_cases(client):
    source = SourceFactory()
    published = CaseFactory(title="A published case")
    draft = CaseFactory(title="A draft case", status=Case.Status.DRAFT)
    late = QuoteFactory(source=source, text="Said late.", start_second=4201, position=1)
    early = QuoteFactory(source=source, text="Said early.", start_second=75, other_seconds=[3600], position=2)
    late.cases.add(published, draft)
    QuoteFactory(text="From another video.")

    response = client.get(source_url(source))

    assert response.status_code == 200
    html = response.content.decode()
    assert [quote.pk for quote in response.context["quotes"]] == [early.pk, late.pk]
    assert html.index("Said early.") < html.index("Said late.")
    assert f'href="https://www.youtube.com/watch?v={source.youtube_id}&amp;t=4201s"' in html
    assert ">01:10:01</a>" in html and ">00:01:15</a>" in html and ">01:00:00</a>" in html
    assert published.get_absolute_url() in html
    assert "A draft case" not in html and draft.get_absolute_url() not in html
    assert "From another video." not in html


def test_source_detail_is_paginated(client):
    source = SourceFactory()
    QuoteFactory.create_batch(101, source=source)
    first = client.get(source_url(source))
    second = client.get(source_url(source), {"page": 2})
    assert len(first.context["quotes"]) == 100 and len(second.context["quotes"]) == 1
    assert client.get(source_url(source), {"page": 3}).status_code == 404
    assert client.get(source_url(source), {"page": "-1"}).status_code == 400


def test_an_unknown_source_is_a_404(client):
    assert client.get(reverse("cases:source-detail", kwargs={"key": "nope"})).status_code == 404


# --------------------------------------------------------------------------- /documents/<slug>/


def test_document_page_renders_the_article_with_timestamp_links_and_resolved_wiki_links(client):
    DocumentFactory(slug="other_document", title="Another document")
    TopicFactory(slug="some_topic")
    source = SourceFactory()
    doc = DocumentFactory(
        source=source,
        body=(
            "## A heading\n\nSee [[Other_Document | the other one]] and [[some_topic|a topic]] "
            "but not [[no_page_yet|a target without a page]] "
            f"[00:01:10](https://www.youtube.com/watch?v={source.youtube_id}&t=70s).\n\n"
            '<script>alert(1)</script> <a href="javascript:alert(1)">x</a>\n'
        ),
    )

    response = client.get(doc.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>A heading</h2>" in html
    assert '<a href="/documents/other_document/">the other one</a>' in html
    assert '<a href="/topics/some_topic/">a topic</a>' in html
    assert " a target without a page " in html and "/no_page_yet/" not in html
    assert f'href="https://www.youtube.com/watch?v={source.youtube_id}&amp;t=70s"' in html
    assert ">00:01:10</a>" in html
    assert "<script>alert" not in html and "javascript:" not in html
    assert source.get_absolute_url() in html
    assert "Timestamps under review" not in html


def test_a_flagged_document_shows_a_review_notice_with_its_reason(client):
    doc = DocumentFactory(needs_review=True, review_reason="all 40 timestamps end in :00")
    html = client.get(doc.get_absolute_url()).content.decode()
    assert "Timestamps under review" in html and "all 40 timestamps end in :00" in html


def test_an_unknown_document_is_a_404(client):
    assert client.get(reverse("cases:document-detail", kwargs={"slug": "nope"})).status_code == 404


# --------------------------------------------------------------------------- /topics/<slug>/


def test_topic_page_lists_the_documents_and_quotes_that_mention_it(client):
    topic = TopicFactory(slug="prize_competitions", label="Prize competitions")
    mentioning = DocumentFactory(title="A document about prizes")
    mentioning.topics.add(topic)
    DocumentFactory(title="A document about something else")
    quote = QuoteFactory(text="Prizes work across borders.")
    quote.topics.add(topic)
    QuoteFactory(text="Unrelated.")

    response = client.get(topic.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Prize competitions</h1>" in html
    assert mentioning.get_absolute_url() in html and "something else" not in html
    assert "Prizes work across borders." in html and "Unrelated." not in html


def test_topic_page_links_the_document_of_the_same_name(client):
    topic = TopicFactory(slug="same_name")
    doc = DocumentFactory(slug="same_name", title="The same name")
    assert doc.get_absolute_url() in client.get(topic.get_absolute_url()).content.decode()


def test_an_unknown_topic_is_a_404(client):
    assert client.get(reverse("cases:topic-detail", kwargs={"slug": "nope"})).status_code == 404


# The statements of the five seed documents about the video (72 + 57 + 49 + 65 + 44).
SEED_VIDEO_QUOTES = 287


def test_the_seed_library_pages_of_the_video_its_document_and_their_links(client, seed):
    """One test for the seed (loading it is slow): the video's page, the document's page, every link."""
    source_page = client.get(reverse("cases:source-detail", kwargs={"key": SEED_VIDEO}))
    assert source_page.status_code == 200
    assert source_page.context["page_obj"].paginator.count == SEED_VIDEO_QUOTES
    html = source_page.content.decode()
    assert reverse("cases:document-detail", kwargs={"slug": SEED_DOCUMENT}) in html
    # In time order: the first page holds the opening statements (five documents, several per second).
    assert "&amp;t=10s" in html and ">00:00:10</a>" in html
    page_two = client.get(reverse("cases:source-detail", kwargs={"key": SEED_VIDEO}) + "?page=2").content.decode()
    assert reverse("cases:case-detail", kwargs={"slug": "5g-mobix"}) in html + page_two

    document_page = client.get(reverse("cases:document-detail", kwargs={"slug": SEED_DOCUMENT}))
    assert document_page.status_code == 200
    html = document_page.content.decode()
    assert "<h1>Public sector innovation and collaboration</h1>" in html
    assert html.count("https://www.youtube.com/watch?v=nGjuo-7sUXM&amp;t=") >= 71
    assert '<a href="/topics/public_sector_innovation/">Public sector innovation</a>' in html
    assert "yt-timestamp" not in html
    targets = set(re.findall(r'href="(/(?:topics|documents)/[^"]+)"', html))
    assert targets
    for target in targets:
        assert client.get(target).status_code == 200, target
    # The seed document and the four other documents about the same video.
    assert Document.objects.count() == 5 and Quote.objects.filter(document__isnull=False).count() == SEED_VIDEO_QUOTES
