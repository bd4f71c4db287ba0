"""The case page's contents, shared by the public page and the admin's preview of any case."""

from django.template.loader import render_to_string
from django.utils.text import Truncator

from ..claims import CHALLENGE, FACTOR, STORY, page_claims
from ..models import Case, Participation
from .case_links import attach_case_links, attach_countries

TEMPLATE = "cases/case_detail.html"  # the page: base.html around the parts below
CONTENT_TEMPLATE = "cases/case_page_content.html"
META_TEMPLATE = "includes/_citation_meta.html"
DESCRIPTION_WORDS = 40
RELATED_CASES = 6
# What a related case's line shows (its title, includes/_case_meta.html): long bodies stay in the database.
RELATED_CASE_FIELDS = ("title", "slug", "stage", "start_year", "end_year")
# A much-quoted case shows its first quotes and links to all of them in the quote browser:
# rendering hundreds of quotes made the page slow and long to read.
EVIDENCE_SHOWN_PER_TERM = 10
FURTHER_EVIDENCE_SHOWN = 30


def group_by_role(participations):
    """[(role label, [organisations])] in the order of Participation.Role, organisations by name."""
    by_role = {}
    for participation in participations:
        by_role.setdefault(participation.role, []).append(participation.organisation)
    return [
        (label, sorted(by_role[role], key=lambda organisation: organisation.name))
        for role, label in Participation.Role.choices
        if role in by_role
    ]


def case_page_context(case):
    """What the case page template shows besides `case` itself, for a case fetched through
    `Case.objects.for_case_page()`: its claims (the summary, the challenges met, the success
    factors shown) each with its supporting quotes, its organisations by role, its published
    parent, the claims of its story sections, and the published cases most like it (querysets.most_alike: ranked on the library's bitmaps; their countries from the bitmaps too, case_links.attach_countries).
    Attaches the case's links to terms first (case_links.attach_case_links: one query)."""
    attach_case_links(case)
    summary_claim, *claims = page_claims(
        case, shown_per_claim=EVIDENCE_SHOWN_PER_TERM, summary_shown=FURTHER_EVIDENCE_SHOWN
    )
    return {
        "case": case,
        "summary_claim": summary_claim,
        "story_claims": [claim for claim in claims if claim.group == STORY],
        "challenge_claims": [claim for claim in claims if claim.group == CHALLENGE],
        "success_factor_claims": [claim for claim in claims if claim.group == FACTOR],
        "organisations_by_role": group_by_role(case.participation_list),
        "parent": case.parent if case.parent and case.parent.is_published else None,
        "related_cases": attach_countries(
            Case.objects.published()
            .only(*RELATED_CASE_FIELDS)
            .most_alike(
                case,
                themes=[theme.slug for theme in case.theme_list],
                approaches=[approach.slug for approach in case.approach_list],
                countries=[country.code for country in case.country_list],
                limit=RELATED_CASES,
            ),
            using=case._state.db or "default",
        ),
    }


def case_page_parts(case, *, request):
    """The case page's parts for TEMPLATE's `page`, for a case fetched through
    `Case.objects.for_case_page()`: {"title", "description": plain text (the template escapes
    them), "meta", "content": HTML}. They depend on the case, the library and the site's address
    (the citations' permalinks are absolute: request.build_absolute_uri), never on the visitor,
    so the public page caches them under the library version and that address
    (cases/views/case_page.py)."""
    context = case_page_context(case)
    return {
        "title": case.title,
        "description": Truncator(case.summary).words(DESCRIPTION_WORDS, truncate=" …"),
        "meta": render_to_string(META_TEMPLATE, context, request=request),
        "content": render_to_string(CONTENT_TEMPLATE, context, request=request),
    }
