"""Admin of sources, imported documents and wiki topics; the "Import documents" upload page."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..importing.importer import MAX_FILE_BYTES, import_uploads, reread_document
from ..importing.review import confirm_document_times, refresh_sources
from ..models import Document, Quote, Source, Topic
from ..querysets import correlated_count
from ..timestamps import format_timestamp
from .filters import DocumentCaseEvidenceFilter, DurationFilter
from .forms import WHOLE_NUMBER_FIELDS
from .merging import MergeMixin

# Files one upload takes: Django refuses to read more, before any view (kb.views.bad_request says so).
MAX_UPLOAD_FILES = settings.DATA_UPLOAD_MAX_NUMBER_FILES
MAX_LISTED_EDITS = 20  # curators' edits a re-read lists as messages; the quote list's Times filter has them all


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = WHOLE_NUMBER_FIELDS
    list_display = [
        "title",
        "kind",
        "youtube_id",
        "channel",
        "length",
        "quote_count",
        "document_count",
        "published_on",
    ]
    list_filter = ["kind", DurationFilter, "channel"]
    search_fields = ["title", "slug", "youtube_id"]
    readonly_fields = ["estimated_length"]

    @admin.display(description="Length", ordering="duration_seconds")
    def length(self, source):
        if source.end_seconds is None:
            return "—"
        return format_timestamp(source.end_seconds) + (" (estimated)" if source.duration_is_estimated else "")

    @admin.display(description="Estimated length")
    def estimated_length(self, source):
        """The estimate from the documents about the video: what the duration replaces once set."""
        if source.estimated_duration_seconds is None:
            return "—"
        return format_timestamp(source.estimated_duration_seconds)

    def save_model(self, request, obj, form, change):
        """Setting (or clearing) a video's duration re-checks its documents and quotes against it."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if "duration_seconds" in form.changed_data:
                refresh = refresh_sources([obj.pk])
                self.message_user(
                    request,
                    f"Checked the times of its documents against its length: {len(refresh.flagged)} "
                    f"flagged, {len(refresh.cleared)} cleared, {refresh.quotes_changed} quotes changed status.",
                    messages.INFO,
                )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                quote_total=correlated_count(Quote, "source"), document_total=correlated_count(Document, "source")
            )
        )

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, source):
        return source.quote_total

    @admin.display(description="Documents", ordering="document_total")
    def document_count(self, source):
        return source.document_total


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files; each must be under the importer's size limit (read problems are the importer's)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            raise forms.ValidationError("Choose one or more markdown documents (.md) to import.", code="required")
        too_large = [upload for upload in files if upload.size > MAX_FILE_BYTES]
        if too_large:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        "%(name)s is %(size)s bytes: the limit is %(limit)s bytes per document. Nothing was imported.",
                        code="too_large",
                        params={"name": upload.name, "size": f"{upload.size:,}", "limit": f"{MAX_FILE_BYTES:,}"},
                    )
                    for upload in too_large
                ]
            )
        return files


