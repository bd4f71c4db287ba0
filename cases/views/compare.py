"""The compare page (/compare/?cases=a,b): reads the requested slugs and renders cases.browse.compare's rows."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from ..browse.compare import MAX_CASES, MIN_CASES, compared_cases, field_rows
from .limits import rate_limited

MAX_PARAMETER_LENGTH = 2000


def requested_slugs(request):
    """The slugs of `?cases=a,b` and of repeated `cases=` parameters, in order, without repeats."""
    slugs = []
    for value in request.GET.getlist("cases"):
        for part in value.split(","):
            slug = part.strip().lower()
            if slug and slug not in slugs:
                slugs.append(slug)
    return slugs


@rate_limited("compare")
def compare_view(request):
    """Two to four published cases side by side; too many or too long a list answers 400."""
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
