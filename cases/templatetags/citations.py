"""Template tags of the citation blocks and meta tags: `{% case_citation case as citation %}`, `{% quote_citation quote as citation %}`."""

from django import template
from django.urls import reverse

from ..browse import citations

register = template.Library()


def absolute(context, path):
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag(takes_context=True)
def case_citation(context, case):
    """The APA line, permalink, download links and meta tags of a case page."""
    permalink = absolute(context, case.get_absolute_url())
    return {
        "apa": citations.case_apa(case, url=permalink),
        "permalink": permalink,
        "bib_url": reverse("cases:case-cite-bib", kwargs={"slug": case.slug}),
        "ris_url": reverse("cases:case-cite-ris", kwargs={"slug": case.slug}),
        "meta": citations.case_meta(case, url=permalink),
    }


@register.simple_tag(takes_context=True)
def quote_citation(context, quote):
    """The source at the quote's second, the permalink and a ready citation of a quote."""
    permalink = absolute(context, quote.get_absolute_url())
    seconds_url = quote.source.link_at(quote.start_second)
    return {
        "apa": citations.quote_apa(quote, seconds_url=seconds_url),
        "in_text": citations.quote_in_text(quote),
        "permalink": permalink,
        "seconds_url": seconds_url,
        "meta": citations.quote_meta(quote, url=permalink),
    }
