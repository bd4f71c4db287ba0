"""The curators' admin, one module per concern; importing them registers every model."""
from . import case, documents, quotes, relinks, review, taxonomy  # noqa: F401
