"""Admin of sources, imported documents and wiki topics."""
from django.contrib import admin

from ..models import Document, Source, Topic


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "youtube_id", "channel", "published_on"]
    list_filter = ["kind", "channel"]
    search_fields = ["title", "slug", "youtube_id"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "source", "needs_review", "updated_at"]
    list_filter = ["needs_review"]
    list_select_related = ["source"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["source", "topics"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["label", "slug"]
    search_fields = ["label", "slug"]
