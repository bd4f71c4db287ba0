"""The Atom feed of newly published cases."""
from django.contrib.syndication.views import Feed
from django.db.models.functions import Coalesce
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from ..characters import xml_safe
from .citations import LIBRARY_NAME
from ..models import Case

FEED_LENGTH = 30


class NewCasesFeed(Feed):
    feed_type = Atom1Feed
    title = f"New cases · {LIBRARY_NAME}"
    subtitle = "Cross-border public sector innovation cases, newest first, as they are published."
    link = reverse_lazy("cases:case-list")
    author_name = LIBRARY_NAME

    def feed_url(self):
        return reverse("cases:case-feed")

    def items(self):
        return (
            Case.objects.published()
            .prefetch_related("themes")
            .defer("body", "search_vector")
            .order_by(Coalesce("published_at", "created_at").desc(), "-pk")[:FEED_LENGTH]
        )

    # Text stored before it was cleaned on save may still hold characters XML cannot carry.
    def item_title(self, case):
        return xml_safe(case.title)

    def item_description(self, case):
        return xml_safe(case.summary)

    def item_pubdate(self, case):
        return case.published_at or case.created_at

    def item_updateddate(self, case):
        return case.updated_at

    def item_categories(self, case):
        return [xml_safe(theme.name) for theme in case.themes.all()]
