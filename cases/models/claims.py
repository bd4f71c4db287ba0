"""What a case claims and the evidence behind it: its story sections, its challenges and its success factors."""

from django.db import models

from ..tracking import LinkHistory
from .cases import Case, StorySection
from .taxonomy import Challenge, SuccessFactor


class StoryEvidence(models.Model):
    """The evidence of one story section of a case (a claim, see cases.claims): the quotes that
    support it, or a curator's reason for having none yet. A row for an empty section is ignored."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="story_evidence")
    section = models.CharField(max_length=20, choices=StorySection.choices)
    quotes = models.ManyToManyField("Quote", blank=True, related_name="story_evidence")
    no_evidence_reason = models.TextField(
        "why no evidence",
        blank=True,
        help_text="A curator's reason this section has no supporting quote yet (lets the case be published without one)",
    )

    history = LinkHistory(m2m_fields=["quotes"])

    class Meta:
        ordering = ["case", "section"]
        verbose_name_plural = "story evidence"
        constraints = [models.UniqueConstraint(fields=["case", "section"], name="story_evidence_unique_section")]

    def __str__(self):
        return f"{self.case} – {self.get_section_display()}"


class CaseChallenge(models.Model):
    """A challenge a case met, with a note on how it met it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_challenges")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="case_challenges")
    note = models.TextField(blank=True)
    no_evidence_reason = models.TextField(
        "why no evidence",
        blank=True,
        help_text="A curator's reason this claim has no supporting quote yet (lets the case be published without one)",
    )

    history = LinkHistory()

    class Meta:
        ordering = ["challenge__order", "challenge__name"]
        constraints = [models.UniqueConstraint(fields=["case", "challenge"], name="case_challenge_unique")]

    def __str__(self):
        return f"{self.case} – {self.challenge}"


class CaseSuccessFactor(models.Model):
    """A success factor a case shows, with a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_success_factors")
    success_factor = models.ForeignKey(SuccessFactor, on_delete=models.CASCADE, related_name="case_success_factors")
    note = models.TextField(blank=True)
    no_evidence_reason = models.TextField(
        "why no evidence",
        blank=True,
        help_text="A curator's reason this claim has no supporting quote yet (lets the case be published without one)",
    )

    history = LinkHistory()

    class Meta:
        ordering = ["success_factor__kind", "success_factor__order", "success_factor__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "success_factor"], name="case_success_factor_unique"),
        ]

    def __str__(self):
        return f"{self.case} – {self.success_factor}"
