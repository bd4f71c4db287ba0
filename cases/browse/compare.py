"""Two to four published cases side by side on every field, with the values they share highlighted."""
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode

from ..models import Case, CaseChallenge, CaseSuccessFactor, Participation
from ..slugs import SLUG
from .limits import rate_limited

MIN_CASES = 2
MAX_CASES = 4
MAX_PARAMETER_LENGTH = 2000


@dataclass
class Value:
    label: str
    url: str = ""
    key: object = None  # what makes two values the same
    shared: bool = False


@dataclass
class FieldRow:
    label: str
    cells: list = field(default_factory=list)  # per case: a list of Values


def requested_slugs(request):
    """The slugs of `?cases=a,b` and of repeated `cases=` parameters, in order, without repeats."""
    slugs = []
    for value in request.GET.getlist("cases"):
        for part in value.split(","):
            slug = part.strip().lower()
            if slug and slug not in slugs:
                slugs.append(slug)
    return slugs


def compared_cases(slugs):
    valid = [slug for slug in slugs if SLUG.match(slug)]
    cases = (
        Case.objects.published()
        .filter(slug__in=valid)
        .select_related("parent")
        .annotate(evidence_count=Count("quotes", distinct=True))
        .prefetch_related(
            "countries",
            "themes",
            "approaches",
            Prefetch("participations", queryset=Participation.objects.select_related("organisation")),
            Prefetch("case_challenges", queryset=CaseChallenge.objects.select_related("challenge")),
            Prefetch("case_success_factors", queryset=CaseSuccessFactor.objects.select_related("success_factor")),
        )
    )
    by_slug = {case.slug: case for case in cases}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


def parent_of(case):
    if case.parent and case.parent.is_published:
        return [Value(case.parent.title, case.parent.get_absolute_url(), case.parent.pk)]
    return []


def field_rows(cases):
    """Every compared field, one row each, the values held by two or more of the cases marked shared."""
    extractors = [
        ("Countries", lambda case: [Value(c.name, c.get_absolute_url(), c.code) for c in case.countries.all()]),
        ("Organisations and roles", lambda case: [
            Value(f"{p.organisation.name} ({p.get_role_display().lower()})", p.organisation.get_absolute_url(),
                  (p.organisation_id, p.role))
            for p in case.participations.all()
        ]),
        ("Themes", lambda case: [Value(t.name, t.get_absolute_url(), t.pk) for t in case.themes.all()]),
        ("Approaches", lambda case: [
            Value(a.name, a.get_absolute_url(), a.pk) for a in case.approaches.all()
        ]),
        ("Approach families", lambda case: [
            Value(label, "", family) for family, label in
            sorted({(a.family, a.get_family_display()) for a in case.approaches.all()})
        ]),
        ("Stage", lambda case: [Value(case.get_stage_display(), "", case.stage)] if case.stage else []),
        ("Years", lambda case: [Value(case.years, "", case.years)] if case.years else []),
        ("Part of", parent_of),
        ("Challenges met", lambda case: [
            Value(link.challenge.name, f"{case.get_absolute_url()}#challenge-{link.challenge.slug}", link.challenge_id)
            for link in case.case_challenges.all()
        ]),
        ("Success factors", lambda case: [
            Value(link.success_factor.name, f"{case.get_absolute_url()}#success-factor-{link.success_factor.slug}",
                  link.success_factor_id)
            for link in case.case_success_factors.all()
        ]),
        ("Evidence", lambda case: [Value(
            f"{case.evidence_count} quote{pluralize(case.evidence_count)}",
            f"{case.get_absolute_url()}#evidence", None,
        )]),
    ]
    rows = []
    for label, extract in extractors:
        row = FieldRow(label, [extract(case) for case in cases])
        held_by = Counter(key for cell in row.cells for key in {value.key for value in cell if value.key is not None})
        for cell in row.cells:
            for value in cell:
                value.shared = value.key is not None and held_by[value.key] >= 2
        rows.append(row)
    return rows


@rate_limited("compare")
def compare_view(request):
    raw_length = sum(len(value) for value in request.GET.getlist("cases"))
    slugs = requested_slugs(request)
    context = {"slugs": slugs, "max_cases": MAX_CASES, "cases": [], "missing": [], "rows": []}
    if raw_length > MAX_PARAMETER_LENGTH:
        context["error"] = f"The list of cases is too long (more than {MAX_PARAMETER_LENGTH} characters)."
        context["slugs"] = []
        return render(request, "cases/compare.html", context, status=400)
    if len(slugs) > MAX_CASES:
        context["error"] = f"You can compare at most {MAX_CASES} cases at a time; you asked for {len(slugs)}."
        context["slugs"] = slugs[:MAX_CASES]
        return render(request, "cases/compare.html", context, status=400)
    cases = compared_cases(slugs)
    found = {case.slug for case in cases}
    context["missing"] = [slug[:80] for slug in slugs if slug not in found]
    context["cases"] = cases
    if len(cases) >= MIN_CASES:
        context["rows"] = field_rows(cases)
        context["removals"] = [
            reverse("cases:compare") + "?" + urlencode({"cases": ",".join(c.slug for c in cases if c is not case)})
            for case in cases
        ]
        context["columns"] = list(zip(cases, context["removals"]))
    context["slugs_value"] = ",".join(case.slug for case in cases)
    return render(request, "cases/compare.html", context)
