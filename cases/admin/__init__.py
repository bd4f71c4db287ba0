"""The curators' admin, one module per concern; importing them registers every model."""
from . import case, case_links, documents, quotes, review, taxonomy  # noqa: F401
