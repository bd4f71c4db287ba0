"""The matrix: cases (rows) against challenges and success factors (columns), its totals and its CSV.

Each cell is a claim (cases.claims): evidenced (a quote supports it) or not yet evidenced. The
page and the CSV (cases.views.matrix) filter the cases with the case browser's CaseFilter.
"""

import csv
from dataclasses import dataclass, field

from django.db.models import Case as Conditional
from django.db.models import When

from ..claims import evidence_by_claim, evidence_rows
from ..models import Case, Challenge, SuccessFactor
from .exports import spreadsheet_safe


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
    """([challenge Columns], [success factor Columns]): challenges, then project then ecosystem factors."""
    challenges = [Column(challenge, "challenge") for challenge in Challenge.objects.order_by("order", "name")]
    project_first = Conditional(When(kind=SuccessFactor.Kind.PROJECT, then=0), default=1)
    factors = [
        Column(factor, "success-factor") for factor in SuccessFactor.objects.order_by(project_first, "order", "name")
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
    """A Row per case of `cases`, a Cell per column it claims (None where it does not, or where
    `evidenced_only` and the claim has no quote); `claims` as claims_by_case gives them."""
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

# A claimed cell of the CSV: its evidence status in words (a blank cell: not claimed).
CSV_STATUS = {True: "evidenced", False: "not yet evidenced"}


def write_matrix_csv(out, *, cases, evidenced_only=False, absolute_url):
    """Write the matrix of `cases` (a queryset) as CSV to the file-like `out`: a row per case
    (slug, title, URL, claim counts), two columns per term (its status in words, its quote ids);
    text cells are guarded against spreadsheet formulas. `absolute_url(path)` makes links absolute."""
    challenges, factors = matrix_columns()
    columns = challenges + factors
    claims = claims_by_case(cases.order_by().values("pk"))
    writer = csv.writer(out)
    header = ["slug", "title", "url", "claims", "claims_evidenced"]
    for column in columns:
        name = f"{'Challenge' if column.group == 'challenge' else 'Success factor'}: {column.term.name}"
        header += [spreadsheet_safe(name), spreadsheet_safe(f"{name} (quote ids)")]
    writer.writerow(header)
    for row in matrix_rows(cases.only("pk", "slug", "title"), columns, claims, evidenced_only=evidenced_only):
        line = [
            row.case.slug,
            spreadsheet_safe(row.case.title),
            absolute_url(row.case.get_absolute_url()),
            row.claim_count,
            row.evidenced_count,
        ]
        for cell in row.cells:
            if cell is None:
                line += ["", ""]
            else:
                line += [CSV_STATUS[cell.evidenced], " ".join(str(pk) for pk in cell.quote_ids)]
        writer.writerow(line)
