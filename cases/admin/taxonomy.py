"""Admin of the taxonomy: countries, organisations, themes, approaches, challenges, success factors."""

from django.contrib import admin

from ..curation.workflow import can_publish
from ..models import Approach, Case, Challenge, Country, Organisation, SuccessFactor, Theme
from .forms import WHOLE_NUMBER_FIELDS
from .merging import MergeMixin


class PublishedTermMixin:
    """A term a published case links to is shown on public pages (its name, description, slug),
    so only a Publisher may change or delete it; an Editor sees it read-only. An Editor still adds
    terms and edits those only drafts use (issue 14: no route changes what the public sees
    without a Publisher)."""

    def shown_publicly(self, obj):
        return obj is not None and obj.cases.filter(status=Case.Status.PUBLISHED).exists()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (can_publish(request.user) or not self.shown_publicly(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (can_publish(request.user) or not self.shown_publicly(obj))


@admin.register(Country)
class CountryAdmin(PublishedTermMixin, admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Organisation)
class OrganisationAdmin(PublishedTermMixin, MergeMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["country"]


@admin.register(Theme)
class ThemeAdmin(PublishedTermMixin, MergeMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Approach)
class ApproachAdmin(PublishedTermMixin, MergeMixin, admin.ModelAdmin):
    list_display = ["name", "family"]
    list_filter = ["family"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Challenge)
class ChallengeAdmin(PublishedTermMixin, admin.ModelAdmin):
    formfield_overrides = WHOLE_NUMBER_FIELDS
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SuccessFactor)
class SuccessFactorAdmin(PublishedTermMixin, admin.ModelAdmin):
    formfield_overrides = WHOLE_NUMBER_FIELDS
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
