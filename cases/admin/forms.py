"""Forms of the curation admin: the case form (stale-edit guard, parent cycles, evidence) and the
"link quotes to a case" form."""

import hashlib
import json
import re

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AdminIntegerFieldWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator
from django.db import connection, models
from django.db.models import Q
from django.http import JsonResponse
from django.utils.text import Truncator

from ..curation.history import validate_parent
from ..curation.states import Change, case_state, describe_changes, quote_states
from ..curation.workflow import as_list, missing_for_publication
from ..forms import unix_newlines
from ..models import Case, Quote, Source
from ..numbers import WholeNumberField
from ..search import matching_ids
from ..timestamps import MAX_SECOND
from ..views.paging import page_number

STALE_MESSAGE = (
    "Someone else changed this case after you opened it. Your changes were not saved: "
    "they are still in the form below; re-apply them on the current version (reload the page)."
)
STALE_QUOTE_MESSAGE = (
    "Someone else changed this quote or its links after you opened it. Your changes were not saved: "
    "they are still in the form below; re-apply them on the current version (reload the page)."
)
MAX_CHANGES_LISTED = 12
EVIDENCE_AUTOCOMPLETE_URL = "%s:cases_case_evidence_autocomplete"
FEW_MATCHES = 1000  # the evidence picker orders this many matches itself (see EvidenceAutocompleteView.get)


