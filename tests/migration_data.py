"""The rows data migrations load (countries, editorial groups and their permissions, the library
version), loaded again for tests that run after a flush emptied them."""

from importlib import import_module

from django.apps import apps

# What data migrations load, as (migration module, function); each is idempotent.
MIGRATION_DATA = [
    ("cases.migrations.0002_countries", "load_countries"),
    ("cases.migrations.0005_editorial_groups", "create_groups"),
    ("cases.migrations.0008_publishers_import_documents", "grant"),
    ("cases.migrations.0021_case_stories", "grant_permissions"),
]


def load_migration_data():
    """Run the data migrations' functions again, on the live app registry.

    create_groups() sets `models_module` of every app config to None when it is done (it expects
    the migration's frozen registry); on the live registry that would make Django skip every app
    in the next post_migrate (emit_post_migrate_signal ignores apps without models), so the
    values are put back.
    """
    saved = {config.label: config.models_module for config in apps.get_app_configs()}
    try:
        for module, function in MIGRATION_DATA:
            getattr(import_module(module), function)(apps, None)
        # Migration 0018's row of the library version (cases.library_version): reading it creates
        # it when missing, but with two queries more than a pinned query count expects.
        from cases.library_version import current

        current()
    finally:
        for config in apps.get_app_configs():
            config.models_module = saved[config.label]
