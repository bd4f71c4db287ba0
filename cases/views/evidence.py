"""Sources with their quotes in time order, imported documents and wiki topics."""
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from ..models import Document, Source, Topic


class SourceListView(ListView):
    model = Source
    template_name = "cases/source_list.html"
    context_object_name = "sources"


class SourceDetailView(DetailView):
    template_name = "cases/source_detail.html"
    context_object_name = "source"

    def get_object(self, queryset=None):
        return get_object_or_404(Source, slug=self.kwargs["key"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quotes"] = self.object.quotes.in_time_order().select_related("source")
        return context


class DocumentDetailView(DetailView):
    model = Document
    template_name = "cases/document_detail.html"
    context_object_name = "document"


class TopicDetailView(DetailView):
    model = Topic
    template_name = "cases/topic_detail.html"
    context_object_name = "topic"