class JSONFormField(forms.JSONField):
    """Django's JSON form field, with a number too long for Python's int (more than 4,300 digits,
    sys.get_int_max_str_digits) refused as invalid JSON: json.loads raises a plain ValueError for
    it, which Django's field, catching only JSONDecodeError, let through as a server error (found
    by QA: "[" + 5,000 nines + "]" in a quote's other seconds)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from None

    def bound_data(self, data, initial):
        # The form shown again with its errors reads the typed text back the same way.
        try:
            return super().bound_data(data, initial)
        except ValueError:
            return forms.fields.InvalidJSONInput(data)


# ModelAdmin.formfield_overrides of every admin with number fields: ASCII digits only (Django's
# IntegerField reads "٣" as 3), and JSON whose numbers may be too long to read. Keyed by each
# integer class the admin's own defaults name, since the first class in a field's MRO that has an
# entry wins.
WHOLE_NUMBER_FIELDS = {
    **{
        field_class: {"form_class": WholeNumberField, "widget": AdminIntegerFieldWidget}
        for field_class in (models.IntegerField, models.SmallIntegerField, models.BigIntegerField)
    },
    models.JSONField: {"form_class": JSONFormField},
}


def version_token(updated_at, content_version=0):
    """What the form carries to know which saved version it was opened on: the case's own saves
    change `updated_at`, writes made elsewhere (quotes, notes, participations) its content version."""
    return f"{content_version}:{updated_at.isoformat()}" if updated_at else ""


def case_token(case_id, *, lock=False):
    """The version token of case `case_id` as saved now; `lock` holds its row until the transaction
    ends (PostgreSQL), so two saves cannot both pass the check."""
    cases = Case.objects.filter(pk=case_id)
    if lock:
        cases = cases.select_for_update()
    saved = cases.values_list("updated_at", "content_version").first()
    return version_token(*saved) if saved else ""


def sign_state(state):
    return signing.dumps(state, salt="cases.loaded-state", compress=True)


def unsign_state(value):
    """The state a form was opened on, or None if absent or tampered with."""
    try:
        return signing.loads(value or "", salt="cases.loaded-state")
    except signing.BadSignature:
        return None


def stale_error(message, changes):
    """The refusal of a stale save: `message`, then what changed since the form was opened."""
    if changes is None:
        return ValidationError(message, code="stale")
    listed = [
        f"{change.label}: {change.before or '—'} → {change.after or '—'}" for change in changes[:MAX_CHANGES_LISTED]
    ]
    if len(changes) > MAX_CHANGES_LISTED:
        listed.append(f"…and {len(changes) - MAX_CHANGES_LISTED} more changes")
    return ValidationError([message, "Changed since you opened it:", *listed] if listed else message, code="stale")


class StaleGuardMixin:
    """A ModelForm refusing a save when what it covers changed since it was opened. The subclass
    names `guarded_state(instance)` (a JSON-able dict), `describe(old, new)` (a list of
    cases.curation.states.Change) and `stale_message`; `current_token(instance, lock)` reads the token."""

    stale_message = STALE_MESSAGE

    def init_guard(self):
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.current_token(self.instance, lock=False)
            self.fields["loaded_state"].initial = sign_state(self.guarded_state(self.instance))

    def refuse_stale(self):
        if not self.instance.pk:
            return
        submitted = self.data.get(self.add_prefix("loaded_version"), "")
        if submitted == self.current_token(self.instance, lock=True):
            return
        opened = unsign_state(self.data.get(self.add_prefix("loaded_state")))
        changes = self.describe(opened, self.guarded_state(self.instance)) if opened is not None else None
        raise stale_error(self.stale_message, changes)


def time_status(quote):
    """How far the quote's time can be trusted, in words (the quote's own time status: exact,
    corrected on import, or under review)."""
    return Quote.describe_time(quote.time_status, quote.corrected_from_seconds) or "time exact"


def evidence_label(quote):
    """Time and words first (one source often holds every quote), then its document (or source)
    and how sure its time is."""
    text = Truncator(quote.text).chars(140)
    origin = quote.document.title if quote.document_id and quote.document else quote.source.title
    return f"{quote.timestamp} · {text} — {origin} · {time_status(quote)}"


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

    def get(self, request, *args, **kwargs):
        """A page of matches without counting them all: one row more than the page tells whether
        there is a next page (a count of every match costs seconds at 200,000 quotes)."""
        self.term, self.model_admin, self.source_field, to_field_name = self.process_request(request)
        if not self.has_perm(request):
            raise PermissionDenied
        number = page_number(request)
        if number is None:
            return JsonResponse({"error": "“page” must be a whole number from 1 up."}, status=400)
        start = (number - 1) * self.paginate_by
        quotes = self.get_queryset()
        if connection.vendor == "postgresql" and self.term.strip():
            # A rare word: read its few matches first, then order them. Walking the index in order
            # until a page is full is fast when matches are many, but scans every quote when they
            # are few, and the planner cannot tell which (it guesses a rare word's count).
            few = list(quotes.order_by().values_list("pk", flat=True)[: FEW_MATCHES + 1])
            if len(few) <= FEW_MATCHES:
                quotes = quotes.filter(pk__in=few)
        rows = list(quotes[start : start + self.paginate_by + 1])
        return JsonResponse(
            {
                "results": [self.serialize_result(quote, to_field_name) for quote in rows[: self.paginate_by]],
                "pagination": {"more": len(rows) > self.paginate_by},
            }
        )

    def get_queryset(self):
        quotes = Quote.objects.select_related("source", "document").only(
            "pk",
            "text",
            "start_second",
            "time_status",
            "corrected_from_seconds",
            "source__title",
            "document__title",
        )
        if connection.vendor == "postgresql" and self.term.strip():
            quotes, may_have_duplicates = quotes.filter(self.postgresql_matches(self.term.strip())), False
        else:
            quotes, may_have_duplicates = self.model_admin.get_search_results(self.request, quotes, self.term)
        # The (source, start_second) index orders them: no sort over every match by a joined title.
        quotes = quotes.order_by("source_id", "start_second", "position", "pk")
        return quotes.distinct() if may_have_duplicates else quotes

    @staticmethod
    def postgresql_matches(term):
        """The quote admin's matches (the search index's words, text as typed, source title), each
        part served by an index so PostgreSQL combines them (a bitmap OR): the text as typed by a
        case-insensitive regular expression, which the trigram index serves (icontains compares
        UPPER(text), which no index serves, and made a rare word scan every quote)."""
        matches = Q(text__iregex=re.escape(term))
        indexed = matching_ids("quote", term)
        if indexed is not None:
            matches |= Q(pk__in=indexed)
        # The few sources named so, read first: as a subquery the planner guessed it matched half
        # the quotes and scanned them all in index order for a rare word.
        sources = list(Source.objects.filter(title__icontains=term).values_list("pk", flat=True)[:100])
        return matches | Q(source__in=sources) if sources else matches

    def serialize_result(self, obj, to_field_name):
        return {"id": str(obj.pk), "text": evidence_label(obj)}


class NoteForm(forms.ModelForm):
    """The form of a challenge or success-factor note row."""

    def clean_note(self):
        return unix_newlines(self.cleaned_data["note"])


class CaseAdminForm(StaleGuardMixin, forms.ModelForm):
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)
    evidence = EvidenceChoiceField(
        queryset=Quote.objects.select_related("source", "document"),
        required=False,
        help_text="The quotes that back this case: search by their words or their source's title.",
    )

    class Meta:
        model = Case
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what the form shows)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        evidence = self.fields["evidence"]
        evidence.widget = EvidenceAutocomplete(admin.site)
        evidence.widget.choices = evidence.choices
        if self.instance.pk:
            self.fields["evidence"].initial = list(self.instance.quotes.values_list("pk", flat=True))
        self.init_guard()

    def current_token(self, case, lock):
        return case_token(case.pk, lock=lock)

    def guarded_state(self, case):
        return case_state(case.pk)

    def describe(self, old, new):
        return describe_changes(old, new)

    def clean_summary(self):
        return unix_newlines(self.cleaned_data["summary"])

    def clean_body(self):
        return unix_newlines(self.cleaned_data["body"])

    def clean(self):
        cleaned = super().clean()
        self.refuse_stale()
        parent = cleaned.get("parent")
        if parent is not None:
            try:
                validate_parent(self.instance, parent.pk)
            except ValidationError as error:
                self.add_error("parent", error.messages)
        if self.instance.pk and self.instance.status == Case.Status.PUBLISHED:
            self._keep_publishable(cleaned)
        return cleaned

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


class CaseRowForm(StaleGuardMixin, forms.ModelForm):
    """The form of a participation, challenge note or success-factor note on its own page: guarded
    by its case's version, as the case form is."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_guard()

    def current_token(self, row, lock):
        case_id = type(row).objects.filter(pk=row.pk).values_list("case_id", flat=True).first()
        return case_token(case_id, lock=lock)

    def guarded_state(self, row):
        case_id = type(row).objects.filter(pk=row.pk).values_list("case_id", flat=True).first()
        return case_state(case_id) if case_id else {}

    def describe(self, old, new):
        return describe_changes(old, new) if old and new else []

    def clean(self):
        cleaned = super().clean()
        self.refuse_stale()
        if "note" in cleaned:
            cleaned["note"] = unix_newlines(cleaned["note"])
        return cleaned


