"""Curators' pages for claims without evidence: the list of them, and a claim's ranked candidate
quotes, each accepted with one action (cases.claims holds the rules and the ranking)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ..claims import accept_candidate, candidates, candidates_url, claim_of, failing_claims, unevidenced_claims
from ..models import Case, Quote

STATUS_CHOICES = {"published": "Published cases", "": "All cases"}
MAX_LISTED = 500


def claims_checklist(case):
    """The readiness checklist's line on claims: (the failing claims, HTML naming each, linked to its candidates).

    A claim fails when it has no supporting quote and no curator's recorded reason.
    """
    failing = failing_claims(case)
    if not failing:
        return failing, format_html("{}", "Every claim has a supporting quote or a recorded reason.")
    items = format_html_join(
        "", '<li><a href="{}">{}</a></li>', ((candidates_url(claim), claim.label) for claim in failing)
    )
    return failing, format_html(
        "Claims with no supporting quote and no recorded reason (find evidence, or record why there is none "
        "in the claim's row below):<ul>{}</ul>",
        items,
    )


def _case_admin(request):
    case_admin = admin.site.get_model_admin(Case)
    if not case_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    return case_admin


def unevidenced_claims_view(request):
    """Claims without a supporting quote (published cases by default), each with a link to its candidates."""
    case_admin = _case_admin(request)
    status = request.GET.get("status", "published")
    if status not in STATUS_CHOICES:
        status = "published"
    cases = Case.objects.published() if status == "published" else Case.objects.all()
    claims = unevidenced_claims(cases)
    context = {
        **case_admin.admin_site.each_context(request),
        "title": "Claims without evidence",
        "opts": Case._meta,
        "claims": [(claim, candidates_url(claim)) for claim in claims[:MAX_LISTED]],
        "claim_count": len(claims),
        "status": status,
        "status_choices": STATUS_CHOICES,
    }
    return TemplateResponse(request, "admin/cases/claims.html", context)


def candidates_view(request, object_id, claim):
    """A claim's candidate quotes as moments (GET), or the acceptance of one of them (POST `quote`)."""
    case_admin = _case_admin(request)
    case = get_object_or_404(Case, pk=object_id)
    found = claim_of(case, claim)
    if found is None:
        raise Http404("This case makes no such claim.")
    if request.method == "POST":
        if not case_admin.has_change_permission(request, case):
            raise PermissionDenied
        raw = request.POST.get("quote", "")
        quote = Quote.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) <= 12 else None
        if quote is None:
            messages.error(request, "Choose a quote to accept: that one does not exist.")
        else:
            # Accepting changes the case's evidence, and the quote's terms on every case it backs:
            # like every admin write, an Editor's to a published case waits for a Publisher.
            with transaction.atomic():
                case_admin.open_gate(request, [case.pk, *quote.cases.values_list("pk", flat=True)])
                accepted = accept_candidate(found, quote, user=request.user)
                reviewed = case_admin.close_gate(request, f"Accepted quote {quote.pk} as evidence for {found.label}")
            if reviewed:
                pass  # the gate said the change waits for review
            elif accepted:
                messages.success(request, f"Quote at {quote.timestamp} accepted as evidence for {found.label}.")
            else:
                messages.info(request, f"That quote already supports {found.label}.")
        return HttpResponseRedirect(request.path)
    context = {
        **case_admin.admin_site.each_context(request),
        "title": f"Evidence for “{case}”: {found.label}",
        "opts": Case._meta,
        "case": case,
        "claim": found,
        "evidence": Quote.objects.filter(pk__in=found.evidence).select_related("source", "document"),
        "moments": candidates(found),
        "can_accept": case_admin.has_change_permission(request, case),
    }
    return TemplateResponse(request, "admin/cases/claim_candidates.html", context)


def claim_urls(admin_site):
    """The URLs of these pages, under the case admin."""
    return [
        path("claims/", admin_site.admin_view(unevidenced_claims_view), name="cases_case_claims"),
        path(
            "<int:object_id>/claims/<str:claim>/",
            admin_site.admin_view(candidates_view),
            name="cases_case_claim_candidates",
        ),
    ]


def unevidenced_claims_url(status="published"):
    return f"{reverse('admin:cases_case_claims')}?status={status}"
