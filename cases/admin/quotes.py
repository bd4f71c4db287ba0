"""Admin of evidence quotes: what each supports, and linking many of them to a case at once."""

import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Prefetch, Q
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from ..curation.history import ensure_quote_baseline
from ..curation.workflow import link_quotes_to_case
from ..importing.review import refresh_sources
from ..models import Case, Quote, Source
from .filters import EditedTextFilter, EditedTimesFilter, NeedsReviewFilter, QuoteCaseLinkFilter, TimeOutsideVideoFilter
from .forms import WHOLE_NUMBER_FIELDS, QuoteAdminForm
from .review import ReviewGateMixin
from .search import FullTextSearchMixin

MAX_QUOTES_TO_LINK = 1000  # each linked quote gets a history record: keep one request short


@admin.register(Quote)
class QuoteAdmin(FullTextSearchMixin, ReviewGateMixin, SimpleHistoryAdmin):
    form = QuoteAdminForm
    formfield_overrides = WHOLE_NUMBER_FIELDS
    list_display = ["video_time", "short_text", "source_title", "supported_cases"]
    list_display_links = ["short_text"]
    list_filter = [
        "source",
        QuoteCaseLinkFilter,
        EditedTextFilter,
        EditedTimesFilter,
        NeedsReviewFilter,
        "time_status",
        TimeOutsideVideoFilter,
        "source__kind",
    ]
    # Set by the time checks (cases.importing.review) from the document, the video's end and the import;
    # the values as imported, by the importer and by a curator's save (Quote.note_curator_edit).
    readonly_fields = ["time_status", "corrected_from_seconds", *Quote.IMPORTED_FIELDS.values()]
    list_select_related = ["source"]
    search_fields = ["text", "source__title"]
    autocomplete_fields = ["source", "document", "cases", "challenges", "success_factors", "topics"]
    actions = ["link_to_case"]
    list_per_page = 100
    show_full_result_count = False
    ordering = ["source_id", "start_second", "position", "pk"]  # the (source, start_second) index; no join to sort

    class Media:
        css = {"all": ["css/admin-curation.css"]}

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related(Prefetch("cases", queryset=Case.objects.only("pk", "title")))
        )

    # A field's value as imported and the box going back to it: right under the field, and only when
    # a curator's edit made it differ from the document's.
    EDIT_FIELDS = {name: [column, f"restore_{column}"] for name, column in Quote.IMPORTED_FIELDS.items()}

    def get_fields(self, request, obj=None):
        shown = {name for pair in self.EDIT_FIELDS.values() for name in pair}
        fields = [name for name in super().get_fields(request, obj) if name not in shown]
        for name in obj.edited_fields if obj is not None else []:
            after = fields.index(name) + 1
            fields[after:after] = self.EDIT_FIELDS[name]
        return fields

    search_kind = "quote"

    def typed_matches(self, search_term):
        """Besides the index: the text as typed or the source's title. A case-insensitive regular
        expression, which the trigram index serves (icontains does not)."""
        sources = Source.objects.filter(title__icontains=search_term).values("pk")
        return Q(text__iregex=re.escape(search_term)) | Q(source__in=sources)

    @admin.display(description="Text")
    def short_text(self, quote):
        return Truncator(quote.text).chars(160)

    @admin.display(description="Source", ordering="source__title")
    def source_title(self, quote):
        return Truncator(quote.source.title).chars(60)

    @admin.display(description="Time", ordering="start_second")
    def video_time(self, quote):
        link = format_html('<a href="{}" rel="noopener noreferrer">{}</a>', quote.youtube_url, quote.timestamp)
        if quote.time_note:
            return format_html("{} <small>({})</small>", link, quote.time_note)
        return link

    @admin.display(description="Supports")
    def supported_cases(self, quote):
        cases = quote.cases.all()
        if not cases:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:cases_case_change", args=[case.pk]), case.title) for case in cases),
        )

    # Reviewed changes (cases.curation.revisions): the quote's text, time, terms and links shown on
    # published case pages change only through a Publisher; its other fields are saved directly.
    # The heading path's value as imported goes with it (note_curator_edit set it).
    DIRECT_FIELDS = ["source_id", "document_id", "heading_path", "imported_heading_path", "position"]

    def save_model(self, request, obj, form, change):
        if change:
            self.open_gate(
                request, Quote.cases.through.objects.filter(quote_id=obj.pk).values_list("case_id", flat=True)
            )
            ensure_quote_baseline(Quote.objects.filter(pk=obj.pk))
            obj.note_curator_edit()  # what its document said stays beside a changed value, for the importer
        else:
            obj.added_by_curator = True  # never imported: no import matches, changes or deletes it
        super().save_model(request, obj, form, change)
        if {"start_second", "other_seconds", "source", "document"} & set(form.changed_data):
            refresh_sources(
                {obj.source_id, form.initial.get("source")} - {None}
            )  # its video's estimate, flags and time statuses follow the new time
        if not change:  # a new quote exists whatever happens to its links
            self.open_gate(request, [])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        quote = form.instance
        gate = self.gate_of(request)
        gate.include(*Quote.cases.through.objects.filter(quote_id=quote.pk).values_list("case_id", flat=True))
        if self.close_gate(request, f"Quote #{quote.pk} {'changed' if change else 'added'} on its own page"):
            Quote.objects.filter(pk=quote.pk).update(**{name: getattr(quote, name) for name in self.DIRECT_FIELDS})
            if "topics" in form.cleaned_data:
                quote.topics.set(form.cleaned_data["topics"])

    def delete_model(self, request, obj):
        self.open_gate(request, Quote.cases.through.objects.filter(quote_id=obj.pk).values_list("case_id", flat=True))
        super().delete_model(request, obj)
        self.close_gate(request, f"Quote #{obj.pk} deleted")

    def delete_queryset(self, request, queryset):
        links = Quote.cases.through.objects.filter(quote_id__in=queryset.values("pk"))
        self.open_gate(request, set(links.values_list("case_id", flat=True)))
        super().delete_queryset(request, queryset)
        self.close_gate(request, "Quotes deleted from their list")

    @admin.action(description="Link selected quotes to a case…", permissions=["change"])
    def link_to_case(self, request, queryset):
        from .forms import LinkQuotesForm

        count = queryset.count()
        if count > MAX_QUOTES_TO_LINK:
            self.message_user(
                request,
                f"Select at most {MAX_QUOTES_TO_LINK} quotes at a time ({count} were selected).",
                messages.ERROR,
            )
            return None
        form = LinkQuotesForm(request.POST if "apply" in request.POST else None, admin_site=self.admin_site)
        if form.is_bound and form.is_valid():
            case = form.cleaned_data["case"]
            if not self.admin_site.get_model_admin(Case).has_change_permission(request, case):
                self.message_user(request, f"You may not change “{case}”.", messages.ERROR)
                return None
            self.open_gate(request, [case.pk])
            result = link_quotes_to_case(queryset, case, user=request.user)
            if self.close_gate(request, f"Linked {result.linked} quotes from the quote list"):
                return None
            already = f" ({result.already} already were)" if result.already else ""
            self.message_user(
                request,
                f"Linked {result.linked} quote{pluralize(result.linked)} to “{case}”{already}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Link quotes to a case",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "quotes": queryset.select_related("source")[:20],
            "count": count,
            "select_across": request.POST.get("select_across", "0"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cases/quote/link_to_case.html", context)
