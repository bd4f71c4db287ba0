"""URLs of the API under /api/v1/ (namespace `api`): resources, the OpenAPI schema, its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("cases", views.CaseViewSet, basename="case")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("sources", views.SourceViewSet, basename="source")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("countries", views.CountryViewSet, basename="country")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("approaches", views.ApproachViewSet, basename="approach")
router.register("challenges", views.ChallengeViewSet, basename="challenge")
router.register("success-factors", views.SuccessFactorViewSet, basename="success-factor")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script from ?script (no inline script: the CSP holds);
    # our template has no inline style either.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
