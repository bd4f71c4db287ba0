"""The curators' admin, one module per concern; importing them registers every model."""
from . import case, documents, quotes, review, submissions, taxonomy  # noqa: F401
