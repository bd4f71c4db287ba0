"""The matrix page and its CSV: request parsing and rendering over cases.browse.matrix."""

from django.http import HttpResponse
from django.shortcuts import render

from ..browse.filters import CaseFilter
from ..browse.matrix import (
    EVIDENCE_CHOICES,
    claims_by_case,
    column_totals,
    matrix_columns,
    matrix_rows,
    write_matrix_csv,
)
from ..models import Case, SuccessFactor
from .downloads import invalid_filter
from .limits import rate_limited
from .paging import BadPage, bad_page_response, page_of

PER_PAGE = 500


def evidence_choice(request):
    """The `evidence` parameter ('' or 'evidenced'), or None when it holds anything else."""
    value = request.GET.get("evidence", "").strip()
    return value if value in EVIDENCE_CHOICES else None


def filter_errors(filterset):
    """The filter form's errors as readable lines."""
    return [
        f"{filterset.form.fields[name].label}: {' '.join(errors)}"
        if name in filterset.form.fields
        else " ".join(errors)
        for name, errors in filterset.form.errors.items()
    ]


def filter_context(filterset):
    """What the matrix's filter form and chips show: the case browser's parameters in use."""
    form = filterset.form
    return {
        "filterset": filterset,
        "chips": filterset.chips(),
        "notices": filterset.notices(),
        "kept": [(name, value) for name in CaseFilter.REPEATABLE for value in filterset.selected(name)],
        "choices": {name: form.fields[name].choices for name in ("region", "family", "stage")},
        "browser_query": filterset.querystring(),
    }


def matrix_view(request):
    """The matrix page of the published cases the browser's filters leave, PER_PAGE rows a page."""
    if request.GET.get("format") == "csv":
        return matrix_csv(request)
    filterset = CaseFilter(request.GET, queryset=Case.objects.published())
    if not filterset.is_valid():
        context = {"error": "Some filters are not valid.", "errors": filter_errors(filterset)}
        return render(request, "cases/matrix.html", context, status=400)
    evidence = evidence_choice(request)
    if evidence is None:
        message = "“evidence” must be empty (all claims) or “evidenced” (evidenced claims only)."
        return render(request, "cases/matrix.html", {"error": message}, status=400)
    evidenced_only = evidence == "evidenced"
    cases = filterset.qs
    try:
        page = page_of(request, cases.only("pk", "slug", "title"), PER_PAGE)
    except BadPage as error:
        return bad_page_response(request, error)
    challenges, factors = matrix_columns()
    columns = challenges + factors
    claims = claims_by_case(cases.order_by().values("pk"))
    column_totals(columns, claims, evidenced_only=evidenced_only)
    query = filterset.querystring()
    if evidenced_only:
        query = f"{query}&evidence=evidenced" if query else "evidence=evidenced"
    context = {
        **filter_context(filterset),
        "page_obj": page,
        "evidence": evidence,
        "evidence_choices": EVIDENCE_CHOICES,
        "rows": matrix_rows(list(page.object_list), columns, claims, evidenced_only=evidenced_only),
        "challenge_columns": challenges,
        "project_columns": [column for column in factors if column.term.kind == SuccessFactor.Kind.PROJECT],
        "ecosystem_columns": [column for column in factors if column.term.kind == SuccessFactor.Kind.ECOSYSTEM],
        "columns": columns,
        "case_count": page.paginator.count,
        "query_without_page": query,
        "csv_query": query,
    }
    return render(request, "cases/matrix.html", context)


@rate_limited("export")
def matrix_csv(request):
    """The whole filtered matrix as CSV (browse.matrix.write_matrix_csv), or a plain-text 400."""
    filterset = CaseFilter(request.GET, queryset=Case.objects.published())
    if not filterset.is_valid():
        return invalid_filter(filter_errors(filterset))
    evidence = evidence_choice(request)
    if evidence is None:
        return invalid_filter(["“evidence” must be empty or “evidenced”."])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-matrix.csv"'
    write_matrix_csv(
        response, cases=filterset.qs, evidenced_only=evidence == "evidenced", absolute_url=request.build_absolute_uri
    )
    return response
