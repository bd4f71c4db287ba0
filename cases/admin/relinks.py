"""The re-link list: quotes a re-import cut loose (cases.importing.carryover), each with the cases and
claims it backs and its old and new wording side by side, re-linked or dismissed with one POST
(cases.importing.relinking)."""

from difflib import SequenceMatcher

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import (
    HttpResponseBadRequest,
    HttpResponseNotFound,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from ..importing.carryover import CANDIDATE_FLOOR, WORDS
from ..importing.relinking import dismiss, relink
from ..importing.settling import describe_links
from ..models import Case, Quote, QuoteRelink, Revision
from ..numbers import NotAWholeNumber, parse_whole_number
from ..views.paging import BadPage, page_of

PER_PAGE = 50
SHOWN = {
    "to_relink": "To re-link",
    "review": "Waiting for a Publisher",
    "done": "Re-linked or dismissed",
    "cut_loose": "All quotes cut loose",
}


def shown(name):
    """The records of one view of the list (a key of SHOWN)."""
    records = QuoteRelink.objects.all()
    if name == "to_relink":
        return records.to_relink()
    if name == "review":
        return records.awaiting_review()
    if name == "done":
        done = Q(status__in=[QuoteRelink.Status.RELINKED, QuoteRelink.Status.DISMISSED])
        approved = records.filter(status=QuoteRelink.Status.PENDING, revision__status=Revision.Status.APPROVED)
        still = Q(pk__in=records.to_relink().values("pk")) | Q(pk__in=records.awaiting_review().values("pk"))
        return records.filter(done) | approved.exclude(still)
    return records.cut_loose()


def list_url(name="to_relink"):
    return f"{reverse('admin:cases_quoterelink_changelist')}?show={name}"


def word_diff(old, new):
    """(old, new) as HTML, the words only one of them has marked (<del>, <ins>); escaped by format_html."""
    tokens_old, tokens_new = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, [t.lower() for t in tokens_old], [t.lower() for t in tokens_new], autojunk=False)
    marked_old, marked_new = [], []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        for tokens, start, end, marked, element in (
            (tokens_old, a0, a1, marked_old, "del"),
            (tokens_new, b0, b1, marked_new, "ins"),
        ):
            text = "".join(tokens[start:end])
            if not text:
                continue
            if tag == "equal" or not text.strip():
                marked.append(format_html("{}", text))
            else:
                marked.append(format_html("<{}>{}</{}>", element, text, element))
    return format_html_join("", "{}", ((part,) for part in marked_old)), format_html_join(
        "", "{}", ((part,) for part in marked_new)
    )


def _tokens(text):
    """Words and what lies between them, so the joined tokens give the text back."""
    tokens, last = [], 0
    for match in WORDS.finditer(text or ""):
        if match.start() > last:
            tokens.append(text[last : match.start()])
        tokens.append(match.group())
        last = match.end()
    if last < len(text or ""):
        tokens.append(text[last:])
    return tokens


