"""Reviewed changes in the admin: the gate every case-writing admin runs its saves through, and the
review page of a revision (its diff, approve, send back with a reason)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..curation.applying import PublishingBarError
from ..curation.revisions import ReviewGate, approve, send_back
from ..curation.states import describe_changes
from ..curation.workflow import can_publish
from ..models import Revision

GATE = "_review_gate"
CREATED = "_review_revisions"
REVERTING = "_review_reverting"


class ReviewGateMixin:
    """For a ModelAdmin whose saves change what case pages show: `open_gate(request, case_ids)`
    before the write, `close_gate(request, summary)` after it. An Editor's change to a published
    case becomes a pending revision (and Django's "changed successfully" message gives way to one
    saying so); a change taking away what publishing requires is undone and refused."""

    def open_gate(self, request, case_ids):
        setattr(request, GATE, ReviewGate(request.user, case_ids))

    def gate_of(self, request):
        return getattr(request, GATE, None)

    def close_gate(self, request, summary):
        gate = getattr(request, GATE, None)
        if gate is None:
            return []
        delattr(request, GATE)
        revisions = gate.finish(summary=summary)
        if revisions:
            setattr(request, CREATED, getattr(request, CREATED, []) + revisions)
            for revision in revisions:
                link = reverse("admin:cases_revision_change", args=[revision.pk])
                messages.info(
                    request,
                    f"“{revision.case}” is published: your change waits for a Publisher's review "
                    f"(change #{revision.pk}, {link}). The public page is unchanged until then.",
                )
        return revisions

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, CREATED, None) and level == messages.SUCCESS:
            return  # nothing was changed yet: the gate said what happened instead
        super().message_user(request, message, level, *args, **kwargs)

    def _refusing(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PublishingBarError as refusal:
            self.message_user(request, f"Not saved: {' '.join(refusal.messages)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing(request, super().changeform_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusing(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._refusing(request, super().changelist_view, extra_context)

    def response_action(self, request, queryset):
        # Django runs changelist actions outside a transaction, where the gate's savepoint could
        # not undo an Editor's write: run them in one, as the change form runs.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A revert (or any POST) on an object's history page is a save like the change form's:
        in one transaction, with `save_related` (which closes the gate) run once the links are
        saved. simple_history's view has neither."""
        setattr(request, REVERTING, True)

        def view(*args):
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super(ReviewGateMixin, self).history_form_view(*args)

        return self._refusing(request, view, object_id, version_id, extra_context)

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        if getattr(request, REVERTING, False):
            # The history page calls save_model, then form.save_m2m(), never save_related.
            save_m2m = form.save_m2m

            def save_related():
                form.save_m2m = save_m2m
                self.save_related(request, form, [], change)

            form.save_m2m = save_related
        return obj


class CaseRowGateMixin(ReviewGateMixin):
    """A through-model of a case (participation, challenge note, success-factor note) edited on its
    own page: its case (before and after the change) is gated."""

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).values_list("case_id", flat=True).first() if change else None
        self.open_gate(request, [before, obj.case_id])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.close_gate(
            request,
            f"{form.instance._meta.verbose_name.capitalize()} {'changed' if change else 'added'} on its own page",
        )

    def delete_model(self, request, obj):
        self.open_gate(request, [obj.case_id])
        super().delete_model(request, obj)
        self.close_gate(request, f"{obj._meta.verbose_name.capitalize()} deleted on its own page")

    def delete_queryset(self, request, queryset):
        self.open_gate(request, set(queryset.values_list("case_id", flat=True)))
        super().delete_queryset(request, queryset)
        self.close_gate(request, f"{queryset.model._meta.verbose_name_plural.capitalize()} deleted from their list")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Pending changes to published cases: Editors see them, Publishers approve or send back."""

    list_display = ["__str__", "case", "author", "created_at", "status", "reviewed_by"]
    list_filter = ["status"]
    list_select_related = ["case", "author", "reviewed_by"]
    search_fields = ["case__title", "author__username", "comment"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.has_perm("cases.change_case")

    def has_change_permission(self, request, obj=None):
        return False  # a revision is reviewed on its page, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path("<int:object_id>/change/", self.admin_site.admin_view(self.review_view), name="cases_revision_change"),
        ]
        return own + super().get_urls()

    def review_view(self, request, object_id):
        revision = get_object_or_404(Revision.objects.select_related("case", "author", "reviewed_by"), pk=object_id)
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        may_review = can_publish(request.user) and revision.status == Revision.Status.PENDING
        comment_error = ""
        if request.method == "POST":
            if not can_publish(request.user):
                raise PermissionDenied
            try:
                if "approve" in request.POST:
                    approve(revision, user=request.user)
                    self.log_change(request, revision.case, f"Approved change #{revision.pk}")
                    messages.success(request, f"Change #{revision.pk} approved: “{revision.case}” is updated.")
                    return HttpResponseRedirect(reverse("admin:cases_case_change", args=[revision.case_id]))
                if "send_back" in request.POST:
                    send_back(revision, user=request.user, comment=request.POST.get("comment", "")[:5000])
                    self.log_change(request, revision.case, f"Sent change #{revision.pk} back")
                    messages.success(request, f"Change #{revision.pk} sent back to its author.")
                    return HttpResponseRedirect(reverse("admin:index"))
            except ValidationError as error:
                comment_error = " ".join(error.messages)
                messages.error(request, f"Not done: {comment_error}")
        context = {
            **self.admin_site.each_context(request),
            "title": str(revision),
            "opts": self.opts,
            "revision": revision,
            "changes": describe_changes(revision.base, revision.proposed),
            "may_review": may_review,
            "comment_error": comment_error,
            "case_url": reverse("admin:cases_case_change", args=[revision.case_id]),
        }
        return TemplateResponse(request, "admin/cases/revision/review.html", context)