def quote_guard_state(quote_id):
    """What a quote's page writes and case pages show: its text, time, terms, cases and topics."""
    state = quote_states([quote_id]).get(str(quote_id), {})
    state["cases"] = sorted(Quote.cases.through.objects.filter(quote_id=quote_id).values_list("case_id", flat=True))
    state["topics"] = sorted(Quote.topics.through.objects.filter(quote_id=quote_id).values_list("topic_id", flat=True))
    return state


def go_back_field(label, value):
    """The quote form's box that puts back the `label` (a field's name in words) as imported: `value`
    names what it puts back, as the change form shows it above the box."""
    return forms.BooleanField(
        required=False,
        label=f"Go back to the {label} as imported",
        help_text=f"Replaces the {label} with {value} shown above (the edit stays in the history).",
    )


class QuoteAdminForm(StaleGuardMixin, forms.ModelForm):
    """The quote's own page, guarded: a link made to it from a case's page, or its text changed by
    someone else, refuses a save from a page opened before."""

    stale_message = STALE_QUOTE_MESSAGE
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)
    # One per field a curator edited (its Quote.IMPORTED_FIELDS column set): QuoteAdmin shows it then,
    # right under the field and the value as imported.
    restore_imported_text = go_back_field("text", "the document's wording")
    restore_imported_start_second = go_back_field("start second", "the document's")
    restore_imported_other_seconds = go_back_field("other seconds", "the document's")
    restore_imported_heading_path = go_back_field("heading path", "the document's")

    class Meta:
        model = Quote
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what the form shows)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "start_second" in self.fields:
            # PostgreSQL's column ends there and checks it itself; SQLite's would take more (the
            # importer refuses more too): one bound, and one message, on both databases.
            self.fields["start_second"].validators.append(MaxValueValidator(MAX_SECOND))
        for name, column in Quote.IMPORTED_FIELDS.items():
            if getattr(self.instance, column) is None:
                del self.fields[f"restore_{column}"]
            elif name in self.fields and self._going_back(column):
                # The box gives the value: a field emptied beside it is no error.
                self.fields[name].required = False
        self.init_guard()

    def _going_back(self, column):
        """Whether the submitted form ticks "Go back to … as imported" for `column`."""
        field = f"restore_{column}"
        return self.is_bound and self.fields[field].widget.value_from_datadict(
            self.data, self.files, self.add_prefix(field)
        )

    def current_token(self, quote, lock):
        if lock:
            list(Quote.objects.select_for_update().filter(pk=quote.pk).values_list("pk"))
        state = quote_guard_state(quote.pk)
        updated_at = Quote.objects.filter(pk=quote.pk).values_list("updated_at", flat=True).first()
        return _digest(updated_at, state)

    def guarded_state(self, quote):
        return quote_guard_state(quote.pk)

    def describe(self, old, new):
        return [
            Change(name.replace("_", " ").capitalize(), str(old.get(name, "")), str(new.get(name, "")))
            for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name)
        ]

    def clean(self):
        cleaned = super().clean()
        for name, column in Quote.IMPORTED_FIELDS.items():
            if not cleaned.get(f"restore_{column}"):
                continue
            typed = cleaned.get(name)
            # Compared with the stored value (the instance is updated only after clean()).
            if typed not in (None, "", []) and typed != getattr(self.instance, name):
                # Two answers to one question: neither is thrown away without a word.
                label = self.fields[name].label or name
                self.add_error(name, f"Either go back to the {label.lower()} as imported or change it, not both.")
                continue
            # The save then clears the mark (Quote.note_curator_edit).
            cleaned[name] = getattr(self.instance, column)
        self.refuse_stale()
        return cleaned


def _digest(updated_at, state):
    """A short fingerprint of a quote's saved version (its updated_at and guarded state)."""
    payload = json.dumps([updated_at.isoformat() if updated_at else "", state], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
