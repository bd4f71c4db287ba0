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
    SupportingLink,
    Theme,
    Topic,
)

# Values that every URL pattern of their kind accepts; a URL holds its value last, so the last
# occurrence of the placeholder is the one filled in.
PLACEHOLDERS = {"pk": 987654321987654321, "code": "zz"}
SLUG_PLACEHOLDER = "0-placeholder-0"


def absolute_url(request, name, kwarg, value):
    """The absolute URL of `name` (a URL name) with `kwarg=value`: reversed once per request and
    name, then filled in (reverse() per object was a third of a 50-case page's time)."""
    templates = request.__dict__.setdefault("_api_url_templates", {})
    template = templates.get((name, kwarg))
    if template is None:
        placeholder = PLACEHOLDERS.get(kwarg, SLUG_PLACEHOLDER)
        url = request.build_absolute_uri(reverse(name, kwargs={kwarg: placeholder}))
        template = templates[(name, kwarg)] = url.rpartition(str(placeholder))[::2]
    head, tail = template
    return f"{head}{value}{tail}"


_DATETIME = serializers.DateTimeField()


def iso_datetime(value):
    """A datetime as DRF's DateTimeField writes it (ISO 8601, UTC as Z), None as None."""
    return None if value is None else _DATETIME.to_representation(value)


class LinkField(serializers.Field):
    """The absolute URL of a page of the object: URL name `name`, its `kwarg` taken from the
    object's `attribute` (country codes in lower case, as the site's URLs have them)."""

    def __init__(self, name, kwarg="slug", attribute=None, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.name, self.kwarg, self.attribute = name, kwarg, attribute or kwarg

    def to_representation(self, obj):
        value = getattr(obj, self.attribute)
        if self.attribute == "code":
            value = value.lower()
        return absolute_url(self.context["request"], self.name, self.kwarg, value)


extend_schema_field(OpenApiTypes.URI)(LinkField)


def PageUrl(name, kwarg="slug", attribute=None):  # noqa: N802 (reads as a field class)
    """The absolute URL of the object's public page (the site's URL name `cases:<name>`)."""
    return LinkField(f"cases:{name}", kwarg, attribute)


def ApiUrl(name, lookup="slug"):  # noqa: N802
    """The absolute URL of the object in the API (`api:<name>`, looked up by `lookup`)."""
    return LinkField(f"api:{name}", "pk" if lookup == "pk" else lookup, lookup)


class CountrySerializer(serializers.ModelSerializer):
    code = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2, lower case as in the site's URLs")
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl("country-detail", "code")
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
    url = PageUrl("theme-detail")
    api_url = ApiUrl("theme-detail")

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", "published_case_count", "url", "api_url"]


class ApproachSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl("approach-detail")
    api_url = ApiUrl("approach-detail")

    class Meta:
        model = Approach
        fields = ["id", "slug", "name", "family", "description", "published_case_count", "url", "api_url"]


class ChallengeSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl("challenge-detail")
    api_url = ApiUrl("challenge-detail")

    class Meta:
        model = Challenge
        fields = ["id", "slug", "name", "description", "order", "published_case_count", "url", "api_url"]


class SuccessFactorSerializer(serializers.ModelSerializer):
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl("success-factor-detail")
    api_url = ApiUrl("success-factor-detail")

    class Meta:
        model = SuccessFactor
        fields = ["id", "slug", "name", "kind", "description", "order", "published_case_count", "url", "api_url"]


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.SerializerMethodField()
    published_case_count = serializers.IntegerField(read_only=True)
    url = PageUrl("organisation-detail")
    api_url = ApiUrl("organisation-detail")

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "country", "website", "published_case_count", "url", "api_url"]

    def get_country(self, organisation) -> str | None:
        return organisation.country_id.lower() if organisation.country_id else None


