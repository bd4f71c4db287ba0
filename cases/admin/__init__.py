"""The curators' admin, one module per concern; importing them registers every model."""

from . import case, case_links, documents, quotes, relinks, review, submissions, taxonomy  # noqa: F401
