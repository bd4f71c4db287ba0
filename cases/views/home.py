"""The home page: the library's counts, its newest cases, entry points into the taxonomy, and charts."""

from django.views.generic import TemplateView

from ..browse import case_index
from ..browse.charts import bar_chart, year_chart
from ..browse.facets import count_options
from ..models import Challenge, Country, Quote, Source, Theme
from .case_page import published_cases
from .countries import with_published_case_count

HOME_ENTRY_POINTS = 12


class HomeView(TemplateView):
    template_name = "cases/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        index = case_index.current()
        context["case_count"] = len(index.published)
        context["country_count"] = len(index.options["country"])  # the countries with a published case
        context["quote_count"] = Quote.objects.all().count()
        context["source_count"] = Source.objects.count()
        context["newest_cases"] = published_cases().order_by("-published_at", "-created_at", "title")[:6]
        context["themes"] = (
            Theme.objects.with_published_case_count()
            .filter(published_case_count__gt=0)
            .order_by("-published_case_count", "name")[:HOME_ENTRY_POINTS]
        )
        context["countries"] = (
            with_published_case_count(Country.objects.all())
            .filter(published_case_count__gt=0)
            .order_by("-published_case_count", "name")[:HOME_ENTRY_POINTS]
        )
        context["challenges"] = Challenge.objects.with_published_case_count()
        context["charts"] = {
            "years": year_chart(index.start_year_counts(index.published), title="By start year"),
            "families": bar_chart(
                [(label, count) for _, label, count in count_options("family", index=index)],
                title="By approach family",
            ),
            "stages": bar_chart(
                [(label, count) for _, label, count in count_options("stage", index=index)], title="By stage"
            ),
        }
        return context
