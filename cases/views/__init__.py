"""Public views, one module per concern: browsing cases and taxonomy, and the evidence behind them."""

from .case_browser import CaseListView, export_csv, export_json  # noqa: F401
from .case_page import CaseDetailView  # noqa: F401
from .countries import CountryDetailView, CountryListView  # noqa: F401
from .evidence import DocumentDetailView, SourceDetailView, SourceListView, TopicDetailView  # noqa: F401
from .home import HomeView  # noqa: F401
from .quotes import QuoteDetailView, QuoteListView, quotes_csv, quotes_json  # noqa: F401
from .terms import (  # noqa: F401
    ApproachDetailView,
    ChallengeDetailView,
    ChallengeListView,
    OrganisationDetailView,
    SuccessFactorDetailView,
    SuccessFactorListView,
    ThemeDetailView,
)
