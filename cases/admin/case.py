"""Admin of cases and their links: participations, challenge and success-factor notes."""
from django.contrib import admin
from django.db.models import Count

from ..models import Case, CaseChallenge, CaseSuccessFactor, Participation


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
