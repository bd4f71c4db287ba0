"""The case: its story's sections, the case itself, its supporting links and the organisations taking part."""

from django.db import models
from django.db.models import F, Q

from ..querysets import CaseQuerySet
from ..slugs import validate_lower_case
from ..tracking import LinkHistory
from ..url_paths import reverse_path
from .base import WEB_URL, PostgresGinIndex, TimeStampedModel
from .evidence import Source
from .taxonomy import Approach, Challenge, Country, Organisation, SuccessFactor, Theme


class StorySection(models.TextChoices):
    """The sections of a case story, in the order a case page shows them (OPSI's case format).
    Each is a markdown field `story_<value>` of Case."""

    PROBLEM = "problem", "The problem addressed"
    INNOVATION = "innovation", "The innovation and what is new about it"
    STAKEHOLDERS = "stakeholders", "Users, beneficiaries and stakeholders"
    RESULTS = "results", "Results and impact"
    FAILURES = "failures", "Challenges and failures"
    CONDITIONS = "conditions", "Conditions for success"
    REPLICATION = "replication", "Replication and transferability"
    LESSONS = "lessons", "Lessons learned"

    @property
    def field_name(self):
        return f"story_{self.value}"


STORY_FIELDS = [section.field_name for section in StorySection]
STORY_SECTION_LENGTH = 10_000  # characters per section, for the public form and the admin alike


