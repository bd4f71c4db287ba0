"""The evidence: sources (videos, reports, web pages), the documents imported from them, their topics and quotes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..querysets import QuoteQuerySet
from ..timestamps import MAX_SECOND, format_timestamp, youtube_url
from ..tracking import LinkHistory
from ..url_paths import reverse_path
from .base import PostgresGinIndex, TimeStampedModel
from .taxonomy import Challenge, SuccessFactor


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
        return reverse_path("cases:source-detail", "key", self.slug)

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


class Topic(models.Model):
    """A wiki-link target of the imported documents."""

    slug = models.SlugField(max_length=200, unique=True)
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse_path("cases:topic-detail", "slug", self.slug)


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
        indexes = [
            # PostgreSQL only: a trigram index of migration 0003 (raw SQL; in the state since 0023, same
            # name). No query uses it today: title searches use icontains, UPPER(title), which it cannot serve.
            PostgresGinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="cases_document_title_trgm"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_path("cases:document-detail", "slug", self.slug)


class Quote(TimeStampedModel):
    """A timestamped statement from a source, linked to what it is evidence of."""

    class TimeStatus(models.TextChoices):
        EXACT = "exact", "Exact"
        CORRECTED = "corrected", "Corrected on import"
        UNDER_REVIEW = "under_review", "Under review"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quotes")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes")
    text = models.TextField()
    # What the document said, for each field the importer writes and a curator can edit (text, start
    # second, other seconds, heading path: IMPORTED_FIELDS), kept only while a curator's save makes
    # the field differ from it (NULL: the value is as imported, or the quote was never imported). The
    # importer matches a quote on its imported values, updates those, and never writes over a
    # curator's value (cases.importing.quotes); note_curator_edit() sets or clears them on every
    # curator write. One typed nullable column per field rather than one JSON snapshot: the importer
    # reads them for every stored quote of a re-imported document and a NULL costs nothing to read
    # (decoding JSON per quote was a tenth of an import's time, importing/review.py), "edited" stays
    # an IS NOT NULL test for the list's filters, and a first import writes nothing more. NULL rather
    # than "" (DJ001): "" is a value too, and a NOT NULL column makes SQLite's migration rebuild
    # cases_quote, dropping the search index's triggers on it; nullable ones are added in place on
    # both databases. None is in the search index (cases/search/schema/kinds.py reads heading_path
    # and text): writing them re-indexes nothing.
    imported_text = models.TextField(  # noqa: DJ001
        "text as imported",
        null=True,
        blank=True,
        editable=False,
        help_text="The document's wording when a curator's edit made the text differ from it",
    )
    imported_start_second = models.PositiveIntegerField(
        "start second as imported",
        null=True,
        blank=True,
        editable=False,
        help_text="The document's start second when a curator's edit made the start second differ from it",
    )
    imported_other_seconds = models.JSONField(
        "other seconds as imported",
        null=True,
        blank=True,
        editable=False,
        help_text="The document's other seconds when a curator's edit made them differ from them",
    )
    imported_heading_path = models.CharField(  # noqa: DJ001
        "heading path as imported",
        max_length=500,
        null=True,
        blank=True,
        editable=False,
        help_text="The document's headings when a curator's edit made the heading path differ from them",
    )
    # A quote a curator added (the admin's add form), with a document or not: never imported, so the
    # importer never matches, changes nor deletes it. NULL for every other (imported, or loaded from
    # the curated fixtures, which an import adopts): nullable without a default for the same reason.
    added_by_curator = models.BooleanField(
        null=True, blank=True, editable=False, help_text="Added by a curator: no import matches, changes or deletes it"
    )
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
    # By name: cases.py imports this module (Case.publications names Source).
    # Its link table also has an index (case_id, quote_id), made by migration 0024 (raw SQL).
    cases = models.ManyToManyField("Case", blank=True, related_name="quotes")
    challenges = models.ManyToManyField(Challenge, blank=True, related_name="quotes")
    success_factors = models.ManyToManyField(SuccessFactor, blank=True, related_name="quotes")
    topics = models.ManyToManyField(Topic, blank=True, related_name="quotes")

    objects = QuoteQuerySet.as_manager()
    history = LinkHistory(m2m_fields=["cases", "challenges", "success_factors"])

    class Meta:
        ordering = ["source", "start_second", "position", "pk"]
        # The whole time order, so a page of the quote browser reads its keys by an index-only scan
        # (querysets.DeferredJoin); its prefix serves a source's quotes in time order as before.
        indexes = [
            models.Index(fields=["source", "start_second", "position", "id"], name="quote_time_order"),
            # A video's quotes no document holds (kept for curators' links): the importer asks for
            # them with every document it stores (importing.documents.source_for), and they are few,
            # so the index is small and a quote a document holds costs it nothing.
            models.Index(fields=["source"], condition=Q(document__isnull=True), name="quote_orphans"),
            # PostgreSQL only: a trigram index serving the text as typed (a case-insensitive regular
            # expression: the quote admin, QuoteQuerySet.containing); migration 0003's raw SQL, in the
            # state since 0023 under the same name.
            PostgresGinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="cases_quote_text_trgm"),
        ]
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
        return reverse_path("cases:quote-detail", "pk", self.pk)

    def clean(self):
        """Other seconds are a list of whole numbers (JSON numbers, not strings such as "²") from 0 to
        MAX_SECOND, the largest the start second's column holds on PostgreSQL."""
        super().clean()
        seconds = self.other_seconds
        if not isinstance(seconds, list) or any(
            isinstance(second, bool) or not isinstance(second, int) or not 0 <= second <= MAX_SECOND
            for second in seconds
        ):
            raise ValidationError(
                {
                    "other_seconds": f"Give a list of whole numbers of seconds from 0 to {MAX_SECOND:,}, such as [75, 3600]."
                }
            )

    # Each field the importer writes and a curator can edit, and the column that keeps the document's
    # value while a curator's differs from it.
    IMPORTED_FIELDS = {
        "text": "imported_text",
        "start_second": "imported_start_second",
        "other_seconds": "imported_other_seconds",
        "heading_path": "imported_heading_path",
    }

    def as_imported(self, name):
        """The value its document gave for field `name` (what the importer matches and updates): the
        imported value a curator's edit set aside, else the field's."""
        imported = getattr(self, self.IMPORTED_FIELDS[name])
        return getattr(self, name) if imported is None else imported

    @property
    def text_as_imported(self):
        return self.as_imported("text")

    @property
    def start_second_as_imported(self):
        return self.as_imported("start_second")

    @property
    def edited_fields(self):
        """The fields a curator's edit made differ from what the document says."""
        return [name for name, column in self.IMPORTED_FIELDS.items() if getattr(self, column) is not None]

    def note_curator_edit(self):
        """Before a curator's save of this quote with its new values set: keep what the document gave
        for each field (IMPORTED_FIELDS) that now differs from it, clear it for each that is the
        document's value again. Reads the stored row (one query); a quote never imported (added by
        a curator, or with no document and nothing as imported, e.g. a fixture's) is left as it is."""
        fields = list(self.IMPORTED_FIELDS.items())
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values_list("document_id", "added_by_curator", *(name for pair in fields for name in pair))
            .first()
        )
        if stored is None:
            return
        document_id, self.added_by_curator, *values = stored  # a history revert's old row may lack the mark
        pairs = dict(zip(self.IMPORTED_FIELDS, zip(values[::2], values[1::2], strict=True), strict=True))
        if self.added_by_curator or document_id is None and all(imported is None for _, imported in pairs.values()):
            return
        for name, (value, imported) in pairs.items():
            as_imported = value if imported is None else imported
            setattr(self, self.IMPORTED_FIELDS[name], None if getattr(self, name) == as_imported else as_imported)

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
