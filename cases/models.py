"""The domain model: cases, who and where, their taxonomy, and the timestamped evidence behind them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from .querysets import CaseQuerySet, QuoteQuerySet, TaxonomyQuerySet
from .timestamps import format_timestamp, youtube_url
from .tracking import LinkHistory


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Region(models.TextChoices):
    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    OCEANIA = "oceania", "Oceania"
    ANTARCTICA = "antarctica", "Antarctica"


class Country(models.Model):
    """An ISO 3166-1 country; all of them exist from the first migration on."""

    code = models.CharField("ISO code", max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2, upper case")
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=20, choices=Region.choices, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_two_upper_letters"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:country-detail", kwargs={"code": self.code.lower()})


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        NATIONAL_GOVERNMENT = "national_government", "National government"
        CITY_GOVERNMENT = "city_government", "City government"
        AGENCY = "agency", "Agency"
        INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
        NGO = "ngo", "NGO"
        PRIVATE = "private", "Private"
        ACADEMIC = "academic", "Academic"
        NETWORK = "network", "Network"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations")
    website = models.URLField(blank=True)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:organisation-detail", kwargs={"slug": self.slug})


class Theme(TimeStampedModel):
    """A policy domain: food security, space, mobility, health…"""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:theme-detail", kwargs={"slug": self.slug})


class Approach(TimeStampedModel):
    """An innovation method (challenge prize, testbed, network…) in one of three families."""

    class Family(models.TextChoices):
        COLLECTIVE_INTELLIGENCE = "collective_intelligence", "Collective intelligence (surfacing insights)"
        EXPERIMENTATION = "experimentation", "Experimentation (testing across borders)"
        GOVERNANCE = "governance", "Governance (structures and networks)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    family = models.CharField(max_length=30, choices=Family.choices, db_index=True)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "approaches"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:approach-detail", kwargs={"slug": self.slug})


class Challenge(TimeStampedModel):
    """A barrier to cross-border innovation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, help_text="Markdown")
    order = models.PositiveSmallIntegerField(default=0)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:challenge-detail", kwargs={"slug": self.slug})


class SuccessFactor(TimeStampedModel):
    """An enabler of cross-border innovation, of a project or of the wider ecosystem."""

    class Kind(models.TextChoices):
        PROJECT = "project", "Project"
        ECOSYSTEM = "ecosystem", "Ecosystem"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    description = models.TextField(blank=True, help_text="Markdown")
    order = models.PositiveSmallIntegerField(default=0)

    objects = TaxonomyQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:success-factor-detail", kwargs={"slug": self.slug})


