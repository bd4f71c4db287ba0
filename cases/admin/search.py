"""The admin's search box: the search index's matches plus a few fields as typed, on both databases."""

from django.db.models import Q

from ..search import matching_ids

MAX_SEARCH_LENGTH = 200  # characters of the search box used; the rest is dropped


class FullTextSearchMixin:
    """A ModelAdmin's `get_search_results`: the items of `search_kind` (a name of
    cases.search.schema.KINDS) that the search index matches (words in any spelling or accent;
    only what the index holds: published cases, every quote) OR `typed_matches(term)`, which finds
    drafts and a few letters in autocompletes. Each part can use its own index. A NUL byte is
    dropped; at most MAX_SEARCH_LENGTH characters are used."""

    search_kind = None

    def typed_matches(self, search_term):
        """A Q for the fields matched as typed (subclasses name them)."""
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")[:MAX_SEARCH_LENGTH].strip()
        if not search_term:
            return super().get_search_results(request, queryset, search_term)
        matches = self.typed_matches(search_term)
        indexed = matching_ids(self.search_kind, search_term)
        if indexed is not None:
            matches |= Q(pk__in=indexed)
        return queryset.filter(matches), False
