"""Public views, one module per concern: browsing cases and taxonomy, and the evidence behind them."""

from .browse import (  # noqa: F401
    ApproachDetailView,
    CaseDetailView,
    ChallengeDetailView,
    ChallengeListView,
    CountryDetailView,
    CountryListView,
    HomeView,
    OrganisationDetailView,
    SuccessFactorDetailView,
    SuccessFactorListView,
    ThemeDetailView,
)
from .case_browser import CaseListView, export_csv, export_json  # noqa: F401
from .evidence import DocumentDetailView, SourceDetailView, SourceListView, TopicDetailView  # noqa: F401
from .quotes import QuoteDetailView, QuoteListView, quotes_csv, quotes_json  # noqa: F401
