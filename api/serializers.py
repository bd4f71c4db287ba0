"""JSON shapes of the API's resources: stable ids and slugs, and absolute URLs of each object's
public page (`url`) and API detail (`api_url`). Every serializer reads only what its view prefetched."""
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    Approach,
    Case,
    Challenge,
    Country,
    Document,
    Organisation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
    Topic,
)


class PageUrl(serializers.Field):
    """The absolute URL of the object's public page (its get_absolute_url())."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


extend_schema_field(OpenApiTypes.URI)(PageUrl)


class ApiUrl(serializers.Field):
    """The absolute URL of the object in the API: `api:<name>` with the object's `lookup` attribute."""

    def __init__(self, name, lookup="slug", **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.name, self.lookup = name, lookup

    def to_representation(self, obj):
        value = getattr(obj, self.lookup)
        if self.lookup == "code":
            value = value.lower()
        return self.context["request"].build_absolute_uri(reverse(f"api:{self.name}", args=[value]))


extend_schema_field(OpenApiTypes.URI)(ApiUrl)


class CountrySerializer(serializers.ModelSerializer):
    code = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2, lower case as in the site's URLs")
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl()
    api_url = ApiUrl("country-detail", lookup="code")

    class Meta:
        model = Country
        fields = ["code", "name", "region", "published_case_count", "url", "api_url"]

    def get_code(self, country) -> str:
        return country.code.lower()


class CountryRefSerializer(CountrySerializer):
    class Meta(CountrySerializer.Meta):
        fields = ["code", "name", "url"]


class ThemeSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl()
    api_url = ApiUrl("theme-detail")

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", "published_case_count", "url", "api_url"]


class ApproachSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl()
    api_url = ApiUrl("approach-detail")

    class Meta:
        model = Approach
        fields = ["id", "slug", "name", "family", "description", "published_case_count", "url", "api_url"]


class ChallengeSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl()
    api_url = ApiUrl("challenge-detail")

    class Meta:
        model = Challenge
        fields = ["id", "slug", "name", "description", "order", "published_case_count", "url", "api_url"]


class SuccessFactorSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl()
    api_url = ApiUrl("success-factor-detail")

    class Meta:
        model = SuccessFactor
        fields = ["id", "slug", "name", "kind", "description", "order", "published_case_count", "url", "api_url"]


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.SerializerMethodField()
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl()
    api_url = ApiUrl("organisation-detail")

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "country", "website", "published_case_count", "url", "api_url"]

    def get_country(self, organisation) -> str | None:
        return organisation.country_id.lower() if organisation.country_id else None


