"""The case admin's history: field diffs plus the links' diffs, and a version page that reverts content and links."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..curation.history import CASE_LINKS, Version, case_link_ids, link_changes, revert_case, versions
from ..models import Case
from ..rendering import render_markdown


class CaseHistoryMixin:
    """For CaseAdmin (a SimpleHistoryAdmin with the review gate): each version's link changes in
    the history list, and a version page that shows a past state and reverts to it (through the
    review gate: an Editor's revert of a published case becomes a revision)."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if len(records) < 2:
            return
        described = versions(records[0].id, records)
        for newer, older in zip(described, described[1:]):
            newer.record.link_changes = link_changes(older, newer)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        case = get_object_or_404(Case, pk=object_id)
        record = get_object_or_404(Case.history.select_related("history_user"), id=case.pk, history_id=version_id)
        if not self.has_view_history_or_change_history_permission(request, case):
            raise PermissionDenied
        may_revert = self.has_change_permission(request, case)
        if request.method == "POST":
            if not may_revert:
                raise PermissionDenied
            try:
                with transaction.atomic():
                    self.open_gate(request, [case.pk])
                    result = revert_case(case, record, user=request.user)
                    revisions = self.close_gate(
                        request, f"Revert to the version of {record.history_date:%Y-%m-%d %H:%M}"
                    )
            except ValidationError as error:
                self.message_user(request, f"Not reverted: {' '.join(error.messages)}", messages.ERROR)
            else:
                if revisions:
                    self.log_change(
                        request, case, f"Proposed a revert to the version of {record.history_date:%Y-%m-%d %H:%M}"
                    )
                    return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
                self.log_change(
                    request, result.case, f"Reverted to the version of {record.history_date:%Y-%m-%d %H:%M}"
                )
                note = f" Not restored: {'; '.join(result.notes)}." if result.notes else ""
                self.message_user(
                    request,
                    f"“{result.case}” reverted to the version of {record.history_date:%Y-%m-%d %H:%M}.{note}",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        version = versions(case.pk, [record])[0]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Version of {record.history_date:%Y-%m-%d %H:%M} of {case}",
            "opts": self.opts,
            "original": case,
            "record": record,
            "fields": _version_fields(record, version),
            "may_revert": may_revert,
            "history_url": reverse("admin:cases_case_history", args=[case.pk]),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/cases/case/history_version.html", context)


def _version_fields(record, version: Version):
    """(label, value) pairs describing a historical record and its links."""
    rows = [
        ("Title", record.title),
        ("Slug", record.slug),
        ("Status then", record.get_status_display()),
        ("Summary", record.summary or "—"),
        (
            "Body",
            format_html('<div class="rendered-markdown">{}</div>', render_markdown(record.body))
            if record.body
            else "—",
        ),
        ("Stage", record.get_stage_display() or "—"),
        (
            "Years",
            f"{record.start_year or '?'}–{record.end_year or ''}" if record.start_year or record.end_year else "—",
        ),
        ("Website", record.website or "—"),
        ("Parent", _parent_then(record)),
    ]
    for name, (label, model) in CASE_LINKS.items():
        names = sorted(str(obj) for obj in model.objects.filter(pk__in=case_link_ids(record, name)))
        rows.append((label, _as_items(names)))
    for label in version.links:
        rows.append((label, _as_items(version.labels(label))))
    return rows


def _parent_then(record):
    if record.parent_id is None:
        return "—"
    parent = Case.objects.filter(pk=record.parent_id).first()
    return parent.title if parent else f"case #{record.parent_id} (deleted since)"


def _as_items(values):
    if not values:
        return "—"
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((value,) for value in values)))
