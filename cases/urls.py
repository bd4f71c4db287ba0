"""Public URLs of the library (design.md's URL map)."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import views
from .browse import feeds
from .browse.sitemaps import SITEMAPS
from .views import citations, compare, data, indexes, matrix, search, submit
from .views.case_browser import searches
from .views.limits import rate_limited

app_name = "cases"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases.csv", views.export_csv, name="case-export-csv"),
    path("cases.json", views.export_json, name="case-export-json"),
    path("cases/<slug:slug>/cite.bib", citations.case_bibtex, name="case-cite-bib"),
    path("cases/<slug:slug>/cite.ris", citations.case_ris, name="case-cite-ris"),
    path("cases/<slug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("challenges/", views.ChallengeListView.as_view(), name="challenge-list"),
    path("challenges/<slug:slug>/", views.ChallengeDetailView.as_view(), name="challenge-detail"),
    path("challenges/<slug:key>/feed.atom", feeds.ChallengeCasesFeed(), name="challenge-feed"),
    path("success-factors/", views.SuccessFactorListView.as_view(), name="success-factor-list"),
    path("success-factors/<slug:slug>/", views.SuccessFactorDetailView.as_view(), name="success-factor-detail"),
    path("success-factors/<slug:key>/feed.atom", feeds.SuccessFactorCasesFeed(), name="success-factor-feed"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("countries/<str:key>/feed.atom", feeds.CountryCasesFeed(), name="country-feed"),
    path("themes/", indexes.ThemeListView.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("themes/<slug:key>/feed.atom", feeds.ThemeCasesFeed(), name="theme-feed"),
    path("approaches/", indexes.ApproachListView.as_view(), name="approach-list"),
    path("approaches/<slug:slug>/", views.ApproachDetailView.as_view(), name="approach-detail"),
    path("approaches/<slug:key>/feed.atom", feeds.ApproachCasesFeed(), name="approach-feed"),
    path("organisations/", indexes.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<str:key>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("documents/", indexes.DocumentListView.as_view(), name="document-list"),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("topics/", indexes.TopicListView.as_view(), name="topic-list"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("quotes/", views.QuoteListView.as_view(), name="quote-list"),
    path("quotes.csv", views.quotes_csv, name="quote-export-csv"),
    path("quotes.json", views.quotes_json, name="quote-export-json"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("about/", indexes.AboutView.as_view(), name="about"),
    path("search/", search.search_view, name="search"),
    path("submit/", submit.submit_view, name="submit"),
    path("submit/received/", submit.submit_received_view, name="submit-received"),
    path("matrix/", matrix.matrix_view, name="matrix"),
    path("matrix.csv", matrix.matrix_csv, name="matrix-csv"),
    path("compare/", compare.compare_view, name="compare"),
    # A text query runs the full-text search, as on the case browser: it counts as a search.
    path("feeds/cases.atom", rate_limited("search", when=searches)(feeds.NewCasesFeed()), name="case-feed"),
    path("data/", data.data_page, name="data"),
    path("data/files/<str:name>", data.data_file, name="data-file"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "cases:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
]
