"""The taxonomy in the API: countries, organisations, themes, approaches, challenges and success factors."""

from rest_framework import serializers

from cases.models import Approach, Challenge, Country, Organisation, SuccessFactor, Theme

from .fields import SerializerPageField

# The fields every term has after its own, in this order.
TERM_TAIL = ["published_case_count", "url", "api_url"]


class TermSerializer(serializers.ModelSerializer):
    # A taxonomy term with its count of published cases (annotated by its view) and its page on
    # the site (`url`) and in the API (`api_url`): both have the URL name `page`, looked up by
    # `lookup`. A comment, not a docstring: drf-spectacular would make a docstring the description
    # of every subclass in the OpenAPI schema.

    page = ""  # the URL name of a term's page, the same in the `cases` and `api` namespaces
    lookup = "slug"
    published_case_count = serializers.IntegerField(read_only=True)
    url = SerializerPageField("cases")
    api_url = SerializerPageField("api")


class CountrySerializer(TermSerializer):
    page, lookup = "country-detail", "code"
    code = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2, lower case as in the site's URLs")

    class Meta:
        model = Country
        fields = ["code", "name", "region", *TERM_TAIL]

    def get_code(self, country) -> str:
        return country.code.lower()


class CountryRefSerializer(CountrySerializer):
    class Meta(CountrySerializer.Meta):
        fields = ["code", "name", "url"]


class ThemeSerializer(TermSerializer):
    page = "theme-detail"

    class Meta:
        model = Theme
        fields = ["id", "slug", "name", "description", *TERM_TAIL]


class ApproachSerializer(TermSerializer):
    page = "approach-detail"

    class Meta:
        model = Approach
        fields = ["id", "slug", "name", "family", "description", *TERM_TAIL]


class ChallengeSerializer(TermSerializer):
    page = "challenge-detail"

    class Meta:
        model = Challenge
        fields = ["id", "slug", "name", "description", "order", *TERM_TAIL]


class SuccessFactorSerializer(TermSerializer):
    page = "success-factor-detail"

    class Meta:
        model = SuccessFactor
        fields = ["id", "slug", "name", "kind", "description", "order", *TERM_TAIL]


class OrganisationSerializer(TermSerializer):
    page = "organisation-detail"
    country = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "country", "website", *TERM_TAIL]

    def get_country(self, organisation) -> str | None:
        return organisation.country_id.lower() if organisation.country_id else None
