"""The matrix: published cases (rows) against challenges and success factors (columns), as a page and as CSV.

Each cell is a claim (cases.claims): evidenced (a quote supports it) or not yet evidenced."""
import csv
from dataclasses import dataclass, field

from django.db.models import Case as Conditional, When
from django.http import HttpResponse
from django.shortcuts import render

from ..claims import evidence_by_claim, evidence_rows
from ..exports import spreadsheet_safe
from ..filters import CaseFilter
from ..models import Case, Challenge, SuccessFactor
from .limits import rate_limited
from .paging import BadPage, bad_page_response, page_of

PER_PAGE = 500


@dataclass
class Column:
    term: object  # a Challenge or a SuccessFactor
    group: str  # "challenge" or "success-factor"
    total: int = 0  # filtered cases claiming the term
    evidenced: int = 0  # of which with a supporting quote

    @property
    def key(self):
        return (self.group, self.term.pk)

    @property
    def anchor(self):
        return f"{self.group}-{self.term.slug}"


@dataclass
class Cell:
    """A claim of a row's case on a column's term: where its evidence is shown and which quotes support it."""

    href: str
    quote_ids: list

    @property
    def evidenced(self):
        return bool(self.quote_ids)


@dataclass
class Row:
    case: Case
    cells: list = field(default_factory=list)  # per column: a Cell, or None when the case does not claim the term

    @property
    def claim_count(self):
        return sum(1 for cell in self.cells if cell)

    @property
    def evidenced_count(self):
        return sum(1 for cell in self.cells if cell and cell.evidenced)


def matrix_columns():
    challenges = [Column(challenge, "challenge") for challenge in Challenge.objects.order_by("order", "name")]
    project_first = Conditional(When(kind=SuccessFactor.Kind.PROJECT, then=0), default=1)
    factors = [
        Column(factor, "success-factor")
        for factor in SuccessFactor.objects.order_by(project_first, "order", "name")
    ]
    return challenges, factors


def claims_by_case(case_ids):
    """{case id: {(group, term id): [supporting quote ids]}} of the challenges and success factors
    the cases claim (cases.claims): one query."""
    return evidence_by_claim(evidence_rows(case_ids, summary=False))


def column_totals(columns, claims, *, evidenced_only=False):
    """How many of the filtered cases (all pages) claim each column's term, and how many of those claims are evidenced."""
    for column in columns:
        column.total = column.evidenced = 0
    by_key = {column.key: column for column in columns}
    for case_claims in claims.values():
        for key, quote_ids in case_claims.items():
            column = by_key.get(key)
            if column is None or (evidenced_only and not quote_ids):
                continue
            column.total += 1
            column.evidenced += bool(quote_ids)


def matrix_rows(cases, columns, claims, *, evidenced_only=False):
    rows = []
    for case in cases:
        url = case.get_absolute_url()
        case_claims = claims.get(case.pk, {})
        cells = []
        for column in columns:
            quote_ids = case_claims.get(column.key)
            claimed = quote_ids is not None and (quote_ids or not evidenced_only)
            cells.append(Cell(f"{url}#{column.anchor}", quote_ids) if claimed else None)
        rows.append(Row(case, cells))
    return rows


EVIDENCE_CHOICES = {"": "All claims", "evidenced": "Evidenced claims only"}


def evidence_choice(request):
    """The `evidence` parameter ('' or 'evidenced'), or None when it holds anything else."""
    value = request.GET.get("evidence", "").strip()
    return value if value in EVIDENCE_CHOICES else None


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
    filterset = CaseFilter(request.GET, queryset=Case.objects.published())
    if not filterset.is_valid():
        message = "Invalid filter.\n" + "\n".join(filter_errors(filterset)) + "\n"
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    evidence = evidence_choice(request)
    if evidence is None:
        return HttpResponse(
            "Invalid filter.\n“evidence” must be empty or “evidenced”.\n", status=400,
            content_type="text/plain; charset=utf-8",
        )
    cases = filterset.qs
    challenges, factors = matrix_columns()
    columns = challenges + factors
    claims = claims_by_case(cases.order_by().values("pk"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="case-matrix.csv"'
    writer = csv.writer(response)
    header = ["slug", "title", "url", "claims", "claims_evidenced"]
    for column in columns:
        name = f"{'Challenge' if column.group == 'challenge' else 'Success factor'}: {column.term.name}"
        header += [spreadsheet_safe(name), spreadsheet_safe(f"{name} (quote ids)")]
    writer.writerow(header)
    rows = matrix_rows(cases.only("pk", "slug", "title"), columns, claims, evidenced_only=evidence == "evidenced")
    for row in rows:
        line = [
            row.case.slug, spreadsheet_safe(row.case.title), request.build_absolute_uri(row.case.get_absolute_url()),
            row.claim_count, row.evidenced_count,
        ]
        for cell in row.cells:
            if cell is None:
                line += ["", ""]
            else:
                line += [CSV_STATUS[cell.evidenced], " ".join(str(pk) for pk in cell.quote_ids)]
        writer.writerow(line)
    return response


# A claimed cell of the CSV: its evidence status in words (a blank cell: not claimed).
CSV_STATUS = {True: "evidenced", False: "not yet evidenced"}
