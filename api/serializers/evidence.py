"""Where the evidence comes from in the API: sources, imported documents, wiki topics and quotes."""

from rest_framework import serializers

from cases.models import Document, Quote, Source, Topic

from .fields import ApiUrl, PageUrl
from .refs import CaseRefSerializer, SourceRefSerializer


class SourceSerializer(serializers.ModelSerializer):
    url = PageUrl("source-detail", "key", "slug")
    api_url = ApiUrl("source-detail")
    link = serializers.URLField(source="url", help_text="The source itself: the video or the report")

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
            "kind",
            "title",
            "link",
            "youtube_id",
            "channel",
            "publisher",
            "published_on",
            "duration_seconds",
            "estimated_duration_seconds",
            "url",
            "api_url",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer()
    url = PageUrl("document-detail")
    api_url = ApiUrl("document-detail")

    class Meta:
        model = Document
        fields = ["id", "slug", "title", "source", "needs_review", "timestamps_as_minutes", "url", "api_url"]


class DocumentDetailSerializer(DocumentSerializer):
    body = serializers.CharField(help_text="Markdown as imported, with timestamp links and [[wiki links]]")

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "body"]


class TopicSerializer(serializers.ModelSerializer):
    url = PageUrl("topic-detail")
    api_url = ApiUrl("topic-detail")

    class Meta:
        model = Topic
        fields = ["id", "slug", "label", "url", "api_url"]


class QuoteBaseSerializer(serializers.ModelSerializer):
    # What a quote shows wherever it is listed: its second in words, its link and its source.
    # A comment, not a docstring: drf-spectacular would describe its subclasses with it.

    timestamp = serializers.CharField(help_text="HH:MM:SS of start_second")
    time_note = serializers.CharField(help_text="The time status in words ('' when exact)")
    youtube_url = serializers.URLField(help_text="The video at the quote's second (a report: its URL)")
    source = SourceRefSerializer()
    url = PageUrl("quote-detail", "pk")
    api_url = ApiUrl("quote-detail", lookup="pk")


class QuoteSerializer(QuoteBaseSerializer):
    """A quote with its second, time status and YouTube link; `cases` lists only published cases."""

    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cases = CaseRefSerializer(source="published_cases", many=True)
    challenges = serializers.SerializerMethodField(help_text="Slugs of the challenges it is evidence of")
    success_factors = serializers.SerializerMethodField(help_text="Slugs of the success factors it is evidence of")
    other_seconds = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "start_second",
            "timestamp",
            "other_seconds",
            "time_status",
            "corrected_from_seconds",
            "time_note",
            "youtube_url",
            "source",
            "document",
            "heading_path",
            "cases",
            "challenges",
            "success_factors",
            "url",
            "api_url",
        ]

    def get_challenges(self, quote) -> list[str]:
        return [challenge.slug for challenge in quote.challenge_list]

    def get_success_factors(self, quote) -> list[str]:
        return [factor.slug for factor in quote.success_factor_list]


class EvidenceSerializer(QuoteBaseSerializer):
    """A quote as a claim lists it (its links to other terms are in /api/v1/quotes/<id>/)."""

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "start_second",
            "timestamp",
            "time_status",
            "time_note",
            "youtube_url",
            "source",
            "url",
            "api_url",
        ]
