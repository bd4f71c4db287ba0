"""The admin's search box on PostgreSQL: the indexed search vector plus a few fields as typed."""
from django.db import connection
from django.db.models import Q

MAX_SEARCH_LENGTH = 200  # characters of the search box used; the rest is dropped


class FullTextSearchMixin:
    """A ModelAdmin's `get_search_results` on PostgreSQL: the model's stored `search_vector`
    (websearch syntax, English configuration) OR `typed_matches(term)`, each part able to use its
    own index. Elsewhere (SQLite) Django's `search_fields`. A NUL byte is dropped; at most
    MAX_SEARCH_LENGTH characters are used."""

    def typed_matches(self, search_term):
        """A Q for the fields matched as typed (subclasses name them)."""
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")[:MAX_SEARCH_LENGTH].strip()
        if connection.vendor != "postgresql" or not search_term:
            return super().get_search_results(request, queryset, search_term)
        from django.contrib.postgres.search import SearchQuery

        words = SearchQuery(search_term, config="english", search_type="websearch")
        return queryset.filter(Q(search_vector=words) | self.typed_matches(search_term)), False
