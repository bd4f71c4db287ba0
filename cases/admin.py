"""The curators' admin: every model editable, with search, filters and autocomplete for links."""
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from .models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Document,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
    Topic,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Approach)
class ApproachAdmin(admin.ModelAdmin):
    list_display = ["name", "family"]
    list_filter = ["family"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SuccessFactor)
class SuccessFactorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organisation"]


class CaseChallengeInline(admin.TabularInline):
    model = CaseChallenge
    extra = 0
    autocomplete_fields = ["challenge"]


class CaseSuccessFactorInline(admin.TabularInline):
    model = CaseSuccessFactor
    extra = 0
    autocomplete_fields = ["success_factor"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "stage", "start_year", "end_year", "evidence_count", "updated_at"]
    list_filter = ["status", "stage", "themes", "approaches__family"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["countries", "themes", "approaches", "parent", "publications"]
    inlines = [ParticipationInline, CaseChallengeInline, CaseSuccessFactorInline]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_count=Count("quotes", distinct=True))

    @admin.display(description="Evidence", ordering="evidence_count")
    def evidence_count(self, case):
        return case.evidence_count


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "youtube_id", "channel", "published_on"]
    list_filter = ["kind", "channel"]
    search_fields = ["title", "slug", "youtube_id"]


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


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["case", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["case", "organisation"]
    search_fields = ["case__title", "organisation__name"]
    autocomplete_fields = ["case", "organisation"]


@admin.register(CaseChallenge)
class CaseChallengeAdmin(admin.ModelAdmin):
    list_display = ["case", "challenge"]
    list_filter = ["challenge"]
    list_select_related = ["case", "challenge"]
    search_fields = ["case__title", "challenge__name", "note"]
    autocomplete_fields = ["case", "challenge"]


@admin.register(CaseSuccessFactor)
class CaseSuccessFactorAdmin(admin.ModelAdmin):
    list_display = ["case", "success_factor"]
    list_filter = ["success_factor__kind", "success_factor"]
    list_select_related = ["case", "success_factor"]
    search_fields = ["case__title", "success_factor__name", "note"]
    autocomplete_fields = ["case", "success_factor"]
