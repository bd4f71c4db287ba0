"""Changelists of the case's through-models: participations, challenges met, success factors shown."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import CaseChallenge, CaseSuccessFactor, Participation
from .forms import CaseRowForm
from .review import CaseRowGateMixin


@admin.register(Participation)
class ParticipationAdmin(CaseRowGateMixin, SimpleHistoryAdmin):
    form = CaseRowForm
    list_display = ["case", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["case", "organisation"]
    search_fields = ["case__title", "organisation__name"]
    autocomplete_fields = ["case", "organisation"]


@admin.register(CaseChallenge)
class CaseChallengeAdmin(CaseRowGateMixin, SimpleHistoryAdmin):
    form = CaseRowForm
    list_display = ["case", "challenge"]
    list_filter = ["challenge"]
    list_select_related = ["case", "challenge"]
    search_fields = ["case__title", "challenge__name", "note"]
    autocomplete_fields = ["case", "challenge"]


@admin.register(CaseSuccessFactor)
class CaseSuccessFactorAdmin(CaseRowGateMixin, SimpleHistoryAdmin):
    form = CaseRowForm
    list_display = ["case", "success_factor"]
    list_filter = ["success_factor__kind", "success_factor"]
    list_select_related = ["case", "success_factor"]
    search_fields = ["case__title", "success_factor__name", "note"]
    autocomplete_fields = ["case", "success_factor"]
