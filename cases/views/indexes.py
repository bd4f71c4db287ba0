"""The library's indexes: documents, topics, themes, approaches, organisations, and the about page.

Each index is one query (counts are annotations; groups are made in Python from one ordered
list). Taxonomy indexes list only public terms: those a published case links to.
"""

from django.db.models import Max
from django.views.generic import ListView, TemplateView

from ..models import Approach, Case, Document, Organisation, Quote, Source, Theme, Topic
from ..querysets import correlated_count
from .paging import BadPage, PageMixin

DOCUMENTS_PER_PAGE = 100


def grouped(items, key, choices):
    """[(label, [items])] in the order of `choices` ((value, label) pairs), keeping the items' order;
    values no item has are left out."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return [(label, groups[value]) for value, label in choices if value in groups]


class DocumentListView(PageMixin, ListView):
    """Every imported document, by source or sorted by title or quote count, with its flag
    (timestamps under review, or re-read as minutes:seconds)."""

    template_name = "cases/document_list.html"
    context_object_name = "documents"
    paginate_by = DOCUMENTS_PER_PAGE
    # sort key: (label, ordering)
    SORTS = {
        "source": ("Source", ("source__title", "title", "pk")),
        "title": ("Title", ("title", "pk")),
        "quotes": ("Most quotes", ("-quote_count", "title", "pk")),
        "flag": ("Flagged first", ("-needs_review", "-timestamps_as_minutes", "title", "pk")),
    }

    def sort_key(self):
        key = self.request.GET.get("sort", "").strip() or "source"
        if key not in self.SORTS:
            raise BadPage(f"“sort” must be one of: {', '.join(self.SORTS)}.", status=400)
        return key

    def get_queryset(self):
        return (
            Document.objects.select_related("source")
            .only(
                "pk",
                "title",
                "slug",
                "needs_review",
                "timestamps_as_minutes",
                "source__id",
                "source__title",
                "source__slug",
                "source__kind",
            )
            .annotate(quote_count=correlated_count(Quote, "document"))
            .order_by(*self.SORTS[self.sort_key()][1])
        )

    def get_context_data(self, **kwargs):
        sort = self.sort_key()
        kwargs.update(
            sort_key=sort,
            sort_links=[(key, label) for key, (label, _) in self.SORTS.items()],
            query_without_page=f"sort={sort}" if sort != "source" else "",
        )
        return super().get_context_data(**kwargs)


class TopicListView(ListView):
    """Wiki topics A–Z, each with how many documents and quotes mention it."""

    template_name = "cases/topic_list.html"
    context_object_name = "topics"

    def get_queryset(self):
        return Topic.objects.annotate(
            document_count=correlated_count(Topic.documents.through, "topic"),
            quote_count=correlated_count(Topic.quotes.through, "topic"),
        ).order_by("label", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        letters = {}
        for topic in context["topics"]:
            initial = topic.label[:1].upper()
            letters.setdefault(initial if initial.isalpha() else "#", []).append(topic)
        context["letters"] = sorted(letters.items())
        return context


class ThemeListView(ListView):
    """Themes a published case is filed under, with their published case counts."""

    template_name = "cases/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return Theme.objects.public().with_published_case_count().only("pk", "name", "slug")


class ApproachListView(ListView):
    """Approaches of published cases, by family, with their published case counts."""

    template_name = "cases/approach_list.html"
    context_object_name = "approaches"

    def get_queryset(self):
        return Approach.objects.public().with_published_case_count().only("pk", "name", "slug", "family")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["families"] = grouped(context["approaches"], lambda approach: approach.family, Approach.Family.choices)
        return context


class OrganisationListView(ListView):
    """Organisations taking part in published cases, by kind, then by country, with case counts."""

    template_name = "cases/organisation_list.html"
    context_object_name = "organisations"

    def get_queryset(self):
        return (
            Organisation.objects.public()
            .with_published_case_count()
            .select_related("country")
            .only("pk", "name", "slug", "kind", "country__code", "country__name")
            .order_by("kind", "country__name", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = grouped(
            context["organisations"], lambda organisation: organisation.kind, Organisation.Kind.choices
        )
        return context


class AboutView(TemplateView):
    """What the library is, where its evidence comes from, its licence, its last update, how to cite."""

    template_name = "cases/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Case.objects.published()
        context["last_updated"] = published.aggregate(latest=Max("updated_at"))["latest"]
        context["case_count"] = published.count()
        context["source_count"] = Source.objects.count()
        context["document_count"] = Document.objects.count()
        context["quote_count"] = Quote.objects.all().count()
        context["review_count"] = Document.objects.filter(needs_review=True).count()
        return context
