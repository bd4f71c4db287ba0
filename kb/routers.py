"""Database routers: the search index's tables stay out of dumpdata and loaddata."""


class SearchIndexRouter:
    """The search index's unmanaged models (cases/models/search.py) are no data of their own: triggers
    derive every row from the library, and each names a table of one database only (the other has
    none), so `dumpdata` would fail on SQLite and `loaddata` would write over what the triggers keep.
    Saying "not here" for them keeps them out of both; it changes nothing else (migrations never
    create their tables: Django manages none of them)."""

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        from cases.models.search import INDEX_MODELS

        model = hints.get("model")
        if model is not None and model in INDEX_MODELS:
            return False
        return None
