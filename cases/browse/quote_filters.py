"""The quote browser's filters as a django-filter FilterSet: the page (/quotes/), its exports and the API share it.

Parameters: `q` (words the quote contains, up to the search's MAX_QUERY_LENGTH characters),
`source`, `case` (a published case), `challenge`, `success_factor` (each a slug). A value that
names nothing makes the form invalid: the page answers 400 with the error beside the field.
"""

import django_filters
from django import forms

from .. import library_version
from ..models import Case, Challenge, Quote, Source, SuccessFactor
from ..search import MAX_QUERY_LENGTH, query_words


class LibrarySelect(forms.Select):
    """A select of library rows (a ModelChoiceField's) whose HTML is remembered per process under
    the library version (library_version.memoized): the quote browser's lists of every source,
    challenge and success factor, hundreds of options each rendered through Django's option
    template, took two thirds of a page's time, and are the same on every page until a write.
    Keyed by the field's name, value and attributes (an error adds some) and the rows' query."""

    def render(self, name, value, attrs=None, renderer=None):
        iterator = self.choices
        key = (
            name,
            repr(value),
            repr(sorted(self.build_attrs(self.attrs, attrs).items())),
            library_version.query_key(iterator.queryset),
            iterator.field.empty_label,
        )
        return library_version.memoized(
            "library-select", lambda: super(LibrarySelect, self).render(name, value, attrs, renderer), key=key
        )


class SlugChoiceField(forms.ModelChoiceField):
    """A choice named by its slug in the URL, with a message that names the bad value."""

    widget = LibrarySelect
    default_error_messages = {"invalid_choice": "There is no %(label)s “%(value)s”."}

    def __init__(self, *args, label_for_error, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, to_field_name="slug", **kwargs)
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


class SlugChoiceFilter(django_filters.Filter):
    """A filter whose value is one row named by slug (SlugChoiceField); `method` narrows by it."""

    field_class = SlugChoiceField


class QuoteFilterForm(forms.Form):
    """The FilterSet's form; `active` says whether any filter is set (the page words its count so)."""

    @property
    def active(self):
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class QuoteFilter(django_filters.FilterSet):
    """Quotes narrowed by text, source, case, challenge and success factor (all optional, AND-ed).

    Pass the base queryset (`Quote.objects.all()...`); `.qs` is it filtered. Unbound
    (`data=None`): every quote of the base queryset.
    """

    q = django_filters.CharFilter(label="Text contains", max_length=MAX_QUERY_LENGTH, strip=True, method="filter_text")
    source = SlugChoiceFilter(
        queryset=Source.objects.all(),
        label="Source",
        empty_label="Any source",
        label_for_error="source",
        method="filter_source",
    )
    case = SlugChoiceFilter(
        queryset=Case.objects.published(),
        label="Case (slug)",
        label_for_error="published case",
        widget=forms.TextInput(attrs={"placeholder": "e.g. 5g-mobix"}),
        method="filter_case",
    )
    challenge = SlugChoiceFilter(
        queryset=Challenge.objects.all(),
        label="Challenge",
        empty_label="Any challenge",
        label_for_error="challenge",
        method="filter_challenge",
    )
    success_factor = SlugChoiceFilter(
        queryset=SuccessFactor.objects.all(),
        label="Success factor",
        empty_label="Any success factor",
        label_for_error="success factor",
        method="filter_success_factor",
    )

    class Meta:
        model = Quote
        fields = []
        form = QuoteFilterForm

    def filter_text(self, quotes, name, value):
        words = query_words(value)
        return quotes.containing(*words) if words else quotes

    def filter_source(self, quotes, name, value):
        return quotes.from_source(value)

    def filter_case(self, quotes, name, value):
        return quotes.supporting(value)

    def filter_challenge(self, quotes, name, value):
        return quotes.about_challenge(value)

    def filter_success_factor(self, quotes, name, value):
        return quotes.about_success_factor(value)

    def error_lines(self):
        """The form's errors as "field: message" lines (the exports' plain-text 400)."""
        return [f"{name}: {' '.join(errors)}" for name, errors in self.form.errors.items()]
