"""Sources with their quotes in time order, imported documents and wiki topics."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from ..models import Document, Quote, Source, Topic
from ..querysets import correlated_count
from ..rendering import render_markdown
from ..time_marks import mark_times, time_marks_for
from .paging import BadPageMixin, PageMixin, page_of
from .terms import OldSlugMixin

SOURCES_PER_PAGE = 100
QUOTES_PER_PAGE = 100
TOPIC_QUOTES_PER_PAGE = 50


class SourceListView(PageMixin, ListView):
    """Every source (videos and reports) with how many quotes and documents come from it."""

    template_name = "cases/source_list.html"
    context_object_name = "sources"
    paginate_by = SOURCES_PER_PAGE

    def get_queryset(self):
        return (
            Source.objects.only("pk", "kind", "title", "slug", "youtube_id", "channel")
            .annotate(
                quote_count=correlated_count(Quote, "source"), document_count=correlated_count(Document, "source")
            )
            .order_by("kind", "title", "pk")
        )


class SourceDetailView(BadPageMixin, DetailView):
    """A source's quotes in time order, each linking to the video at its second and to the cases it supports."""

    template_name = "cases/source_detail.html"
    context_object_name = "source"

    def get_object(self, queryset=None):
        return get_object_or_404(Source, slug=self.kwargs["key"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quotes = Quote.objects.all().from_source(self.object).for_listing().in_time_order()
        page = page_of(self.request, quotes, QUOTES_PER_PAGE)
        context.update(
            page_obj=page,
            quotes=page.object_list,
            documents=self.object.documents.only("pk", "title", "slug", "source_id", "needs_review").order_by("title"),
        )
        return context


class DocumentDetailView(DetailView):
    """An imported article, its wiki links resolved to documents or topics, with its source and topics."""

    template_name = "cases/document_detail.html"
    context_object_name = "document"

    def get_queryset(self):
        return Document.objects.select_related("source").defer("raw_text")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        body_html = render_markdown(document.body)
        # One query gives both the count and each quote's time status.
        times = list(document.quotes.order_by().values_list("start_second", "time_status", "corrected_from_seconds"))
        context.update(
            body_html=mark_times(body_html, all_under_review=document.needs_review, marks=time_marks_for(times)),
            topics=document.topics.order_by("label"),
            quote_count=len(times),
        )
        return context


class TopicDetailView(OldSlugMixin, BadPageMixin, DetailView):
    """The documents and the quotes that mention a wiki topic."""

    model = Topic

    template_name = "cases/topic_detail.html"
    context_object_name = "topic"

    def get_queryset(self):
        return Topic.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        topic = self.object
        quotes = topic.quotes.all().for_listing().in_time_order()
        page = page_of(self.request, quotes, TOPIC_QUOTES_PER_PAGE)
        context.update(
            documents=topic.documents.select_related("source")
            .only("pk", "title", "slug", "needs_review", "source__id", "source__title", "source__slug")
            .order_by("title"),
            same_name_document=Document.objects.filter(slug=topic.slug).only("pk", "title", "slug").first(),
            page_obj=page,
            quotes=page.object_list,
        )
        return context
