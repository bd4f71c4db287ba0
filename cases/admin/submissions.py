"""Submissions from /submit/ in the admin: the list (marked by status), and the page of one where a
curator reads it, writes to its submitter, accepts it into the review queue, merges it into an
existing case or declines it with a reason, and erases the submitter's personal data on request.
The work is done by cases.submissions; this module only asks and answers."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import submissions
from ..models import Case, Submission

MESSAGE_LENGTH = 10_000


class ContactForm(forms.Form):
    subject = forms.CharField(max_length=200)
    message = forms.CharField(max_length=MESSAGE_LENGTH, widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label="Merge into the case (its slug)",
        queryset=Case.objects.all(),
        to_field_name="slug",
        widget=forms.TextInput(attrs={"size": 50}),
        error_messages={"invalid_choice": "No case has that slug."},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    notify = forms.BooleanField(label="Send the reason to the submitter by e-mail", required=False, initial=True)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "status", "draft", "created_at", "last_contacted_at"]
    list_filter = ["status"]
    # A submitter asking for their data to be erased is found by their address.
    search_fields = ["reference", "title", "submitter_email"]
    list_select_related = ["case"]
    actions = ["erase_personal_data"]

    def has_add_permission(self, request):
        return False  # submissions come from /submit/

    @admin.display(description="Case")
    def draft(self, submission):
        if submission.case is None:
            return "—"
        url = reverse("admin:cases_case_change", args=[submission.case_id])
        return format_html('<a href="{}">{}</a> ({})', url, submission.case.title, submission.case.get_status_display())

    @admin.action(description="Erase the submitters' personal data", permissions=["change"])
    def erase_personal_data(self, request, queryset):
        erased = submissions.erase_personal_data(queryset)
        self.message_user(request, f"Personal data erased from {erased} submission{pluralize(erased)}.")

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/change/",
                self.admin_site.admin_view(self.submission_view),
                name="cases_submission_change",
            ),
        ]
        return own + super().get_urls()

    def submission_view(self, request, object_id):
        """One submission: what was sent, and the forms of what a curator can do with it."""
        submission = get_object_or_404(Submission.objects.select_related("case", "decided_by"), pk=object_id)
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        forms_ = {
            "contact": ContactForm(prefix="contact"),
            "merge": MergeForm(prefix="merge"),
            "decline": DeclineForm(prefix="decline"),
        }
        if request.method == "POST":
            if not self.has_change_permission(request, submission):
                raise PermissionDenied
            done = self._act(request, submission, forms_)
            if done is not None:
                return done
        context = {
            **self.admin_site.each_context(request),
            "title": str(submission),
            "opts": self.opts,
            "submission": submission,
            "is_open": submission.status == Submission.Status.NEW and submission.case_id is not None,
            "may_change": self.has_change_permission(request, submission),
            "case_url": reverse("admin:cases_case_change", args=[submission.case_id]) if submission.case_id else "",
            "preview_url": (
                reverse("admin:cases_case_preview", args=[submission.case_id]) if submission.case_id else ""
            ),
            **{f"{name}_form": form for name, form in forms_.items()},
        }
        return TemplateResponse(request, "admin/cases/submission/change.html", context)

    def _act(self, request, submission, forms_):
        """Run the action the POST names; a redirect when done, None to show the page again with errors."""
        here = HttpResponseRedirect(request.path)
        try:
            if "accept" in request.POST:
                submissions.accept(submission, user=request.user)
                self.log_change(request, submission, "Accepted into the review queue")
                messages.success(request, f"{submission.reference} accepted: the case waits for review.")
                return HttpResponseRedirect(reverse("admin:cases_case_change", args=[submission.case_id]))
            if "merge" in request.POST:
                form = forms_["merge"] = MergeForm(request.POST, prefix="merge")
                if form.is_valid():
                    submissions.merge(submission, into=form.cleaned_data["into"], user=request.user)
                    self.log_change(request, submission, f"Merged into {form.cleaned_data['into']}")
                    messages.success(request, f"{submission.reference} merged into “{form.cleaned_data['into']}”.")
                    return HttpResponseRedirect(reverse("admin:cases_case_change", args=[form.cleaned_data["into"].pk]))
            elif "decline" in request.POST:
                form = forms_["decline"] = DeclineForm(request.POST, prefix="decline")
                if form.is_valid():
                    submissions.decline(
                        submission,
                        user=request.user,
                        reason=form.cleaned_data["reason"],
                        notify=form.cleaned_data["notify"],
                    )
                    self.log_change(request, submission, "Declined")
                    messages.success(request, f"{submission.reference} declined.")
                    return here
            elif "contact" in request.POST:
                form = forms_["contact"] = ContactForm(request.POST, prefix="contact")
                if form.is_valid():
                    submissions.contact(submission, user=request.user, **form.cleaned_data)
                    self.log_change(request, submission, "Wrote to the submitter")
                    messages.success(request, "Your message was sent to the submitter.")
                    return here
            elif "erase" in request.POST:
                submissions.erase_personal_data(Submission.objects.filter(pk=submission.pk))
                self.log_change(request, submission, "Erased the submitter's personal data")
                messages.success(request, "The submitter's name, e-mail address and role are erased.")
                return here
        except ValidationError as error:
            messages.error(request, f"Not done: {' '.join(error.messages)}")
        return None