class Source(TimeStampedModel):
    """Where evidence comes from: a recorded webinar, a report or a web page."""

    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        REPORT = "report", "Report"
        WEB = "web", "Web page"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VIDEO, db_index=True)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, help_text="For a video: its YouTube id")
    url = models.URLField(blank=True)
    youtube_id = models.CharField("YouTube id", max_length=20, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="The video's length in seconds, as a curator checked it"
    )
    estimated_duration_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The video's end estimated from its documents (see cases.importing.plausibility)",
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["youtube_id"], condition=~Q(youtube_id=""), name="source_unique_youtube_id"
            ),
            models.CheckConstraint(condition=~Q(kind="video") | ~Q(youtube_id=""), name="source_video_has_youtube_id"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:source-detail", kwargs={"key": self.slug})

    @property
    def end_seconds(self):
        """The video's length: the curator's duration, else the estimate (None when neither is known)."""
        return self.duration_seconds if self.duration_seconds is not None else self.estimated_duration_seconds

    @property
    def duration_is_estimated(self):
        return self.duration_seconds is None and self.estimated_duration_seconds is not None

    def link_at(self, seconds):
        if self.youtube_id:
            return youtube_url(self.youtube_id, seconds)
        return self.url


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


WEB_URL = URLValidator(schemes=["http", "https"])  # what a public link may point to
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
    slug = models.SlugField(max_length=200, unique=True)
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
    # Who changed what and when, links included; cases.history reverts a case with its links.
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
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:case-detail", kwargs={"slug": self.slug})

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


class Topic(models.Model):
    """A wiki-link target of the imported documents."""

    slug = models.SlugField(max_length=200, unique=True)
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("cases:topic-detail", kwargs={"slug": self.slug})


class Document(TimeStampedModel):
    """An imported webinar summary article."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, help_text="From the file name")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="documents")
    body = models.TextField(help_text="Markdown with timestamp links; wiki links resolved when rendered")
    raw_text = models.TextField(blank=True, help_text="The file as imported, to re-read it")
    content_hash = models.CharField(max_length=64, blank=True)
    needs_review = models.BooleanField(default=False, db_index=True)
    review_reason = models.TextField(blank=True)
    timestamps_as_minutes = models.BooleanField(
        default=False, help_text="Timestamps re-read as minutes:seconds (the file shifted them one field left)"
    )
    times_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a curator confirmed its timestamps as written (clears the flag)"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="documents")

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:document-detail", kwargs={"slug": self.slug})


class Quote(TimeStampedModel):
    """A timestamped statement from a source, linked to what it is evidence of."""

    class TimeStatus(models.TextChoices):
        EXACT = "exact", "Exact"
        CORRECTED = "corrected", "Corrected on import"
        UNDER_REVIEW = "under_review", "Under review"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quotes")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes")
    text = models.TextField()
    start_second = models.PositiveIntegerField(help_text="The second of the video the statement starts at")
    other_seconds = models.JSONField(
        default=list, blank=True, help_text="Every other second cited for the same statement"
    )
    heading_path = models.CharField(max_length=500, blank=True, help_text="Headings it stood under, ' > '-joined")
    position = models.PositiveIntegerField(default=0, help_text="Order of the statement in its document")
    # Kept by QuoteQuerySet.refresh_time_status(), run by the importer and by curators' actions.
    time_status = models.CharField(
        max_length=20,
        choices=TimeStatus.choices,
        default=TimeStatus.EXACT,
        db_index=True,
        help_text="Under review: its document is flagged or its second is past the video's end",
    )
    corrected_from_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The second the anchor's data-t named when the importer stored the one its text named",
    )
    # Its link table also has an index (case_id, quote_id), made by migration 0023 (raw SQL).
    cases = models.ManyToManyField(Case, blank=True, related_name="quotes")
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="quotes")
    success_factors = models.ManyToManyField(SuccessFactor, blank=True, related_name="quotes")
    topics = models.ManyToManyField(Topic, blank=True, related_name="quotes")

    objects = QuoteQuerySet.as_manager()
    history = LinkHistory(m2m_fields=["cases", "challenges", "success_factors"])

    class Meta:
        ordering = ["source", "start_second", "position", "pk"]
        # The whole time order, so a page of the quote browser reads its keys by an index-only scan
        # (querysets.DeferredJoin); its prefix serves a source's quotes in time order as before.
        indexes = [models.Index(fields=["source", "start_second", "position", "id"], name="quote_time_order")]
        constraints = [
            models.CheckConstraint(condition=Q(start_second__gte=0), name="quote_start_second_not_negative"),
            models.CheckConstraint(
                condition=~Q(time_status="corrected") | Q(corrected_from_seconds__isnull=False),
                name="quote_corrected_names_its_original",
            ),
        ]

    def __str__(self):
        return f"{self.timestamp} {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("cases:quote-detail", kwargs={"pk": self.pk})

    def clean(self):
        """Other seconds are a list of whole numbers (JSON numbers, not strings such as "²")."""
        super().clean()
        seconds = self.other_seconds
        if not isinstance(seconds, list) or any(
            isinstance(second, bool) or not isinstance(second, int) or second < 0 for second in seconds
        ):
            raise ValidationError(
                {"other_seconds": "Give a list of whole numbers of seconds from 0 up, such as [75, 3600]."}
            )

    @property
    def seconds(self):
        return [self.start_second, *self.other_seconds]

    @property
    def timestamp(self):
        return format_timestamp(self.start_second)

    @property
    def corrected_from_timestamp(self):
        return format_timestamp(self.corrected_from_seconds) if self.corrected_from_seconds is not None else ""

    @property
    def time_note(self):
        """The time status in words ('' when exact), for citations, exports and feeds."""
        return self.describe_time(self.time_status, self.corrected_from_seconds)

    @classmethod
    def describe_time(cls, time_status, corrected_from_seconds):
        """A time status in words: '' (exact), 'time under review', 'time corrected on import from HH:MM:SS'."""
        if time_status == cls.TimeStatus.UNDER_REVIEW:
            return "time under review"
        if time_status == cls.TimeStatus.CORRECTED and corrected_from_seconds is not None:
            return f"time corrected on import from {format_timestamp(corrected_from_seconds)}"
        return ""

    @property
    def youtube_url(self):
        return self.source.link_at(self.start_second)


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
    asked for (cases.curation.revisions.case_state): approving applies exactly their difference.
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


class LibraryVersion(models.Model):
    """One row whose `version` changes (to a random number) with every write to a table the case
    browser counts: database triggers change it (cases/library_version.py), and cached facet
    counts are keyed by it, so they are never stale."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    class Meta:
        db_table = "cases_library_version"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(id=1), name="library_version_single_row")]

    def __str__(self):
        return f"library version {self.version}"


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
