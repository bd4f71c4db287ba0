"""Shared test setup: plain static storage (no manifest needed), a fast password hasher, the seed library."""
import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed(db):
    """The curated seed library of fixtures/, loaded as `make run` loads it."""
    call_command("load_seed", verbosity=0)
