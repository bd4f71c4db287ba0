"""Shared test setup: plain static storage (no manifest needed), a fast password hasher, the seed library.

(A transactional test ends with a flush; the app itself loads the countries and groups again after
it: cases.reference_data.)"""

import pytest
from django.core.management import call_command
from django.db import transaction


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
