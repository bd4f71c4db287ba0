"""Two to four published cases side by side on every field, with the values they share highlighted
(the rows of /compare/; cases.views.compare reads the request and renders them)."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.template.defaultfilters import pluralize
from django.utils.text import Truncator

from ..models import Case, CaseChallenge, CaseSuccessFactor, Participation, StorySection
from ..search.snippets import plain_text
from ..slugs import SLUG

MIN_CASES = 2
MAX_CASES = 4


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


def compared_cases(slugs):
    """The published cases named by `slugs` (malformed ones skipped), in the order asked, each with
    `evidence_count` and the links the comparison rows show prefetched."""
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
    """The case's parent as a comparison value, when it is published."""
    if case.parent and case.parent.is_published:
        return [Value(case.parent.title, case.parent.get_absolute_url(), case.parent.pk)]
    return []


OPTIONAL_ROWS = {"Level of government", "Results are", *StorySection.labels}
STORY_WORDS = 40  # words of a story section shown in a comparison cell


def story_extractor(section):
    """The compare row of one story section: its opening words, linking to the section on the case page."""

    def extract(case):
        text = getattr(case, section.field_name)
        if not text.strip():
            return []
        label = Truncator(plain_text(text, markdown=True)).words(STORY_WORDS)
        return [Value(label, f"{case.get_absolute_url()}#story-{section.value}", None)]

    return extract


def field_rows(cases):
    """Every compared field, one row each, the values held by two or more of the cases marked shared."""
    extractors = [
        ("Countries", lambda case: [Value(c.name, c.get_absolute_url(), c.code) for c in case.countries.all()]),
        (
            "Organisations and roles",
            lambda case: [
                Value(
                    f"{p.organisation.name} ({p.get_role_display().lower()})",
                    p.organisation.get_absolute_url(),
                    (p.organisation_id, p.role),
                )
                for p in case.participations.all()
            ],
        ),
        ("Themes", lambda case: [Value(t.name, t.get_absolute_url(), t.pk) for t in case.themes.all()]),
        ("Approaches", lambda case: [Value(a.name, a.get_absolute_url(), a.pk) for a in case.approaches.all()]),
        (
            "Approach families",
            lambda case: [
                Value(label, "", family)
                for family, label in sorted({(a.family, a.get_family_display()) for a in case.approaches.all()})
            ],
        ),
        ("Stage", lambda case: [Value(case.get_stage_display(), "", case.stage)] if case.stage else []),
        (
            "Level of government",
            lambda case: (
                [Value(case.get_level_of_government_display(), "", case.level_of_government)]
                if case.level_of_government
                else []
            ),
        ),
        ("Years", lambda case: [Value(case.years, "", case.years)] if case.years else []),
        ("Part of", parent_of),
        (
            "Challenges met",
            lambda case: [
                Value(
                    link.challenge.name, f"{case.get_absolute_url()}#challenge-{link.challenge.slug}", link.challenge_id
                )
                for link in case.case_challenges.all()
            ],
        ),
        (
            "Success factors",
            lambda case: [
                Value(
                    link.success_factor.name,
                    f"{case.get_absolute_url()}#success-factor-{link.success_factor.slug}",
                    link.success_factor_id,
                )
                for link in case.case_success_factors.all()
            ],
        ),
        *[(section.label, story_extractor(section)) for section in StorySection],
        (
            "Results are",
            lambda case: (
                [Value(case.get_results_evidence_display(), "", case.results_evidence)] if case.results_evidence else []
            ),
        ),
        (
            "Evidence",
            lambda case: [
                Value(
                    f"{case.evidence_count} quote{pluralize(case.evidence_count)}",
                    f"{case.get_absolute_url()}#evidence",
                    None,
                )
            ],
        ),
    ]
    rows = []
    for label, extract in extractors:
        row = FieldRow(label, [extract(case) for case in cases])
        if label in OPTIONAL_ROWS and not any(row.cells):
            continue
        held_by = Counter(key for cell in row.cells for key in {value.key for value in cell if value.key is not None})
        for cell in row.cells:
            for value in cell:
                value.shared = value.key is not None and held_by[value.key] >= 2
        rows.append(row)
    return rows
