"""The quote browser and a quote's permalink page."""
from django import forms
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.generic import DetailView, ListView

from ..exports import json_chunks, quote_csv_lines, quote_rows
from ..models import Case, Challenge, Quote, Source, SuccessFactor
from ..search import query_words
from .limits import rate_limited
from .paging import PageMixin, query_without_page

QUOTES_PER_PAGE = 50
MAX_QUERY_LENGTH = 200


class SlugChoiceField(forms.ModelChoiceField):
    """A choice named by its slug in the URL, with a message that names the bad value."""

    default_error_messages = {"invalid_choice": "There is no %(label)s “%(value)s”."}

    def __init__(self, *args, label_for_error, **kwargs):
        super().__init__(*args, to_field_name="slug", required=False, **kwargs)
        self.label_for_error = label_for_error

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"label": self.label_for_error, "value": str(value)[:80]},
            ) from error


class QuoteFilterForm(forms.Form):
    """The quote browser's filters; every value is checked before it reaches a query."""

    q = forms.CharField(label="Text contains", required=False, max_length=MAX_QUERY_LENGTH, strip=True)
    source = SlugChoiceField(
        queryset=Source.objects.all(), label="Source", empty_label="Any source", label_for_error="source"
    )
    case = SlugChoiceField(
        queryset=Case.objects.published(), label="Case (slug)", label_for_error="published case",
        widget=forms.TextInput(attrs={"placeholder": "e.g. 5g-mobix"}),
    )
    challenge = SlugChoiceField(
        queryset=Challenge.objects.all(), label="Challenge", empty_label="Any challenge",
        label_for_error="challenge",
    )
    success_factor = SlugChoiceField(
        queryset=SuccessFactor.objects.all(), label="Success factor", empty_label="Any success factor",
        label_for_error="success factor",
    )

    def filter(self, quotes):
        data = self.cleaned_data
        if data["source"]:
            quotes = quotes.from_source(data["source"])
        if data["case"]:
            quotes = quotes.supporting(data["case"])
        if data["challenge"]:
            quotes = quotes.about_challenge(data["challenge"])
        if data["success_factor"]:
            quotes = quotes.about_success_factor(data["success_factor"])
        words = query_words(data["q"])
        if words:
            quotes = quotes.containing(*words)
        return quotes

    @property
    def active(self):
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


def filtered_quotes(form, quotes):
    """`quotes` narrowed by a valid QuoteFilterForm (unbound: all of them): the list and its exports share it."""
    return form.filter(quotes) if form.is_bound else quotes


def _export_filtered(request):
    """The quotes the browser's filters leave (all pages), or the plain-text 400 their errors make."""
    form = QuoteFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        lines = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return None, HttpResponse(
            "Invalid filter.\n" + "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    return filtered_quotes(form, Quote.objects.public().in_time_order()), None


@rate_limited("export")
def quotes_csv(request):
    """Every quote the browser's filters leave, as CSV (formula-guarded cells), streamed."""
    quotes, error = _export_filtered(request)
    if error:
        return error
    rows = quote_rows(quotes=quotes, absolute_url=request.build_absolute_uri)
    response = StreamingHttpResponse(quote_csv_lines(rows=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="quotes.csv"'
    return response


@rate_limited("export")
def quotes_json(request):
    """Every quote the browser's filters leave, as JSON {"count": N, "results": [...]}, streamed."""
    quotes, error = _export_filtered(request)
    if error:
        return error
    rows = quote_rows(quotes=quotes, absolute_url=request.build_absolute_uri)
    return StreamingHttpResponse(
        json_chunks(count=quotes.order_by().count(), rows=rows), content_type="application/json; charset=utf-8"
    )


class QuoteListView(PageMixin, ListView):
    """Every quote, filtered by source, case, challenge, success factor and text, 50 a page.
    Filter values that name nothing answer 400 with the error beside the field."""

    template_name = "cases/quote_list.html"
    context_object_name = "quotes"
    paginate_by = QUOTES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.form = QuoteFilterForm(request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            return render(request, self.template_name, {"form": self.form, "quotes": []}, status=400)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return filtered_quotes(self.form, Quote.objects.public().for_listing().in_time_order())

    def get_context_data(self, **kwargs):
        query = query_without_page(self.request)
        kwargs.update(form=self.form, query_without_page=query, export_query=f"?{query}" if query else "")
        return super().get_context_data(**kwargs)


class QuoteDetailView(DetailView):
    """A quote's permalink: its text, where it was said, and what it is evidence of."""

    template_name = "cases/quote_detail.html"
    context_object_name = "quote"

    def get_queryset(self):
        return Quote.objects.public().for_listing().select_related("document").prefetch_related(
            Prefetch("challenges", to_attr="challenge_list"),
            Prefetch("success_factors", to_attr="success_factor_list"),
        )
