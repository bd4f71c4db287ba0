"""The matrix: published cases (rows) against challenges and success factors (columns), as a page and as CSV."""
import csv
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case as Conditional, Count, When
from django.http import HttpResponse
from django.shortcuts import render

from ..exports import spreadsheet_safe
from ..filters import CaseFilter
from ..models import Case, CaseChallenge, CaseSuccessFactor, Challenge, SuccessFactor
from .limits import rate_limited
from .paging import page_number

PER_PAGE = 500


@dataclass
class Column:
    term: object  # a Challenge or a SuccessFactor
    group: str  # "challenge" or "success-factor"
    total: int = 0

    @property
    def key(self):
        return (self.group, self.term.pk)

    @property
    def anchor(self):
        return f"{self.group}-{self.term.slug}"


@dataclass
class Row:
    case: Case
    cells: list = field(default_factory=list)  # per column: the link to the evidence, or "" when not linked


def matrix_columns():
    challenges = [Column(challenge, "challenge") for challenge in Challenge.objects.order_by("order", "name")]
    project_first = Conditional(When(kind=SuccessFactor.Kind.PROJECT, then=0), default=1)
    factors = [
        Column(factor, "success-factor")
        for factor in SuccessFactor.objects.order_by(project_first, "order", "name")
    ]
    return challenges, factors


def links_of(cases):
    """The (group, term id) pairs each case of `cases` is linked to, keyed by case id."""
    links = {}
    # order_by(): the through models' default ordering would join the term tables for nothing.
    for case_id, challenge_id in (
        CaseChallenge.objects.filter(case__in=cases).order_by().values_list("case_id", "challenge_id")
    ):
        links.setdefault(case_id, set()).add(("challenge", challenge_id))
    for case_id, factor_id in (
        CaseSuccessFactor.objects.filter(case__in=cases).order_by().values_list("case_id", "success_factor_id")
    ):
        links.setdefault(case_id, set()).add(("success-factor", factor_id))
    return links


def column_totals(columns, cases):
    """How many of the filtered cases each column's term is linked to (all pages, not just this one)."""
    case_ids = cases.order_by().values("pk")
    totals = {
        ("challenge", row["challenge_id"]): row["n"]
        for row in CaseChallenge.objects.filter(case__in=case_ids)
        .order_by()
        .values("challenge_id")
        .annotate(n=Count("case_id"))
    }
    totals |= {
        ("success-factor", row["success_factor_id"]): row["n"]
        for row in CaseSuccessFactor.objects.filter(case__in=case_ids)
        .order_by()
        .values("success_factor_id")
        .annotate(n=Count("case_id"))
    }
    for column in columns:
        column.total = totals.get(column.key, 0)


def matrix_rows(cases, columns):
    links = links_of([case.pk for case in cases])
    rows = []
    for case in cases:
        url = case.get_absolute_url()
        linked = links.get(case.pk, ())
        rows.append(Row(case, [f"{url}#{column.anchor}" if column.key in linked else "" for column in columns]))
    return rows


def filter_errors(filterset):
    """The filter form's errors as readable lines."""
    return [
        f"{filterset.form.fields[name].label}: {' '.join(errors)}" if name in filterset.form.fields else " ".join(errors)
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
    if request.GET.get("format") == "csv":
        return matrix_csv(request)
    filterset = CaseFilter(request.GET, queryset=Case.objects.published())
    if not filterset.is_valid():
        context = {"error": "Some filters are not valid.", "errors": filter_errors(filterset)}
        return render(request, "cases/matrix.html", context, status=400)
    number = page_number(request)
    if number is None:
        return render(request, "cases/matrix.html", {"error": "“page” must be a whole number from 1 up."}, status=400)
    cases = filterset.qs
    page = Paginator(cases.only("pk", "slug", "title"), PER_PAGE).get_page(number)
    challenges, factors = matrix_columns()
    columns = challenges + factors
    column_totals(columns, cases)
    query = filterset.querystring()
    context = {
        **filter_context(filterset),
        "page_obj": page,
        "rows": matrix_rows(list(page.object_list), columns),
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
    filterset = CaseFilter(request.GET, queryset=Case.objects.published())
    if not filterset.is_valid():
        message = "Invalid filter.\n" + "\n".join(filter_errors(filterset)) + "\n"
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    cases = filterset.qs
    challenges, factors = matrix_columns()
    columns = challenges + factors
    links = links_of(cases.order_by().values("pk"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-matrix.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["slug", "title", "url"]
        + [spreadsheet_safe(f"{'Challenge' if column.group == 'challenge' else 'Success factor'}: {column.term.name}")
           for column in columns]
    )
    for case in cases.only("pk", "slug", "title"):
        linked = links.get(case.pk, ())
        writer.writerow(
            [case.slug, spreadsheet_safe(case.title), request.build_absolute_uri(case.get_absolute_url())]
            + [1 if column.key in linked else 0 for column in columns]
        )
    return response
