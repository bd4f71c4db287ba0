"""Admin of cases: the editorial workflow per role, evidence, preview, history with revert, and the
through-models' own changelists.

Roles (migration 0005): Editors write and submit for review; Publishers also publish, unpublish,
archive and delete published cases. The server enforces it: the status field is read-only for
everyone (it changes only through cases.curation.workflow, which checks the permission), actions are
offered per role, and deleting a published or archived case needs `cases.publish_case`.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ..browse.case_page import TEMPLATE as CASE_PAGE_TEMPLATE
from ..browse.case_page import case_page_parts
from ..curation.history import ensure_baseline, ensure_quote_baseline
from ..curation.review_queue import clear_sent_back_reason, needs_reason, send_back_to_draft
from ..curation.workflow import (
    TRANSITIONS,
    TransitionRefused,
    allowed_transitions,
    apply_transition,
    as_list,
    can_publish,
    missing_for_publication,
    transition_in_bulk,
    transitions_from,
)
from ..models import (
    STORY_FIELDS,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Country,
    Participation,
    Quote,
    Revision,
    StoryEvidence,
    Submission,
    SupportingLink,
)
from ..querysets import correlated_count
from ..rendering import render_markdown
from ..tracking import RECORDERS
from .case_history import CaseHistoryMixin
from .claims import claims_checklist
from .filters import (
    CountryPresenceFilter,
    EvidenceFilter,
    InUseFilter,
    ParentLinkFilter,
    ThemePresenceFilter,
)
from .forms import WHOLE_NUMBER_FIELDS, CaseAdminForm, EvidenceAutocompleteView, NoteForm
from .review import ReviewGateMixin
from .search import FullTextSearchMixin

MAX_REFUSALS_SHOWN = 10


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name = "participating organisation"


class CaseChallengeInline(admin.TabularInline):
    model = CaseChallenge
    form = NoteForm
    extra = 0
    autocomplete_fields = ["challenge"]
    verbose_name = "challenge met"
    verbose_name_plural = "challenges met, with a note on how"


class CaseSuccessFactorInline(admin.TabularInline):
    model = CaseSuccessFactor
    form = NoteForm
    extra = 0
    autocomplete_fields = ["success_factor"]
    verbose_name = "success factor shown"
    verbose_name_plural = "success factors shown, with a note"


class SupportingLinkInline(admin.TabularInline):
    model = SupportingLink
    extra = 0
    fields = ["title", "url", "kind", "order"]
    verbose_name = "supporting link"


class StoryEvidenceInline(admin.TabularInline):
    """The quotes behind each story section, or the reason it has none (a claim, cases.claims)."""

    model = StoryEvidence
    extra = 0
    fields = ["section", "quotes", "no_evidence_reason"]
    autocomplete_fields = ["quotes"]
    verbose_name = "story section's evidence"
    verbose_name_plural = "evidence of the story sections (quotes, or why there are none yet)"


def _transition_action(name):
    transition = TRANSITIONS[name]

    def action(modeladmin, request, queryset):
        modeladmin.run_transition(request, queryset, name)

    action.__name__ = f"transition_{name}"
    return admin.action(
        description=f"{transition.label}: selected cases",
        permissions=["publish"] if transition.needs_publish_permission else ["change"],
    )(action)


@admin.register(Case)
class CaseAdmin(FullTextSearchMixin, CaseHistoryMixin, ReviewGateMixin, SimpleHistoryAdmin):
    formfield_overrides = WHOLE_NUMBER_FIELDS
    form = CaseAdminForm
    list_display = ["title", "status", "submitted", "stage", "years", "country_codes", "evidence_count", "updated_at"]
    list_filter = [
        "status",
        "stage",
        "level_of_government",
        ("themes", InUseFilter),
        ("countries", InUseFilter),
        "approaches__family",
        EvidenceFilter,
        CountryPresenceFilter,
        ThemePresenceFilter,
        ParentLinkFilter,
    ]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["countries", "themes", "approaches", "parent", "publications"]
    inlines = [
        ParticipationInline,
        CaseChallengeInline,
        CaseSuccessFactorInline,
        StoryEvidenceInline,
        SupportingLinkInline,
    ]
    readonly_fields = ["status", "publication_checklist", "rendered_body", "published_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "publication_checklist", "loaded_version", "loaded_state"]}),
        ("Content", {"fields": ["summary", "body", "rendered_body", "website", "contact_email"]}),
        (
            "Case story",
            {
                "description": "Optional sections in the order the case page shows them; empty ones are left out.",
                "fields": [*STORY_FIELDS[:4], "results_evidence", *STORY_FIELDS[4:]],
            },
        ),
        (
            "Classification",
            {
                "fields": [
                    "stage",
                    "level_of_government",
                    ("start_year", "end_year"),
                    "parent",
                    "countries",
                    "themes",
                    "approaches",
                ]
            },
        ),
        ("Evidence", {"fields": ["evidence", "summary_no_evidence_reason", "publications"]}),
        ("Metadata", {"classes": ["collapse"], "fields": ["published_at", "created_at", "updated_at"]}),
    ]
    actions = [_transition_action(name) for name in TRANSITIONS]
    list_per_page = 50
    show_full_result_count = False
    object_history_list_template = "admin/cases/case/object_history_list.html"

    class Media:
        css = {"all": ["css/admin-curation.css"]}

    # Querysets and search

    def get_queryset(self, request):
        cases = (
            super()
            .get_queryset(request)
            .annotate(
                evidence_count=correlated_count(Quote.cases.through, "case_id"),
                from_submission=Exists(Submission.objects.filter(case_id=OuterRef("pk"))),
            )
        )
        if request.resolver_match and request.resolver_match.url_name == "cases_case_changelist":
            # What the list shows, without the long texts it does not.
            cases = cases.defer("body", *STORY_FIELDS).prefetch_related(
                Prefetch("countries", queryset=Country.objects.only("code", "name"))
            )
        return cases

    search_kind = "case"

    def typed_matches(self, search_term):
        """Besides the index (published cases): the title, slug and summary as typed, which find
        drafts and a few letters in autocompletes."""
        return Q(title__icontains=search_term) | Q(slug__icontains=search_term) | Q(summary__icontains=search_term)

    # Columns and read-only fields

    @admin.display(description="Years", ordering="start_year")
    def years(self, case):
        return case.years

    @admin.display(description="Countries")
    def country_codes(self, case):
        return ", ".join(country.code for country in case.countries.all())

    @admin.display(description="Submitted", boolean=True, ordering="from_submission")
    def submitted(self, case):
        """Whether the case came from /submit/ (cases.submissions)."""
        return case.from_submission

    @admin.display(description="Evidence", ordering="evidence_count")
    def evidence_count(self, case):
        return case.evidence_count

    @admin.display(description="Rendered body (as saved)")
    def rendered_body(self, case):
        if not case.body:
            return "—"
        return format_html('<div class="rendered-markdown">{}</div>', render_markdown(case.body))

    @admin.display(description="Ready to publish?")
    def publication_checklist(self, case):
        if case.pk is None:
            return "Save the draft first."
        missing = missing_for_publication(case)
        failing, claims = claims_checklist(case)
        if missing:
            return format_html("Not yet: it lacks {}.<br>{}", as_list(missing), claims)
        if failing:
            return format_html("Not yet. {}", claims)
        return format_html("Yes: it has a summary, a country and evidence. {}", claims)

    def view_on_site(self, case):
        return case.get_absolute_url() if case.is_published else None

    # Permissions

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status in (Case.Status.PUBLISHED, Case.Status.ARCHIVED):
            if not can_publish(request.user):
                return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        names = {f"transition_{t.name}" for t in allowed_transitions(request.user)}
        if can_publish(request.user):
            names.discard("transition_withdraw")  # a Publisher sends a case back with a reason, on its page
        return {key: value for key, value in actions.items() if not key.startswith("transition_") or key in names}

    # Saving: one history record per save, written after the links, so a version holds them all

    def save_model(self, request, obj, form, change):
        if change:
            self.open_gate(request, [obj.pk])
            ensure_baseline(obj)
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        if "evidence" in form.changed_data:
            chosen = form.cleaned_data["evidence"]
            ensure_quote_baseline(Quote.objects.filter(pk__in=[quote.pk for quote in chosen]))
            case.quotes.set(chosen)
        del case.skip_history_when_saving
        RECORDERS[Case].record(case, user=request.user, history_type="~" if change else "+")
        self.close_gate(request, "Changed on the case page")

    # Extra pages: transitions, preview, evidence autocomplete, library health

    def get_urls(self):
        from .claims import claim_urls
        from .health import health_view

        info = self.opts.app_label, self.opts.model_name
        own = [
            path("health/", self.admin_site.admin_view(health_view), name="{}_{}_health".format(*info)),
            path(
                "evidence-autocomplete/",
                self.admin_site.admin_view(EvidenceAutocompleteView.as_view(admin_site=self.admin_site)),
                name="{}_{}_evidence_autocomplete".format(*info),
            ),
            path(
                "<int:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
        ]
        return own + claim_urls(self.admin_site) + super().get_urls()

    def run_transition(self, request, queryset, name):
        """A changelist action: the selected cases move in bulk (cases.curation.workflow.transition_in_bulk),
        each logged in Recent actions by one bulk insert; refusals are listed with their reasons."""
        result = transition_in_bulk(queryset, name, user=request.user)
        transition = TRANSITIONS[name]
        Case.objects.filter(pk__in=[case.pk for case in result.changed]).exclude(sent_back_reason="").update(
            sent_back_reason=""
        )
        if result.changed:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=result.changed,
                action_flag=CHANGE,
                change_message=transition.label,
                single_object=False,
            )
            count = len(result.changed)
            self.message_user(request, f"{transition.label}: {count} case{pluralize(count)} done.", messages.SUCCESS)
        for refusal in result.refused[:MAX_REFUSALS_SHOWN]:
            self.message_user(request, refusal.message, messages.ERROR)
        if len(result.refused) > MAX_REFUSALS_SHOWN:
            self.message_user(
                request, f"…and {len(result.refused) - MAX_REFUSALS_SHOWN} more cases refused.", messages.ERROR
            )

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = get_object_or_404(Case, pk=object_id)
        if name not in TRANSITIONS:
            raise Http404("No such transition.")
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        label = TRANSITIONS[name].label
        try:
            if needs_reason(request.user, case, name):
                case = send_back_to_draft(case, user=request.user, reason=request.POST.get("reason", ""))
                label = f"Sent back to draft: {case.sent_back_reason}"
            else:
                case = apply_transition(case, name, user=request.user)
                clear_sent_back_reason(case)
        except TransitionRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        except ValidationError as error:
            self.message_user(request, f"“{case}” was not changed: {' '.join(error.messages)}", messages.ERROR)
        else:
            self.log_change(request, case, label)
            self.message_user(request, f"“{case}” is now {case.get_status_display().lower()}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))

    def preview_view(self, request, object_id):
        """The public case page of any case, drafts included, for curators (not indexed)."""
        case = get_object_or_404(Case, pk=object_id)
        if not self.has_view_or_change_permission(request, case):
            raise PermissionDenied
        if not case.is_published:
            messages.info(request, f"Preview of a {case.get_status_display().lower()} case: visitors cannot see it.")
        case = Case.objects.for_case_page().get(pk=case.pk)
        response = TemplateResponse(request, CASE_PAGE_TEMPLATE, {"page": case_page_parts(case, request=request)})
        response["X-Robots-Tag"] = "noindex"
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transitions"] = transitions_from(obj.status, request.user)
            context["reason_needed_for"] = [
                t.name for t in context["transitions"] if needs_reason(request.user, obj, t.name)
            ]
            context["preview_url"] = reverse("admin:cases_case_preview", args=[obj.pk])
            context["open_revisions"] = (
                Revision.objects.filter(case=obj)
                .exclude(status=Revision.Status.APPROVED)
                .select_related("author", "reviewed_by")[:10]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "health_url": reverse("admin:cases_case_health")}
        return super().changelist_view(request, extra_context)