class DocumentImportForm(forms.Form):
    files = MultipleFileField(
        label="Documents",
        help_text=(
            f"Webinar summary documents (.md, UTF-8), or the channel index; at most {MAX_UPLOAD_FILES} files "
            f"of {MAX_FILE_BYTES:,} bytes each."
        ),
        widget=MultipleFileInput(attrs={"accept": ".md,text/markdown"}),
    )
    dry_run = forms.BooleanField(
        label="Check only", required=False, help_text="Read the documents and report what would change; write nothing."
    )


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "source",
        "quote_count",
        "needs_review",
        "timestamps_as_minutes",
        "times_confirmed_at",
        "updated_at",
    ]
    list_filter = ["needs_review", "timestamps_as_minutes", "times_confirmed_at", DocumentCaseEvidenceFilter]
    list_select_related = ["source"]
    search_fields = ["title", "slug", "source__title", "source__youtube_id"]
    autocomplete_fields = ["source", "topics"]
    # What the importer derives from the file is read-only: fix the file and import it again.
    # Its flag is the time checks' (cases.importing.review): a curator answers it with the actions.
    readonly_fields = ["needs_review", "review_reason", "timestamps_as_minutes", "times_confirmed_at", "content_hash"]
    readonly_after_import = ["slug", "body", "raw_text"]
    fields = [
        "title",
        "slug",
        "source",
        "needs_review",
        "review_reason",
        "timestamps_as_minutes",
        "times_confirmed_at",
        "topics",
        "body",
        "raw_text",
        "content_hash",
    ]
    actions = ["confirm_times", "reread_as_minutes_seconds", "reread_as_hours_minutes_seconds"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=correlated_count(Quote, "document"))

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, *self.readonly_after_import] if obj is not None else readonly

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, document):
        return document.quote_total

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="cases_document_import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        if self.has_add_permission(request):
            extra_context["import_url"] = reverse("admin:cases_document_import")
        return super().changelist_view(request, extra_context=extra_context)

    def import_view(self, request):
        """Upload documents and show the importer's report (the same one the command prints)."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = DocumentImportForm(request.POST, request.FILES)
            if form.is_valid():
                report = import_uploads(form.cleaned_data["files"], dry_run=form.cleaned_data["dry_run"])
                self._message_report(request, report)
        else:
            form = DocumentImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import documents",
            "form": form,
            "report": report,
            "summary": report.as_dict() if report else None,
        }
        return TemplateResponse(request, "admin/cases/document/import.html", context)

    def _message_report(self, request, report):
        what = "Checked" if report.dry_run else "Imported"
        summary = (
            f"{what} {report.documents} document{pluralize(report.documents)} "
            f"({report.created} new, {report.updated} changed, {report.unchanged} unchanged): "
            f"{report.quotes} quotes citing {report.timestamps} timestamps, {report.topics} topics, "
            f"{report.flagged} flagged for review."
        )
        if report.relinks:
            summary += (
                f" Linked quotes: {report.links_carried} moved to the new wording of their statement, "
                f"{report.links_cut_loose} cut loose to re-link (see below)."
            )
        if report.edits_kept:
            summary += (
                f" {report.edits_kept} quote{pluralize(report.edits_kept)} kept a curator's edits "
                "while the statement changed (listed below)."
            )
        if report.dry_run:
            summary += " Nothing was written."
        self.message_user(request, summary, messages.SUCCESS if not report.failed else messages.WARNING)
        if report.failed:
            self.message_user(
                request,
                f"{report.failed} file{pluralize(report.failed)} could not be imported: see below.",
                messages.ERROR,
            )

    def _reread(self, request, queryset, *, minutes_seconds):
        done, failures, edits_kept, edits = 0, [], 0, []
        for document in queryset.select_related(None).only("pk", "slug", "raw_text", "content_hash"):
            report = reread_document(document, minutes_seconds=minutes_seconds)
            done += not report.failed
            failures.extend(report.failures)
            edits_kept += report.edits_kept
            edits.extend(report.edits)
        how = "minutes:seconds" if minutes_seconds else "hours:minutes:seconds"
        if done:
            self.message_user(
                request,
                f"Re-read the timestamps of {done} document{pluralize(done)} as {how}; quotes kept their links.",
                messages.SUCCESS,
            )
        if edits:
            # As the import page lists them: a curator's time stays, and the new reading is named.
            self.message_user(
                request,
                f"{edits_kept} quote{pluralize(edits_kept)} kept a curator's edits where the re-read "
                "timestamps differ:",
                messages.WARNING,
            )
            for edit in edits[:MAX_LISTED_EDITS]:
                self.message_user(request, edit, messages.WARNING)
            if len(edits) > MAX_LISTED_EDITS:
                more = len(edits) - MAX_LISTED_EDITS
                self.message_user(
                    request,
                    f"… and {more} more line{pluralize(more)}: the quote list's Times filter shows every "
                    "quote whose time a curator set.",
                    messages.WARNING,
                )
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description="Confirm the timestamps as written (clears the review flag)", permissions=["change"])
    def confirm_times(self, request, queryset):
        count = queryset.count()
        with transaction.atomic():
            refresh = confirm_document_times(queryset.order_by())
        self.message_user(
            request,
            f"Confirmed the timestamps of {count} document{pluralize(count)}; "
            f"{refresh.quotes_changed} quote{pluralize(refresh.quotes_changed)} changed time status.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Re-read timestamps as minutes:seconds (values shifted one field left)", permissions=["change"]
    )
    def reread_as_minutes_seconds(self, request, queryset):
        self._reread(request, queryset, minutes_seconds=True)

    @admin.action(description="Re-read timestamps as hours:minutes:seconds (as written)", permissions=["change"])
    def reread_as_hours_minutes_seconds(self, request, queryset):
        self._reread(request, queryset, minutes_seconds=False)


@admin.register(Topic)
class TopicAdmin(MergeMixin, admin.ModelAdmin):
    list_display = ["label", "slug", "document_count"]
    search_fields = ["label", "slug"]

    def get_queryset(self, request):
        through = Document.topics.through
        return super().get_queryset(request).annotate(document_total=correlated_count(through, "topic"))

    @admin.display(description="Documents", ordering="document_total")
    def document_count(self, topic):
        return topic.document_total
