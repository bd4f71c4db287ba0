"""The environment of a child Python process the tests start (manage.py-free, production-like)."""


def child_env(database_url):
    """Environment variables (dict) for a child process running kb.settings against
    `database_url`, as production does: DEBUG off, no cache, only critical log lines."""
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        "SECRET_KEY": "test-only-not-secret",
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "0",
        "CACHE_BACKEND": "dummy",
        "LOG_LEVEL": "CRITICAL",
        "DATABASE_URL": database_url,
    }
