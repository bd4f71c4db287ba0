"""Forms of the curation admin: the case form (stale-edit guard, parent cycles, evidence) and the
"link quotes to a case" form."""
from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AdminIntegerFieldWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models

from ..history import validate_parent
from ..models import Case, Quote
from ..numbers import WholeNumberField
from ..workflow import as_list, missing_for_publication

STALE_MESSAGE = (
    "Someone else saved this case after you opened it. Your changes were not saved: "
    "reload the page to see theirs, then make your changes again."
)
EVIDENCE_AUTOCOMPLETE_URL = "%s:cases_case_evidence_autocomplete"

# ModelAdmin.formfield_overrides of every admin with number fields: ASCII digits only (Django's
# IntegerField reads "٣" as 3). Keyed by each integer class the admin's own defaults name, since
# the first class in a field's MRO that has an entry wins.
WHOLE_NUMBER_FIELDS = {
    field_class: {"form_class": WholeNumberField, "widget": AdminIntegerFieldWidget}
    for field_class in (models.IntegerField, models.SmallIntegerField, models.BigIntegerField)
}


def version_token(updated_at):
    """What the form carries to know which saved version it was opened on."""
    return updated_at.isoformat() if updated_at else ""


def evidence_label(quote):
    """Time and words first (one source often holds every quote), then the source."""
    text = quote.text if len(quote.text) <= 140 else f"{quote.text[:139]}…"
    return f"{quote.timestamp} · {text} — {quote.source.title}"


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, quote):
        return evidence_label(quote)


class EvidenceAutocomplete(AutocompleteSelectMultiple):
    """Autocomplete of quotes for a case (the reverse side of Quote.cases), served by EvidenceAutocompleteView."""

    url_name = EVIDENCE_AUTOCOMPLETE_URL

    def __init__(self, admin_site, attrs=None):
        super().__init__(Case._meta.get_field("quotes"), admin_site, attrs=attrs)


class EvidenceAutocompleteView(AutocompleteJsonView):
    """Quotes matching a term in their text or source, labelled with source and time.

    Django's own autocomplete view serves forward relations only (it reads the field's
    limit_choices_to, which a reverse relation lacks).
    """

    def process_request(self, request):
        term = request.GET.get("term", "").replace("\x00", "")[:200]
        return term, self.admin_site.get_model_admin(Quote), None, "id"

    def get_queryset(self):
        quotes = Quote.objects.select_related("source").only("pk", "text", "start_second", "source__title")
        quotes, may_have_duplicates = self.model_admin.get_search_results(self.request, quotes, self.term)
        return quotes.distinct() if may_have_duplicates else quotes

    def serialize_result(self, obj, to_field_name):
        return {"id": str(obj.pk), "text": evidence_label(obj)}


def unix_newlines(text):
    """Browsers post textareas with CRLF; stored markdown keeps LF, so an untouched text stays unchanged."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class NoteForm(forms.ModelForm):
    """The form of a challenge or success-factor note row."""

    def clean_note(self):
        return unix_newlines(self.cleaned_data["note"])


class CaseAdminForm(forms.ModelForm):
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    evidence = EvidenceChoiceField(
        queryset=Quote.objects.select_related("source"),
        required=False,
        help_text="The quotes that back this case: search by their words or their source's title.",
    )

    class Meta:
        model = Case
        exclude = ["search_vector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        evidence = self.fields["evidence"]
        evidence.widget = EvidenceAutocomplete(admin.site)
        evidence.widget.choices = evidence.choices
        if self.instance.pk:
            self.fields["evidence"].initial = list(self.instance.quotes.values_list("pk", flat=True))
            self.fields["loaded_version"].initial = version_token(self.instance.updated_at)

    def clean_summary(self):
        return unix_newlines(self.cleaned_data["summary"])

    def clean_body(self):
        return unix_newlines(self.cleaned_data["body"])

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._refuse_stale_form()
        parent = cleaned.get("parent")
        if parent is not None:
            try:
                validate_parent(self.instance, parent.pk)
            except ValidationError as error:
                self.add_error("parent", error.messages)
        if self.instance.pk and self.instance.status == Case.Status.PUBLISHED:
            self._keep_publishable(cleaned)
        return cleaned

    def _refuse_stale_form(self):
        # Lock the row (PostgreSQL) so two saves cannot both pass the check.
        saved = Case.objects.select_for_update().filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
        if self.data.get(self.add_prefix("loaded_version"), "") != version_token(saved):
            raise ValidationError(STALE_MESSAGE, code="stale")

    def _keep_publishable(self, cleaned):
        """A published case keeps what publishing required: a save may not take it away (unpublish
        first). What it lacked already (imported data) does not block other edits."""
        def submitted(name, saved):
            return cleaned[name] if name in self.fields and name in cleaned else saved

        lacking_now = missing_for_publication(self.instance)
        lacking_after = missing_for_publication(
            self.instance,
            summary=submitted("summary", self.instance.summary),
            country_count=len(submitted("countries", self.instance.countries.all())),
            evidence_count=len(submitted("evidence", self.instance.quotes.all())),
        )
        taken_away = [phrase for phrase in lacking_after if phrase not in lacking_now]
        if taken_away:
            raise ValidationError(
                f"A published case needs {as_list(taken_away)}: keep it, or unpublish the case first.",
                code="unpublishable",
            )


class LinkQuotesForm(forms.Form):
    """The intermediate page of the quote changelist's "link selected quotes to a case…" action."""

    case = forms.ModelChoiceField(queryset=Case.objects.all(), help_text="Search cases by title.")

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.fields["case"]
        case.widget = AutocompleteSelect(Quote._meta.get_field("cases"), admin_site)
        case.widget.choices = case.choices
        case.widget.is_required = True
