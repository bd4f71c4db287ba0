"""The quote browser and a quote's citable permalink."""
from django.views.generic import DetailView, ListView

from ..models import Quote


class QuoteListView(ListView):
    template_name = "cases/quote_list.html"
    context_object_name = "quotes"
    paginate_by = 50

    def get_queryset(self):
        return Quote.objects.select_related("source").in_time_order()


class QuoteDetailView(DetailView):
    template_name = "cases/quote_detail.html"
    context_object_name = "quote"

    def get_queryset(self):
        return Quote.objects.select_related("source", "document")