class Case(TimeStampedModel):
    """A cross-border (or collaborative) public sector innovation initiative."""

    class LevelOfGovernment(models.TextChoices):
        LOCAL = "local", "Local"
        REGIONAL = "regional", "Regional"
        NATIONAL = "national", "National"
        SUPRANATIONAL = "supranational", "Supranational or international"
        SEVERAL = "several", "Several levels"

    class ResultsEvidence(models.TextChoices):
        EVIDENCE_BASED = "evidence_based", "Evidence-based"
        EXPECTED = "expected", "Expected"
        NOT_YET_KNOWN = "not_yet_known", "Not yet known"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Stage(models.TextChoices):
        IDEA = "idea", "Idea"
        PILOT = "pilot", "Pilot"
        SCALING = "scaling", "Scaling"
        INSTITUTIONALISED = "institutionalised", "Institutionalised"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, validators=[validate_lower_case])
    summary = models.TextField(blank=True, help_text="One paragraph, plain text")
    body = models.TextField(blank=True, help_text="Markdown")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, db_index=True)
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)
    website = models.URLField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The initiative this case is part of",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    level_of_government = models.CharField(max_length=20, choices=LevelOfGovernment.choices, blank=True, db_index=True)
    contact_email = models.EmailField(
        "organisational contact",
        blank=True,
        help_text="An address of the organisation (such as innovation@city.example), never a person's",
    )
    # The case story (StorySection), markdown; empty sections are left out of the case page.
    story_problem = models.TextField(StorySection.PROBLEM.label, blank=True, help_text="Markdown")
    story_innovation = models.TextField(StorySection.INNOVATION.label, blank=True, help_text="Markdown")
    story_stakeholders = models.TextField(StorySection.STAKEHOLDERS.label, blank=True, help_text="Markdown")
    story_results = models.TextField(StorySection.RESULTS.label, blank=True, help_text="Markdown")
    results_evidence = models.CharField(
        "results are",
        max_length=20,
        choices=ResultsEvidence.choices,
        blank=True,
        help_text="Whether the results and impact are evidence-based, expected or not yet known",
    )
    story_failures = models.TextField(StorySection.FAILURES.label, blank=True, help_text="Markdown")
    story_conditions = models.TextField(StorySection.CONDITIONS.label, blank=True, help_text="Markdown")
    story_replication = models.TextField(StorySection.REPLICATION.label, blank=True, help_text="Markdown")
    story_lessons = models.TextField(StorySection.LESSONS.label, blank=True, help_text="Markdown")
    summary_no_evidence_reason = models.TextField(
        "why the summary has no evidence",
        blank=True,
        help_text="A curator's reason the summary has no supporting quote yet (lets the case be published without one)",
    )
    # Raised by every write that changes what the case page shows from elsewhere (a quote linked
    # from its page, a note edited on its own): the stale-edit guard compares it (cases/admin/forms.py).
    content_version = models.PositiveIntegerField(default=0, editable=False)
    # Why a Publisher last sent the case back to draft (cases.curation.review_queue); cleared by its next transition.
    sent_back_reason = models.TextField(blank=True, editable=False)

    countries = models.ManyToManyField(Country, blank=True, related_name="cases")
    organisations = models.ManyToManyField(Organisation, through="Participation", related_name="cases", blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="cases")
    approaches = models.ManyToManyField(Approach, blank=True, related_name="cases")
    challenges = models.ManyToManyField(Challenge, through="CaseChallenge", related_name="cases", blank=True)
    success_factors = models.ManyToManyField(
        SuccessFactor, through="CaseSuccessFactor", related_name="cases", blank=True
    )
    publications = models.ManyToManyField(
        Source,
        blank=True,
        related_name="cases",
        limit_choices_to={"kind": Source.Kind.REPORT},
        help_text="Reports that describe this case",
    )

    objects = CaseQuerySet.as_manager()
    # Who changed what and when, links included; cases.curation.history reverts a case with its links.
    history = LinkHistory(
        m2m_fields=["countries", "themes", "approaches", "publications"],
        # Workflow notes: the stale-edit guard, the review queue.
        excluded_fields=["content_version", "sent_back_reason"],
    )

    class Meta:
        ordering = ["title"]
        permissions = [("publish_case", "Can publish, unpublish and archive cases")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(start_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="case_end_year_not_before_start_year",
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(start_year__gte=1900, start_year__lte=2100),
                name="case_start_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")), name="case_not_its_own_parent"
            ),
        ]
        indexes = [
            # The case browser: every facet counts among the published ids, and lists them by title.
            models.Index(fields=["id"], condition=Q(status="published"), name="case_published_id"),
            models.Index(fields=["title", "slug"], condition=Q(status="published"), name="case_published_title"),
            # PostgreSQL only: a trigram index of migration 0003 (raw SQL; in the state since 0023, same
            # name). No query uses it today: title searches use icontains, UPPER(title), which it cannot serve.
            PostgresGinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="cases_case_title_trgm"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_path("cases:case-detail", "slug", self.slug)

    @property
    def countries_shown(self):
        """Its countries as a page lists them: the list the page attached (`country_list`:
        browse.case_links.attach_case_links, attach_countries), else `countries.all()` (which a
        list of case cards prefetches)."""
        attached = self.__dict__.get("country_list")
        return self.countries.all() if attached is None else attached

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def story(self):
        """[(StorySection, markdown source)] of the sections that have text, in their order."""
        return [(section, text) for section in StorySection if (text := getattr(self, section.field_name, "")).strip()]

    @property
    def years(self):
        if self.start_year and self.end_year and self.end_year != self.start_year:
            return f"{self.start_year}–{self.end_year}"
        if self.start_year and not self.end_year:
            return f"{self.start_year}–"
        return str(self.start_year or "")


class SupportingLink(models.Model):
    """A document about a case elsewhere on the web: a report, a video, a dataset or an article."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        VIDEO = "video", "Video"
        DATASET = "dataset", "Dataset"
        ARTICLE = "article", "Article"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supporting_links")
    title = models.CharField(max_length=300)
    url = models.URLField("URL", max_length=500, validators=[WEB_URL])
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    order = models.PositiveSmallIntegerField(default=0)

    history = LinkHistory()

    class Meta:
        ordering = ["order", "title", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "url"], name="supporting_link_unique_url")]

    def __str__(self):
        return f"{self.title} ({self.get_kind_display().lower()})"


class Participation(models.Model):
    """An organisation's role in a case."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        PARTNER = "partner", "Partner"
        FUNDER = "funder", "Funder"
        HOST = "host", "Host"
        MEMBER = "member", "Member"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PARTNER)

    history = LinkHistory()

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation", "role"], name="participation_unique_role"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()}) in {self.case}"
