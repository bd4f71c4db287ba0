"""Cases in the API: the list's shape, and the detail with its story, claims and evidence."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Case, SupportingLink

from .evidence import EvidenceSerializer
from .fields import ApiUrl, PageUrl, absolute_url, iso_datetime
from .refs import ApproachRefSerializer, CaseRefSerializer, OrganisationRefSerializer, ThemeRefSerializer
from .terms import CountryRefSerializer


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
