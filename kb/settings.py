"""Settings of the case library: one module, configured by environment variables.

Development defaults are safe: DEBUG is off unless asked for, and a development
secret key exists only while DEBUG is on. Production fails fast when a required
variable is missing.
"""

import os
import re
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kb.build import code_fingerprint

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",  # the read-only API (api/)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API documentation page's assets, served by us (the CSP holds)
    "corsheaders",
    "csp",
    "axes",
    "simple_history",  # change history of cases, their links and quotes (cases/tracking.py)
    "kb",  # project infrastructure: the migration that creates the cache table
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before CommonMiddleware; the API's paths only (CORS_URLS_REGEX)
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kb.middleware.RefuseUnstorableCharactersMiddleware",  # NUL in a path or parameter: 400, not 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # records who made each change
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into a 429 page
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# DATABASE_URL selects the database; the default is the embedded SQLite file.
_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
except Exception as error:  # dj-database-url raises several types for a bad URL
    sys.exit(f"DATABASE_URL is not a usable database URL ({error}).")
if not _database.get("ENGINE"):
    sys.exit("DATABASE_URL names no database engine.")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Bytes of the database file that reads may map into memory (PRAGMA mmap_size); 0: none. Read
    # here, like SQLITE_TIMEOUT, so a stray value never stops a PostgreSQL site.
    _mmap_size = env_int("SQLITE_MMAP_SIZE", 256 * 1024 * 1024)
    if _mmap_size < 0:
        raise ImproperlyConfigured(f"SQLITE_MMAP_SIZE must be 0 or more bytes, not {_mmap_size}.")
    # Writers queue instead of failing with "database is locked": a transaction takes the write
    # lock when it begins (IMMEDIATE; a deferred one that later writes fails at once, whatever the
    # timeout), waits up to SQLITE_TIMEOUT seconds for it, and readers never block the writer (WAL).
    _database.setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            # mmap_size: reads map the file instead of copying its pages through read() into a
            # page cache that starts cold with every request's connection (the CSV export of a
            # country's 1,190 cases: about 7% less CPU; docs/performance.md). Writes still go
            # through the write-ahead log. SQLite caps it at its own maximum (2 GB on Linux).
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size={_mmap_size}",
        }
    )
    # A connection a request: kept ones (CONN_MAX_AGE) would spare each request about 5 ms of CPU
    # (a new connection parses the schema's ~200 triggers and indexes before its first query), but
    # they keep the write-ahead log (-wal, -shm) of the file open, and a backup copied or moved over
    # the file while the site serves then meets that log at its next opening: "database disk image
    # is malformed" (found by QA). Closed after each request, the log is checkpointed and removed.
    # restore_library (kb/backups.py) is safe either way: it writes through SQLite's backup API.
    _database["CONN_MAX_AGE"] = 0
elif _database["ENGINE"].startswith("django.db.backends.postgresql"):
    # A database that accepts connections but never answers must not hang workers: give up
    # connecting after DATABASE_CONNECT_TIMEOUT seconds and cancel any statement running longer
    # than DATABASE_STATEMENT_TIMEOUT milliseconds (0: no limit).
    _options = _database.setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2))
    _statement_timeout = env_int("DATABASE_STATEMENT_TIMEOUT", 30_000)
    if _statement_timeout:
        _options["options"] = f"{_options.get('options', '')} -c statement_timeout={_statement_timeout}".strip()
    # No JIT compilation: it starts on a plan's estimated cost, not its run time, and the case
    # export's aggregate query (cost ~60,000 a chunk of 500 at 10,000 cases, growing with the
    # link tables) spent 1-5 s compiling for a query that runs in 0.1 s. None of our queries
    # runs long enough for compiled expressions to pay back.
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASES = {"default": _database}
# The search index's tables (cases/models/search.py) are derived: no dumpdata, no loaddata.
DATABASE_ROUTERS = ["kb.routers.SearchIndexRouter"]
# /healthz answers 503 when the database has not answered SELECT 1 within this many seconds.
HEALTHZ_TIMEOUT = env_int("HEALTHZ_TIMEOUT_MS", 1000) / 1000

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour, opted into now

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Where the site is served from, whatever a request says: Django takes the script prefix of every
# URL it writes (links, the cached pages and exports) from the request's SCRIPT_NAME, which gunicorn
# takes from a header sent by the addresses it trusts. The root by default; a path such as /library
# to serve under it.
FORCE_SCRIPT_NAME = os.environ.get("FORCE_SCRIPT_NAME", "").strip().rstrip("/")
# Segments of RFC 3986's unreserved characters only: '//x' would name a host, '?', '#', '%' or a
# blank would be written one way in links and another in static URLs (found by QA).
if FORCE_SCRIPT_NAME and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", FORCE_SCRIPT_NAME):
    raise ImproperlyConfigured(
        "FORCE_SCRIPT_NAME is a path from the site's root of letters, digits and . _ ~ - "
        f"between slashes, such as /library, not {FORCE_SCRIPT_NAME!r}."
    )
