"""Quotes a re-import cut loose from their document, waiting for a curator to re-link them."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from .claims import StoryEvidence
from .curation import Revision
from .evidence import Document, Quote


def _relink_waiting():
    """Whether a pending revision is a re-link of the task's quote (cases.importing.relinking names
    it in the summary: an Editor's re-link touching several published cases is one revision each)."""
    return Exists(
        Revision.objects.filter(
            status="pending",
            summary__startswith=Concat(
                Value("Re-linked from quote "),
                Cast(OuterRef("quote_id"), models.CharField()),
                Value(" to its new wording"),
            ),
        )
    )


class QuoteRelinkQuerySet(models.QuerySet):
    """Filters of the re-link list (cases/admin/relinks.py) and the health page."""

    def to_relink(self):
        """What a curator must still do: pending, the old quote still carrying curator links (to a
        case, challenge, success factor or story section), and no re-link of it waiting for a
        Publisher (a re-link sent back, or approved for some of its cases only, is to do again)."""
        quote = OuterRef("quote_id")
        linked = (
            Exists(Quote.cases.through.objects.filter(quote_id=quote))
            | Exists(Quote.challenges.through.objects.filter(quote_id=quote))
            | Exists(Quote.success_factors.through.objects.filter(quote_id=quote))
            | Exists(StoryEvidence.quotes.through.objects.filter(quote_id=quote))
        )
        # An Editor's re-link touching two published cases is two revisions (the task points at the
        # first): while either waits, the task waits; once one is approved, it is done only when
        # the old quote backs no case any more (the other may have been sent back).
        backs_case = Exists(Quote.cases.through.objects.filter(quote_id=quote)) | Exists(
            StoryEvidence.quotes.through.objects.filter(quote_id=quote)
        )
        waiting = _relink_waiting()
        return (
            self.filter(linked, status="pending")
            .exclude(revision__status="pending")
            .exclude(waiting)
            .exclude(Q(revision__status="approved"), ~backs_case)
        )

    def awaiting_review(self):
        """Re-links an Editor made on a published case, waiting for a Publisher's review."""
        return self.filter(Q(revision__status="pending") | _relink_waiting(), status="pending")

    def cut_loose(self):
        """Records of quotes still cut loose from their document (any outcome but back in it)."""
        return self.filter(quote__document__isnull=True).exclude(status="restored")


class QuoteRelink(models.Model):
    """A linked quote a re-import cut loose from its document (cases.importing.carryover): its
    statement changed beyond a safe match or was removed. The quote keeps its old text and its
    links; a curator re-links them to the new wording (`relinked_to`) or dismisses the task
    (cases.importing.relinking)."""

    class Status(models.TextChoices):
        PENDING = "pending", "To re-link"
        RELINKED = "relinked", "Re-linked"
        DISMISSED = "dismissed", "Dismissed"
        RESTORED = "restored", "Back in its document"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="relinks")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="relinks")
    reason = models.CharField(max_length=300, help_text="Why no statement of the new version was a safe match")
    # Quote ids of the document's statements closest to the old one, best first (see carryover.candidates).
    candidates = models.JSONField(default=list, blank=True)
    similarity = models.FloatField(null=True, blank=True, help_text="Word similarity (0–1) of the best candidate")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    relinked_to = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # An Editor's re-link touching a published case waits for a Publisher as this revision.
    revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = QuoteRelinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "quote to re-link"
        verbose_name_plural = "quotes to re-link"
        constraints = [
            models.UniqueConstraint(
                fields=["quote"], condition=Q(status="pending"), name="quote_relink_one_open_per_quote"
            ),
        ]

    def __str__(self):
        return f"{self.quote} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("admin:cases_quoterelink_changelist") + f"?show=cut_loose#relink-{self.pk}"
