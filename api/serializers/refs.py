"""The short forms of objects as other objects name them: terms, sources and cases."""

from rest_framework import serializers

from cases.models import Source

from .fields import PageUrl


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


class SourceRefSerializer(serializers.ModelSerializer):
    url = PageUrl("source-detail", "key", "slug")

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "url"]


class CaseRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = PageUrl("case-detail")