# Under it, from the setting: a relative STATIC_URL would take the prefix of whatever set one first
# (the WSGI application reads it before any request, under the root; found by QA).
STATIC_URL = f"{FORCE_SCRIPT_NAME}/static/"
# Each app server collects its own copy (`make serve` does): derived from the code, not state.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root (favicon.ico), by WhiteNoise like the static files.
WHITENOISE_ROOT = BASE_DIR / "webroot"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# Caches live in the database by default, so every app server sees the same cache and keeps no
# state on its own disk. `migrate` creates the table (kb/migrations/0003) whatever CACHE_BACKEND
# says then, so a database migrated with the cache off can be served with it on.
# CACHE_BACKEND: "database" (default), "locmem" (one process only: development) or "dummy" (off).
CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "database").strip().lower() or "database"
DATABASE_CACHE_TABLE = "kb_cache"
_CACHE_BACKENDS = {
    # Django's, except that on SQLite a cache write waits at most CACHE_LOCK_WAIT_MS for the write
    # lock (an import holds it for its whole run), then gives up: the page is served uncached.
    "database": {"BACKEND": "kb.cache.DatabaseCache", "LOCATION": DATABASE_CACHE_TABLE},
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
if CACHE_BACKEND not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be one of {', '.join(_CACHE_BACKENDS)}, not {CACHE_BACKEND!r}.")
CACHES = {
    "default": {
        **_CACHE_BACKENDS[CACHE_BACKEND],
        "TIMEOUT": env_int("CACHE_TIMEOUT", 300),
        # Django's default (300 entries) holds a few dozen pages: the cache keeps rendered pages
        # of a library of thousands of cases (kb/cache.py), 50-250 kB each, so 2,000 entries
        # take up to a few hundred MB of the database. Past the limit a third is culled.
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 2000)},
        # Entries of other code (before a deploy) are never read: kb/build.py.
        "KEY_PREFIX": code_fingerprint(BASE_DIR),
    }
}
CACHE_LOCK_WAIT_MS = env_int("CACHE_LOCK_WAIT_MS", 250)
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Rate limits per client address (cases/views/limits.py, in django-ratelimit's windows), counted in
# the database (kb_rate_count, one atomic statement a request) so all app servers agree: "N/s",
# "N/m", "N/h" or "N/d"; an empty value lifts a limit. The slots of CONCURRENCY_LIMITS live in the
# cache above.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # a cache that cannot count does not take the pages down
RATE_LIMITS = {
    "export": os.environ.get(
        "RATE_LIMIT_EXPORT", "10/m"
    ).strip(),  # /cases.csv, /cases.json, /quotes.csv, /quotes.json, /matrix.csv
    "search": os.environ.get("RATE_LIMIT_SEARCH", "60/m").strip(),  # /search/ and the case browser with a q
    "compare": os.environ.get("RATE_LIMIT_COMPARE", "60/m").strip(),  # /compare/
    "submit": os.environ.get("RATE_LIMIT_SUBMIT", "5/h").strip(),  # posting /submit/
    "api": os.environ.get("RATE_LIMIT_API", "120/m").strip(),  # /api/v1/ (api.throttling)
}
# Requests of one address in flight at once per group (0 lifts the cap): a few parallel loops of
# slow exports would otherwise hold every worker while staying under the rate above.
CONCURRENCY_LIMITS = {"export": env_int("CONCURRENT_EXPORTS", 1)}
BUSY_SLOT_SECONDS = env_int("BUSY_SLOT_SECONDS", 120)  # a slot outlives a crashed worker this long at most


def email_settings(url):
    """Django's e-mail settings from an EMAIL_URL: `smtp://user:password@host:port` (STARTTLS with
    `smtp+tls://`, TLS from the start with `smtps://`), `console://`, `locmem://` or `dummy://`.
    Exits with a message for any other scheme."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    simple = {"console": "console", "locmem": "locmem", "dummy": "dummy"}
    if parts.scheme in simple:
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{simple[parts.scheme]}.EmailBackend"}
    if parts.scheme not in ("smtp", "smtp+tls", "smtps"):
        sys.exit(f"EMAIL_URL: unknown scheme {parts.scheme!r} (smtp, smtp+tls, smtps, console, locmem, dummy).")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587 if parts.scheme == "smtp+tls" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


# E-mail (curators contacting the submitters of /submit/): EMAIL_URL, else EMAIL_BACKEND (a dotted
# path); in development the console backend prints messages instead of sending them. The test
# runner replaces the backend with locmem.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
if os.environ.get("EMAIL_URL", "").strip():
    globals().update(email_settings(os.environ["EMAIL_URL"].strip()))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "case-library@localhost").strip()
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The read-only API (api/, issue 19): JSON only, anonymous, cursor-paginated, throttled per
# address by the limits above, documented by an OpenAPI 3 schema.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AddressRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cross-border case library API",
    "DESCRIPTION": (
        "Read-only JSON API of the published library: cases, quotes, sources, documents, topics and the "
        "taxonomy. Lists are cursor-paginated (`cursor`, `page_size` up to 200); answers carry ETag and "
        "Last-Modified; requests are limited per address (429 with Retry-After)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
}

# CORS (django-cors-headers): any origin may read the API; nothing else of the site is shared,
# and only safe methods are allowed.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Whole-library downloads (`manage.py export_library`, served at /data/files/ by cases.views.data).
OPEN_DATA_DIR = Path(os.environ.get("OPEN_DATA_DIR") or BASE_DIR / "media" / "data")

# Security headers that hold whatever the transport: no framing, no MIME sniffing, no referrer
# to other sites, a browsing context of our own.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# PROXY_COUNT: how many reverse proxies of ours stand in front of the app. With one or more, the
# proxy's X-Forwarded-Proto says whether the client used HTTPS and X-Forwarded-For who the client
# is (kb.security.client_ip_address). Never set it when clients can reach gunicorn directly.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS=1: the site is only served over HTTPS (TLS ends at the proxy). Redirect plain HTTP, mark
# cookies secure, and send HSTS. /healthz stays reachable over plain HTTP for load balancers.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "kb.views.csrf_failure"  # the site's own page: Django's has inline CSS the CSP blocks

# Content Security Policy (django-csp 4): our own origin only, no inline script or style, no
# framing, forms post only to us. Pages and the admin work within it (tests/test_security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # One exception, by hash: django-simple-history's history page has style="border-top: 0".
        "style-src": ["'self'", "'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Where `manage.py backup_library` (`make backup`) writes by default.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or BASE_DIR / "backups")

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES; after
# AXES_ADDRESS_FAILURE_LIMIT failed logins over any usernames from one address (password
# spraying), that address is (kb.security.LoginThrottleHandler). Attempts live in the database.
AUTHENTICATION_BACKENDS = [
    "kb.security.LoginThrottleBackend",  # an AxesStandaloneBackend: must come first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)  # 0: no limit per address
AXES_HANDLER = "kb.security.LoginThrottleHandler"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "kb.security.client_ip_address"
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
