"""A case's reference as a BibTeX or RIS file: a published case's, and a withdrawn (archived)
case's too, so a reference someone cited keeps resolving; an old slug redirects to the current one."""

from django.http import HttpResponse

from ..browse import citations
from ..models import Case
from .case_page import redirect_old_case_slug


def citation_file(request, slug, *, render, content_type, extension):
    case = Case.objects.citable().prefetch_related("themes").filter(slug=slug).first()
    if case is None:
        return redirect_old_case_slug(slug, f"cases:case-cite-{extension}")
    url = request.build_absolute_uri(case.get_absolute_url())
    keywords = [theme.name for theme in case.themes.all()]
    response = HttpResponse(render(case, url=url, keywords=keywords), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{case.slug}.{extension}"'
    return response


def case_bibtex(request, slug):
    return citation_file(
        request, slug, render=citations.case_bibtex, content_type="application/x-bibtex", extension="bib"
    )


def case_ris(request, slug):
    return citation_file(
        request, slug, render=citations.case_ris, content_type="application/x-research-info-systems", extension="ris"
    )
