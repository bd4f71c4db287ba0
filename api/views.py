"""The API's views: read-only lists and details over the public querysets the pages use.

Published content only, by the pages' rules: cases that are published; taxonomy terms a
published case links to (challenges, success factors and countries: all, with their published
case counts, as their index pages list them); every source, document, topic and quote, a
quote naming only the published cases it supports. Lists are cursor-paginated (api.pagination),
answers carry ETag and Last-Modified (api.conditional), requests are throttled per address
(api.throttling).
"""

from django.db.models import Prefetch, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from cases.browse.case_links import attach_case_links
from cases.browse.filters import SORTS, CaseFilter
from cases.browse.quote_filters import QuoteFilter
from cases.claims import page_claims
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
from cases.views.countries import with_published_case_count
from cases.views.limits import retry_after

from . import serializers
from .conditional import library_last_modified, not_modified_since, with_validators


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    """A read-only resource answering conditional GETs (ETag, Last-Modified, 304)."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # throttles first: a 304 counts like any answer
        self.last_modified = library_last_modified()

    def _unchanged(self):
        if not_modified_since(self.request, self.last_modified):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        return None

    def list(self, request, *args, **kwargs):
        return self._unchanged() or super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._unchanged() or super().retrieve(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_validators(request, response, getattr(self, "last_modified", None))


def invalid(errors):
    """The 400 of a filter form's errors: {"detail": "Invalid filter.", "errors": {field: [message, …]}}."""
    return Response({"detail": "Invalid filter.", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


CASE_FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Full-text search (counts against the search rate limit)"),
    *(
        OpenApiParameter(
            name,
            str,
            many=True,
            explode=True,
            description=f"{name} ({'ISO2 code' if name == 'country' else 'slug'}); repeat for OR",
        )
        for name in CaseFilter.REPEATABLE
    ),
    OpenApiParameter("region", str, enum=[value for value, _ in Country._meta.get_field("region").choices]),
    OpenApiParameter("family", str, enum=Approach.Family.values),
    OpenApiParameter("stage", str, enum=Case.Stage.values),
    OpenApiParameter("level", str, enum=Case.LevelOfGovernment.values, description="Level of government"),
    OpenApiParameter("year_from", int, description="Cases running in or after this year (1900–2100)"),
    OpenApiParameter("year_to", int, description="Cases running in or before this year (1900–2100)"),
    OpenApiParameter("sort", str, enum=list(SORTS), description="Default: relevance with q, else title"),
]

# What a case in the list shows (api.serializers.CaseSerializer); links are prefetched into lists:
# a to_attr list costs a third of what a prefetched `.all()` per case does.
CASE_LIST_FIELDS = (
    "pk",
    "slug",
    "title",
    "summary",
    "stage",
    "start_year",
    "end_year",
    "published_at",
    "updated_at",
)

# The cursor's order for each of the case browser's sorts: plain fields (a cursor names a position
# by them), a missing start year sorting last as in the browser.
CASE_ORDERINGS = {
    "relevance": ("-rank", "title", "slug"),
    "title": ("title", "slug"),
    "-year": ("-year_key", "title", "slug"),
    "year": ("year_key", "title", "slug"),
    "-updated": ("-updated_at", "slug"),
}


@extend_schema_view(
    list=extend_schema(
        summary="Published cases, filtered as the case browser filters them",
        parameters=CASE_FILTER_PARAMETERS,
        description="The case browser's parameters and validation: a malformed value answers 400 with the "
        "messages of the browser; a value naming nothing is ignored and said in `notices`.",
    ),
    retrieve=extend_schema(summary="A published case with its links, organisations, claims and quotes"),
)
class CaseViewSet(ReadOnly):
    serializer_class = serializers.CaseSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return Case.objects.published().for_case_page()
        return Case.objects.published()

    def get_serializer_class(self):
        return serializers.CaseDetailSerializer if self.action == "retrieve" else serializers.CaseSerializer

    def get_ordering(self):
        return CASE_ORDERINGS[self.sort_key]

    def list(self, request, *args, **kwargs):
        unchanged = self._unchanged()
        if unchanged:
            return unchanged
        filterset = CaseFilter(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            return invalid(filterset.form.errors)
        if filterset.searched:
            wait = retry_after(request, "search")  # the full-text search costs what /search/ costs
            if wait is not None:
                self.throttled(request, wait)
        self.sort_key = filterset.sort_key
        last = Value(10_000) if self.sort_key == "year" else Value(-1)
        cases = (
            filterset.qs.only(*CASE_LIST_FIELDS)
            .prefetch_related(
                Prefetch("countries", queryset=Country.objects.only("code", "name"), to_attr="country_list"),
                Prefetch("themes", queryset=Theme.objects.only("pk", "slug", "name"), to_attr="theme_list"),
            )
            .annotate(year_key=Coalesce("start_year", last))
        )
        page = self.paginate_queryset(cases)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["notices"] = filterset.notices()
        return response

    def get_object(self):
        case = attach_case_links(super().get_object())
        case.claims = page_claims(case)
        return case


@extend_schema_view(
    list=extend_schema(
        summary="Quotes, filtered as the quote browser filters them",
        parameters=[
            OpenApiParameter("q", str, description="Words the text contains (all of them)"),
            OpenApiParameter("source", str, description="Source slug"),
            OpenApiParameter("case", str, description="Published case slug"),
            OpenApiParameter("challenge", str, description="Challenge slug"),
            OpenApiParameter("success_factor", str, description="Success factor slug"),
        ],
    ),
)
class QuoteViewSet(ReadOnly):
    """Quotes in the order of their ids (a stable cursor), each with its second, time status and link."""

    serializer_class = serializers.QuoteSerializer
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    ordering = ("pk",)

    def get_queryset(self):
        return (
            Quote.objects.all()
            .for_listing()
            .select_related("document")
            .defer("document__body", "document__raw_text")
            .prefetch_related(
                Prefetch("challenges", queryset=Challenge.objects.only("pk", "slug"), to_attr="challenge_list"),
                Prefetch(
                    "success_factors", queryset=SuccessFactor.objects.only("pk", "slug"), to_attr="success_factor_list"
                ),
            )
        )

    def list(self, request, *args, **kwargs):
        unchanged = self._unchanged()
        if unchanged:
            return unchanged
        filterset = QuoteFilter(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            return invalid(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SourceViewSet(ReadOnly):
    serializer_class = serializers.SourceSerializer
    queryset = Source.objects.all()
    ordering = ("title", "pk")


class DocumentViewSet(ReadOnly):
    ordering = ("title", "pk")

    def get_queryset(self):
        documents = Document.objects.select_related("source").defer("raw_text")
        return documents if self.action == "retrieve" else documents.defer("body")

    def get_serializer_class(self):
        return serializers.DocumentDetailSerializer if self.action == "retrieve" else serializers.DocumentSerializer


class TopicViewSet(ReadOnly):
    serializer_class = serializers.TopicSerializer
    queryset = Topic.objects.all()
    ordering = ("label", "pk")


class CountryViewSet(ReadOnly):
    """Every ISO 3166-1 country with its published case count; `code` in lower case."""

    serializer_class = serializers.CountrySerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-zA-Z]{2}"
    ordering = ("name", "code")

    def get_queryset(self):
        return with_published_case_count(Country.objects.all())

    def get_object(self):
        return get_object_or_404(self.get_queryset(), code=self.kwargs["code"].upper())


class TermViewSet(ReadOnly):
    model = None
    public_only = True  # themes, approaches, organisations: only those a published case links to
    ordering = ("name", "pk")

    def get_queryset(self):
        terms = self.model.objects.public() if self.public_only else self.model.objects.all()
        return terms.with_published_case_count()


class ThemeViewSet(TermViewSet):
    model = Theme
    serializer_class = serializers.ThemeSerializer


class ApproachViewSet(TermViewSet):
    model = Approach
    serializer_class = serializers.ApproachSerializer


class OrganisationViewSet(TermViewSet):
    model = Organisation
    serializer_class = serializers.OrganisationSerializer


class ChallengeViewSet(TermViewSet):
    model = Challenge
    public_only = False
    serializer_class = serializers.ChallengeSerializer
    ordering = ("order", "name", "pk")


class SuccessFactorViewSet(TermViewSet):
    model = SuccessFactor
    public_only = False
    serializer_class = serializers.SuccessFactorSerializer
    ordering = ("kind", "order", "pk")
