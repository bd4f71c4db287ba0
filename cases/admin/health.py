"""The "Library health" admin page: what curation still has to do, each number a link to the
changelist filtered to exactly those rows."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import reverse

from ..claims import unevidenced_count
from ..models import Case, Document, Quote, QuoteRelink
from . import relinks
from .claims import unevidenced_claims_url
from .filters import DocumentCaseEvidenceFilter, broken_parent_q, cases_without

# Past this many, listing the documents' ids in the link would make an unwieldy URL.


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    url: str
    problem: bool = True  # a non-zero count is work to do


def changelist(model, **params):
    url = reverse(f"admin:cases_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def documents_without_case_evidence():
    """Documents none of whose quotes is linked to a case."""
    evidence = Quote.cases.through.objects.filter(quote__document=OuterRef("pk"))
    return Document.objects.filter(~Exists(evidence))


def documents_link():
    """The document changelist filtered to documents with no quote linked to a case."""
    return changelist(Document, **{DocumentCaseEvidenceFilter.parameter_name: "none"})


def relink_figures():
    """Quotes a re-import cut loose from their document (and no import took back), and those a
    curator must still re-link (QuoteRelinkQuerySet.to_relink): one query."""
    counts = QuoteRelink.objects.aggregate(
        cut_loose=Count("quote", distinct=True, filter=Q(pk__in=QuoteRelink.objects.cut_loose().values("pk"))),
        to_relink=Count("pk", filter=Q(pk__in=QuoteRelink.objects.to_relink().values("pk"))),
    )
    return [
        Figure(
            "Quotes cut loose from their document by a re-import", counts["cut_loose"], relinks.list_url("cut_loose")
        ),
        Figure("Quotes a curator must re-link", counts["to_relink"], relinks.list_url("to_relink")),
    ]


def library_health():
    """The figures of the health page, grouped, in a fixed number of queries."""
    by_status = dict(Case.objects.order_by().values_list("status").annotate(count=Count("pk")))
    statuses = [
        Figure(label, by_status.get(value, 0), changelist(Case, status__exact=value), problem=False)
        for value, label in Case.Status.choices
    ]
    cases = [
        Figure(
            "Cases with no country",
            Case.objects.filter(cases_without("countries")).count(),
            changelist(Case, has_countries="no"),
        ),
        Figure(
            "Cases with no theme",
            Case.objects.filter(cases_without("themes")).count(),
            changelist(Case, has_themes="no"),
        ),
        Figure(
            "Cases with no evidence quote",
            Case.objects.filter(cases_without("quotes")).count(),
            changelist(Case, evidence="no"),
        ),
        Figure(
            "Published claims without evidence",
            unevidenced_count(Case.objects.published()),
            unevidenced_claims_url("published"),
        ),
        Figure(
            "Broken parent links",
            Case.objects.filter(broken_parent_q()).count(),
            changelist(Case, parent_link="broken"),
        ),
    ]
    quotes = [
        Figure(
            "Quotes whose time is under review",
            Quote.objects.under_review().count(),
            changelist(Quote, time_status__exact=Quote.TimeStatus.UNDER_REVIEW),
        ),
        Figure(
            "Quotes past the end of their video", Quote.objects.past_end().count(), changelist(Quote, past_end="yes")
        ),
        Figure(
            "Quotes of documents flagged for review",
            Quote.objects.needing_review().count(),
            changelist(Quote, needs_review="yes"),
        ),
        Figure(
            "Quotes linked to no case",
            Quote.objects.filter(~Exists(Quote.cases.through.objects.filter(quote_id=OuterRef("pk")))).count(),
            changelist(Quote, linked="no"),
        ),
        # Re-imports (cases.importing.carryover): linked quotes kept without their document.
        *relink_figures(),
    ]
    unlinked_documents = documents_without_case_evidence()
    unlinked_count = unlinked_documents.count()
    documents = [
        Figure(
            "Documents needing review",
            Document.objects.filter(needs_review=True).count(),
            changelist(Document, needs_review__exact="1"),
        ),
        Figure("Documents with no quote linked to a case", unlinked_count, documents_link()),
    ]
    return [("Cases by status", statuses), ("Cases", cases), ("Quotes", quotes), ("Documents", documents)]


def health_view(request):
    case_admin = admin.site.get_model_admin(Case)
    if not case_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Library health",
        "opts": Case._meta,
        "groups": library_health(),
    }
    return TemplateResponse(request, "admin/cases/health.html", context)
