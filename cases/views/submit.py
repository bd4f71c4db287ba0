"""/submit/: the public case submission form, and the confirmation page with its reference."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ..forms import SubmissionForm
from ..submissions import submit_case
from .limits import rate_limited

SESSION_KEY = "cases.submitted"  # the reference and title of the visitor's last submission


def _is_post(request):
    return request.method == "POST"


@never_cache
@rate_limited("submit", when=_is_post)
def submit_view(request):
    """The form (GET), or a submission (POST): stored as a draft and a private Submission, then the
    confirmation page (redirect, so a reload does not send it twice). An invalid form answers 400
    with the errors beside the fields; sending too often, 429 (cases/views/limits.py)."""
    if request.method == "POST":
        form = SubmissionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            submission = submit_case(
                case_fields=form.case_fields(),
                links=form.links(),
                submitter_name=data["submitter_name"],
                submitter_email=data["submitter_email"],
                submitter_role=data.get("submitter_role", ""),
            )
            request.session[SESSION_KEY] = {"reference": submission.reference, "title": submission.title}
            return redirect("cases:submit-received")
        return render(request, "cases/submit.html", {"form": form}, status=400)
    return render(request, "cases/submit.html", {"form": SubmissionForm()})


@never_cache
def submit_received_view(request):
    """The confirmation of the visitor's own last submission (from their session), else the form."""
    submitted = request.session.get(SESSION_KEY)
    if not submitted:
        return redirect("cases:submit")
    return render(request, "cases/submit_received.html", {"submitted": submitted})
