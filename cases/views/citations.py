"""A published case's reference as a BibTeX or RIS file."""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .. import citations
from ..models import Case


def citation_file(request, slug, *, render, content_type, extension):
    case = get_object_or_404(Case.objects.published().prefetch_related("themes"), slug=slug)
    url = request.build_absolute_uri(case.get_absolute_url())
    keywords = [theme.name for theme in case.themes.all()]
    response = HttpResponse(render(case, url=url, keywords=keywords), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{case.slug}.{extension}"'
    return response


def case_bibtex(request, slug):
    return citation_file(request, slug, render=citations.case_bibtex, content_type="application/x-bibtex", extension="bib")


def case_ris(request, slug):
    return citation_file(
        request, slug, render=citations.case_ris, content_type="application/x-research-info-systems", extension="ris"
    )