@admin.register(QuoteRelink)
class QuoteRelinkAdmin(admin.ModelAdmin):
    """Not a changelist of rows to edit: the list page is the curators' re-link worklist."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.has_perm("cases.view_quote")

    def has_change_permission(self, request, obj=None):
        """A task is answered from the list (re-link or dismiss), never edited: its page is read-only."""
        return obj is None and self.may_answer(request)

    def may_answer(self, request):
        return request.user.is_active and request.user.is_staff and request.user.has_perm("cases.change_quote")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.list_view), name="cases_quoterelink_changelist"),
            path("<int:pk>/relink/", view(require_POST(self.relink_view)), name="cases_quoterelink_relink"),
            path("<int:pk>/dismiss/", view(require_POST(self.dismiss_view)), name="cases_quoterelink_dismiss"),
            *super().get_urls(),  # the read-only page of one task, its history
        ]

    # The list

    def list_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        name = request.GET.get("show", "to_relink")
        if name not in SHOWN:
            return HttpResponseBadRequest(f"“show” must be one of: {', '.join(SHOWN)}.")
        records = shown(name).select_related("quote__source", "quote__document", "document", "relinked_to", "revision")
        try:
            page = page_of(request, records.order_by("-created_at", "-pk"), PER_PAGE)
        except BadPage as error:
            answer = HttpResponseBadRequest if error.status == 400 else HttpResponseNotFound
            return answer(error.message)
        rows = self.rows(list(page.object_list))
        context = {
            **self.admin_site.each_context(request),
            "title": "Quotes to re-link after a re-import",
            "opts": self.opts,
            "rows": rows,
            "page": page,
            "show": name,
            "tabs": [(key, label, list_url(key)) for key, label in SHOWN.items()],
            "can_change": self.may_answer(request),
        }
        return TemplateResponse(request, "admin/cases/quoterelink/list.html", context)

    def rows(self, records):
        """One dict per record for the template: its candidates (quotes, best first, each with the
        word diff against the old text) and the cases and claims its old quote backs. Two queries
        plus describe_links' five, whatever the number of records."""
        candidate_ids = {pk for record in records for pk in record.candidates}
        candidates = (
            Quote.objects.filter(pk__in=candidate_ids)
            .select_related("source", "document")
            .defer("document__body", "document__raw_text")
            .in_bulk()
            if candidate_ids
            else {}
        )
        links = describe_links({record.quote_id for record in records})
        rows = []
        for record in records:
            options = []
            # A removed statement's candidates are its neighbours: a word diff against them would only be noise.
            removed = record.similarity is None or record.similarity < CANDIDATE_FLOOR
            for pk in record.candidates:
                quote = candidates.get(pk)
                if quote is not None:
                    old_html, new_html = (
                        (record.quote.text, quote.text) if removed else word_diff(record.quote.text, quote.text)
                    )
                    options.append({"quote": quote, "old_html": old_html, "new_html": new_html})
            waiting = record.revision is not None and record.revision.status == Revision.Status.PENDING
            answerable = record.status == QuoteRelink.Status.PENDING and not waiting
            rows.append(
                {
                    "record": record,
                    "links": links[record.quote_id],
                    "options": options,
                    "removed": removed,
                    "answerable": answerable,
                }
            )
        return rows

    # The answers

    def _answer(self, request, pk, act):
        if not self.may_answer(request):
            raise PermissionDenied
        record = get_object_or_404(QuoteRelink.objects.select_related("quote"), pk=pk)
        case_admin = self.admin_site.get_model_admin(Case)
        for case in Case.objects.filter(
            Q(quotes=record.quote_id) | Q(story_evidence__quotes=record.quote_id)
        ).distinct():
            if not case_admin.has_change_permission(request, case):
                raise PermissionDenied
        try:
            act(record)
        except ValidationError as error:
            messages.error(request, f"Not done: {' '.join(error.messages)}")
        return HttpResponseRedirect(request.POST.get("next") if _safe_next(request) else list_url())

    def relink_view(self, request, pk):
        """POST `quote`: the id of the new wording (a quote of the same video)."""

        def act(record):
            try:
                quote_pk = parse_whole_number(request.POST.get("quote", ""), minimum=1, maximum=2**63 - 1)
            except NotAWholeNumber:
                raise ValidationError("Give the number of the quote holding the new wording.") from None
            new_quote = Quote.objects.filter(pk=quote_pk).first()
            if new_quote is None:
                raise ValidationError(f"There is no quote {quote_pk}.")
            result = relink(record, new_quote, user=request.user)
            old = record.quote
            self.log_change(request, old, f"Re-linked to quote {new_quote.pk} after a re-import")
            if result.revisions:
                for revision in result.revisions:
                    link = reverse("admin:cases_revision_change", args=[revision.pk])
                    messages.info(
                        request,
                        f"“{revision.case}” is published: your re-link waits for a Publisher's review "
                        f"(change #{revision.pk}, {link}). The public page is unchanged until then.",
                    )
            else:
                for case in Case.objects.filter(pk__in=result.cases):
                    self.log_change(
                        request,
                        case,
                        f"Evidence re-linked from quote {old.pk} to quote {new_quote.pk} after a re-import",
                    )
                messages.success(
                    request, f"Quote {old.pk}'s links moved to quote {new_quote.pk} ({new_quote.timestamp})."
                )

        return self._answer(request, pk, act)

    def dismiss_view(self, request, pk):
        def act(record):
            dismiss(record, user=request.user)
            self.log_change(
                request, record.quote, "Re-link after a re-import dismissed: the old wording stays evidence"
            )
            messages.success(request, f"Dismissed: quote {record.quote_id} keeps its links with its old wording.")

        return self._answer(request, pk, act)


def _safe_next(request):
    target = request.POST.get("next", "")
    return target.startswith(reverse("admin:cases_quoterelink_changelist")) and "//" not in target