class TermRefSerializer(serializers.Serializer):
    """A taxonomy term as another object names it (subclasses say whose page `url` is)."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class ThemeRefSerializer(TermRefSerializer):
    url = PageUrl("theme-detail")


class ApproachRefSerializer(TermRefSerializer):
    url = PageUrl("approach-detail")


class OrganisationRefSerializer(TermRefSerializer):
    url = PageUrl("organisation-detail")


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


class SourceRefSerializer(serializers.ModelSerializer):
    url = PageUrl("source-detail", "key", "slug")

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "url"]


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


class CaseRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = PageUrl("case-detail")


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
    url = PageUrl("quote-detail", "pk")
    api_url = ApiUrl("quote-detail", lookup="pk")

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


class CaseSerializer(serializers.ModelSerializer):
    """A case as the list shows it."""

    years = serializers.CharField(help_text="As the case page shows them: 2019–2022, 2020–, 2021")
    countries = CountryRefSerializer(source="country_list", many=True)
    themes = ThemeRefSerializer(source="theme_list", many=True)
    url = PageUrl("case-detail")
    api_url = ApiUrl("case-detail")

    class Meta:
        model = Case
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "stage",
            "start_year",
            "end_year",
            "years",
            "published_at",
            "updated_at",
            "countries",
            "themes",
            "url",
            "api_url",
        ]

    def to_representation(self, case):
        """The fields above, built directly: the same JSON as DRF's field-by-field walk (a test
        compares them), in a fifth of the time for a page of 50 cases. Subclasses take the walk."""
        if type(self) is not CaseSerializer:
            return super().to_representation(case)
        request = self.context["request"]
        return {
            "id": case.pk,
            "slug": case.slug,
            "title": case.title,
            "summary": case.summary,
            "stage": case.stage,
            "start_year": case.start_year,
            "end_year": case.end_year,
            "years": case.years,
            "published_at": iso_datetime(case.published_at),
            "updated_at": iso_datetime(case.updated_at),
            "countries": [
                {
                    "code": country.code.lower(),
                    "name": country.name,
                    "url": absolute_url(request, "cases:country-detail", "code", country.code.lower()),
                }
                for country in case.country_list
            ],
            "themes": [
                {
                    "id": theme.pk,
                    "slug": theme.slug,
                    "name": theme.name,
                    "url": absolute_url(request, "cases:theme-detail", "slug", theme.slug),
                }
                for theme in case.theme_list
            ],
            "url": absolute_url(request, "cases:case-detail", "slug", case.slug),
            "api_url": absolute_url(request, "api:case-detail", "slug", case.slug),
        }


class ParticipationSerializer(serializers.Serializer):
    role = serializers.CharField()
    organisation = OrganisationRefSerializer()


class EvidenceSerializer(serializers.ModelSerializer):
    """A quote as a claim lists it (its links to other terms are in /api/v1/quotes/<id>/)."""

    timestamp = serializers.CharField(help_text="HH:MM:SS of start_second")
    time_note = serializers.CharField(help_text="The time status in words ('' when exact)")
    youtube_url = serializers.URLField(help_text="The video at the quote's second (a report: its URL)")
    source = SourceRefSerializer()
    url = PageUrl("quote-detail", "pk")
    api_url = ApiUrl("quote-detail", lookup="pk")

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


class ClaimSerializer(serializers.Serializer):
    """A claim of a case (its summary, a challenge met, a success factor shown) with its evidence."""

    claim = serializers.CharField(source="slug", help_text="summary, challenge:SLUG or success-factor:SLUG")
    label = serializers.CharField()
    note = serializers.CharField()
    evidenced = serializers.BooleanField()
    no_evidence_reason = serializers.SerializerMethodField(
        help_text="The curator's reason the claim has no evidence yet ('' once it has some, as on the case page)"
    )
    quotes = EvidenceSerializer(source="evidence", many=True)

    def get_no_evidence_reason(self, claim) -> str:
        return "" if claim.evidenced else claim.reason


class StorySectionSerializer(serializers.Serializer):
    """A section of the case story that has text, in the case page's order."""

    section = serializers.CharField(
        help_text="problem, innovation, stakeholders, results, failures, conditions, replication or lessons"
    )
    heading = serializers.CharField(help_text="The section's heading on the case page")
    text = serializers.CharField(help_text="Markdown source (render it with a sanitising renderer)")
    claim = serializers.CharField(help_text="story:SECTION, the claim in `claims` holding the section's evidence")


class SupportingLinkSerializer(serializers.ModelSerializer):
    """A document about the case elsewhere on the web (the case page's "Further reading")."""

    class Meta:
        model = SupportingLink
        fields = ["title", "url", "kind"]


class CaseDetailSerializer(CaseSerializer):
    """A case with everything its page shows: links, organisations and roles, its story, claims and quotes."""

    body = serializers.CharField(help_text="Markdown source (render it with a sanitising renderer)")
    approaches = ApproachRefSerializer(source="approach_list", many=True)
    organisations = ParticipationSerializer(source="participation_list", many=True)
    parent = serializers.SerializerMethodField()
    children = CaseRefSerializer(source="published_children", many=True)
    claims = ClaimSerializer(many=True)
    story = serializers.SerializerMethodField(help_text="The story sections with text, in the page's order")
    supporting_links = SupportingLinkSerializer(source="supporting_link_list", many=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "level_of_government",
            "story",
            "results_evidence",
            "body",
            "website",
            "contact_email",
            "supporting_links",
            "approaches",
            "organisations",
            "parent",
            "children",
            "claims",
        ]

    @extend_schema_field(StorySectionSerializer(many=True))
    def get_story(self, case):
        return [
            {"section": section.value, "heading": section.label, "text": text, "claim": f"story:{section.value}"}
            for section, text in case.story
        ]

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_parent(self, case):
        parent = case.parent
        if parent is None or not parent.is_published:
            return None
        return CaseRefSerializer(parent, context=self.context).data
