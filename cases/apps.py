"""App configuration of the domain app."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate, pre_save


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Case library"

    def ready(self):
        from .characters import clean_text_fields

        # No text that an XML output (feed, sitemap) cannot carry is stored, whatever form saved it.
        for model in self.get_models():
            pre_save.connect(clean_text_fields, sender=model, dispatch_uid=f"xml-safe-{model._meta.label}")

        from .curation import permalinks

        permalinks.connect()

        from django.db.backends.signals import connection_created

        from .search.schema import attach_after_migrations, detach_for_migrations, register_sqlite_functions

        # The SQLite search triggers call a Python function (see cases/search/schema/sqlite.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="cases_search_sqlite_functions")
        # SQLite: the search index's views and triggers live between migration runs (see search/schema/sqlite.py).
        pre_migrate.connect(detach_for_migrations, sender=self, dispatch_uid="cases_search_detach")
        post_migrate.connect(attach_after_migrations, sender=self, dispatch_uid="cases_search_attach")

        from . import library_version

        # The triggers keeping the library version (the facet cache's key) follow every write.
        pre_migrate.connect(library_version.detach_for_migrations, sender=self, dispatch_uid="cases_version_detach")
        post_migrate.connect(library_version.attach_after_migrations, sender=self, dispatch_uid="cases_version_attach")

        from .reference_data import reload_after_flush

        # A flush empties the countries and groups the data migrations loaded: they come back.
        post_migrate.connect(reload_after_flush, sender=self, dispatch_uid="cases_reference_data")