class TermRefSerializer(serializers.Serializer):
    """A taxonomy term as another object names it."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = PageUrl()


class SourceSerializer(serializers.ModelSerializer):
    url = PageUrl()
    api_url = ApiUrl("source-detail")
    link = serializers.URLField(source="url", help_text="The source itself: the video or the report")

    class Meta:
        model = Source
        fields = [
            "id", "slug", "kind", "title", "link", "youtube_id", "channel", "publisher", "published_on",
            "duration_seconds", "estimated_duration_seconds", "url", "api_url",
        ]


class SourceRefSerializer(serializers.ModelSerializer):
    url = PageUrl()

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "url"]


class DocumentSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer()
    url = PageUrl()
    api_url = ApiUrl("document-detail")

    class Meta:
        model = Document
        fields = ["id", "slug", "title", "source", "needs_review", "timestamps_as_minutes", "url", "api_url"]


class DocumentDetailSerializer(DocumentSerializer):
    body = serializers.CharField(help_text="Markdown as imported, with timestamp links and [[wiki links]]")

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "body"]


class TopicSerializer(serializers.ModelSerializer):
    url = PageUrl()
    api_url = ApiUrl("topic-detail")

    class Meta:
        model = Topic
        fields = ["id", "slug", "label", "url", "api_url"]


class CaseRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = PageUrl()


class QuoteSerializer(serializers.ModelSerializer):
    """A quote with its second, time status and YouTube link; `cases` lists only published cases."""

    timestamp = serializers.CharField(help_text="HH:MM:SS of start_second")
    time_note = serializers.CharField(help_text="The time status in words ('' when exact)")
    youtube_url = serializers.URLField(help_text="The video at the quote's second (a report: its URL)")
    source = SourceRefSerializer()
    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cases = CaseRefSerializer(source="published_cases", many=True)
    challenges = serializers.SerializerMethodField(help_text="Slugs of the challenges it is evidence of")
    success_factors = serializers.SerializerMethodField(help_text="Slugs of the success factors it is evidence of")
    other_seconds = serializers.ListField(child=serializers.IntegerField())
    url = PageUrl()
    api_url = ApiUrl("quote-detail", lookup="pk")

    class Meta:
        model = Quote
        fields = [
            "id", "text", "start_second", "timestamp", "other_seconds", "time_status", "corrected_from_seconds",
            "time_note", "youtube_url", "source", "document", "heading_path", "cases", "challenges",
            "success_factors", "url", "api_url",
        ]

    def get_challenges(self, quote) -> list[str]:
        return [challenge.slug for challenge in quote.challenge_list]

    def get_success_factors(self, quote) -> list[str]:
        return [factor.slug for factor in quote.success_factor_list]


class CaseSerializer(serializers.ModelSerializer):
    """A case as the list shows it."""

    years = serializers.CharField(help_text="As the case page shows them: 2019–2022, 2020–, 2021")
    countries = CountryRefSerializer(many=True)
    themes = TermRefSerializer(many=True)
    url = PageUrl()
    api_url = ApiUrl("case-detail")

    class Meta:
        model = Case
        fields = [
            "id", "slug", "title", "summary", "stage", "start_year", "end_year", "years", "published_at",
            "updated_at", "countries", "themes", "url", "api_url",
        ]


class ParticipationSerializer(serializers.Serializer):
    role = serializers.CharField()
    organisation = TermRefSerializer()


class EvidenceSerializer(serializers.ModelSerializer):
    """A quote as a claim lists it (its links to other terms are in /api/v1/quotes/<id>/)."""

    timestamp = serializers.CharField(help_text="HH:MM:SS of start_second")
    time_note = serializers.CharField(help_text="The time status in words ('' when exact)")
    youtube_url = serializers.URLField(help_text="The video at the quote's second (a report: its URL)")
    source = SourceRefSerializer()
    url = PageUrl()
    api_url = ApiUrl("quote-detail", lookup="pk")

    class Meta:
        model = Quote
        fields = [
            "id", "text", "start_second", "timestamp", "time_status", "time_note", "youtube_url", "source", "url",
            "api_url",
        ]


class ClaimSerializer(serializers.Serializer):
    """A claim of a case (its summary, a challenge met, a success factor shown) with its evidence."""

    claim = serializers.CharField(source="slug", help_text="summary, challenge:SLUG or success-factor:SLUG")
    label = serializers.CharField()
    note = serializers.CharField()
    evidenced = serializers.BooleanField()
    no_evidence_reason = serializers.CharField(source="reason")
    quotes = EvidenceSerializer(source="evidence", many=True)


class CaseDetailSerializer(CaseSerializer):
    """A case with everything its page shows: links, organisations and roles, claims and quotes."""

    body = serializers.CharField(help_text="Markdown source (render it with a sanitising renderer)")
    countries = CountryRefSerializer(source="country_list", many=True)
    themes = TermRefSerializer(source="theme_list", many=True)
    approaches = TermRefSerializer(source="approach_list", many=True)
    organisations = ParticipationSerializer(source="participation_list", many=True)
    parent = serializers.SerializerMethodField()
    children = CaseRefSerializer(source="published_children", many=True)
    claims = ClaimSerializer(many=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "body", "website", "approaches", "organisations", "parent", "children",
            "claims",
        ]

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_parent(self, case):
        parent = case.parent
        if parent is None or not parent.is_published:
            return None
        return CaseRefSerializer(parent, context=self.context).data
