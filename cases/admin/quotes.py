"""Admin of evidence quotes."""
from django.contrib import admin
from django.utils.html import format_html

from ..models import Quote


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["short_text", "source", "video_time", "position"]
    list_filter = ["source__kind", "document__needs_review"]
    list_select_related = ["source"]
    search_fields = ["text", "source__title"]
    autocomplete_fields = ["source", "document", "cases", "challenges", "success_factors", "topics"]
    show_full_result_count = False

    @admin.display(description="Text")
    def short_text(self, quote):
        return quote.text[:100]

    @admin.display(description="Time", ordering="start_second")
    def video_time(self, quote):
        return format_html('<a href="{}" rel="noopener">{}</a>', quote.youtube_url, quote.timestamp)
