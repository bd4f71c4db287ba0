"""Shared test setup: plain static storage (no manifest needed), a fast password hasher, the seed library,
the data migrations' rows back after every flush."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_migrate

from tests.migration_data import load_migration_data


def reload_migration_data(sender, using, **kwargs):
    """post_migrate receiver (tests only): the countries and editorial groups back after a flush.

    A transactional test (`transaction=True`, live_server) ends with a flush of every table, and
    Django sends post_migrate after it. Without this, every test after it on the same process
    found no countries and no groups: harmless in a serial run, where pytest-django runs the
    transactional tests last, but not under pytest-xdist, where a worker runs whole files in turn.
    The permissions the groups need are back by then: Django's own receivers run first.
    """
    from django.contrib.auth.models import Group

    from cases.models import Country

    if Country.objects.using(using).exists() and Group.objects.using(using).count() >= 2:
        return  # after the migrations themselves, or nothing was flushed
    # The search index follows the flush by itself: its triggers (TRUNCATE ones on PostgreSQL).
    load_migration_data()


@pytest.fixture(scope="session", autouse=True)
def _migration_data_survives_flushes():
    post_migrate.connect(reload_migration_data, sender=apps.get_app_config("cases"), dispatch_uid="tests_reload_data")
    yield
    post_migrate.disconnect(sender=apps.get_app_config("cases"), dispatch_uid="tests_reload_data")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pinned query counts and loops over the exports measure the views, not the rate limiter's
    # cache queries; tests/test_rate_limits.py turns the limits on.
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def seed(db):
    """The curated seed library of fixtures/, loaded as `make run` loads it."""
    call_command("load_seed", verbosity=0)


@pytest.fixture(scope="module")
def seed_module(django_db_setup, django_db_blocker):
    """The seed library loaded once for a whole module of read-only tests, rolled back after it.

    Each test also takes `db`: its own transaction nests inside this one (a savepoint), so what a
    test writes is undone before the next. Loading the seed takes seconds; a module loads it once.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_seed", verbosity=0)
        yield
        transaction.set_rollback(True)
