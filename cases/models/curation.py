"""The curators' records: old slugs that redirect, proposed revisions and submitted cases."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .cases import Case


class OldSlug(models.Model):
    """A slug a case or a taxonomy term had before (renamed, or merged into another): its old URL
    redirects permanently to the current one (cases.curation.permalinks)."""

    class Kind(models.TextChoices):
        CASE = "case", "Case"
        ORGANISATION = "organisation", "Organisation"
        THEME = "theme", "Theme"
        APPROACH = "approach", "Approach"
        TOPIC = "topic", "Topic"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=200)
    target_id = models.PositiveIntegerField(help_text="The primary key of what the slug names now")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "slug"]
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="old_slug_unique_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.slug} → #{self.target_id}"


class Revision(models.Model):
    """A change to a published case proposed by an Editor, waiting for a Publisher (cases.curation.revisions).

    `base` is the case's state when the change was proposed and `proposed` the state the Editor
    asked for (cases.curation.states.case_state): approving applies exactly their difference.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposed_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True, help_text="How the change was made")
    base = models.JSONField()
    proposed = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    comment = models.TextField(blank=True, help_text="Why it was sent back (required then)")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_revisions"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent_back") | ~Q(comment=""), name="revision_sent_back_has_comment"
            ),
        ]

    def __str__(self):
        return f"Change #{self.pk} to “{self.case}” ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("admin:cases_revision_change", args=[self.pk])


class Submission(models.Model):
    """A case sent in from /submit/ by the people who ran it (cases.submissions).

    The submitter's name and e-mail are private: shown only to curators in the admin, never on a
    public page, export, feed, search index or API, and erased on request (`erase_personal_data`).
    The case itself is a draft until a curator accepts it (into the review queue), merges it into
    an existing case or declines it with a reason.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        MERGED = "merged", "Merged into another case"
        DECLINED = "declined", "Declined"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text="The draft the submission became, or the case it was merged into",
    )
    title = models.CharField(max_length=200, help_text="As submitted (kept when the draft is removed)")
    submitter_name = models.CharField(max_length=200, blank=True)
    submitter_email = models.EmailField(blank=True)
    submitter_role = models.CharField(max_length=200, blank=True, help_text="Their role in the initiative")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    decline_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="submission_declined_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("admin:cases_submission_change", args=[self.pk])
