"""App configuration of the domain app."""
from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Case library"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search.schema import register_sqlite_functions

        # The SQLite search triggers call a Python function (see cases/search/schema.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="cases_search_sqlite_functions")
