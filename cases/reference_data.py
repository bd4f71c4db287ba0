"""The reference rows the data migrations load (the ISO countries, the editorial groups and their
permissions, the library version's row), loaded again when `manage.py flush` emptied them.

A flush empties every table, these included, and a library without countries cannot hold a case,
an organisation or the seed fixtures (`load_seed` after a flush failed on a foreign key). Django
sends post_migrate after a flush as after a migration, without a migration plan: that is when
:func:`reload_after_flush` puts them back.
"""

from importlib import import_module

from django.apps import apps

# What the data migrations load, as (migration module, function); each is idempotent.
MIGRATION_DATA = [
    ("cases.migrations.0002_countries", "load_countries"),
    ("cases.migrations.0005_editorial_groups", "create_groups"),
    ("cases.migrations.0008_publishers_import_documents", "grant"),
    ("cases.migrations.0021_case_stories", "grant_permissions"),
]
EDITORIAL_GROUPS = 2  # Editors and Publishers (migration 0005)


def load_reference_data():
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
        # Migration 0018's row of the library version: reading it creates it when missing.
        from .library_version import current

        current()
    finally:
        for config in apps.get_app_configs():
            config.models_module = saved[config.label]


def reload_after_flush(sender, using, **kwargs):
    """post_migrate receiver: after a flush (no migration `plan`), the reference rows back if gone.

    After `migrate` the migrations themselves loaded them (and a migration back to an early state
    must not get rows its tables may not have yet), so only a signal without a plan reloads.
    """
    if "plan" in kwargs:
        return
    from django.contrib.auth.models import Group

    from .models import Country

    if Country.objects.using(using).exists() and Group.objects.using(using).count() >= EDITORIAL_GROUPS:
        return
    # The search index follows the flush by itself: its triggers (TRUNCATE ones on PostgreSQL).
    load_reference_data()
