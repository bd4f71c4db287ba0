"""Admin of the taxonomy: countries, organisations, themes, approaches, challenges, success factors."""
from django.contrib import admin

from ..models import Approach, Challenge, Country, Organisation, SuccessFactor, Theme
from .forms import WHOLE_NUMBER_FIELDS
from .merging import MergeMixin


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(MergeMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]


@admin.register(Theme)
class ThemeAdmin(MergeMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Approach)
class ApproachAdmin(MergeMixin, admin.ModelAdmin):
    list_display = ["name", "family"]
    list_filter = ["family"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    formfield_overrides = WHOLE_NUMBER_FIELDS
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SuccessFactor)
class SuccessFactorAdmin(admin.ModelAdmin):
    formfield_overrides = WHOLE_NUMBER_FIELDS
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
