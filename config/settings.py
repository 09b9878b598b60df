"""Briefings settings: one file, read from the environment once.

Insecure defaults exist only when DJANGO_DEBUG is on; production values that are missing raise
ImproperlyConfigured so a misconfigured server refuses to start instead of running unsafely.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for a local development run."
        )
    SECRET_KEY = "django-insecure-local-development-key-not-for-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "ninja",
    "briefings",
]

MIDDLEWARE = [
    # Outermost, so the logged duration and status cover every other layer (redirects included).
    "briefings.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry the policy too.
    "briefings.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Kept public pages for readers without a session, before the layers below (see its doc).
    "briefings.middleware.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # HEAD on the API answered like GET (django-ninja routes only the methods named).
    "briefings.middleware.ApiHeadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "briefings.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Each worker keeps its connection between requests: opening one costs more than the
        # one query a cached page makes (on SQLite too, which re-reads the schema each time).
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A kept connection is checked before a request reuses it; for PostgreSQL that is one
        # more round trip per request (none where the first statement is a compiled lookup,
        # briefings.prepared, which stands for the check), which operators may trade for one
        # failed request after the database restarts (Django then drops the broken connection).
        conn_health_checks=env_bool("DJANGO_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one SQLite file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query to machine code, or starts worker processes for it, when its
    # estimated cost is high, as a filter over a large archive's estimate is though it stops
    # after a page: 40-60 ms of compiling, or of starting workers on a busy server, for a query
    # that runs in a few. The site's queries are all short, and many run at once.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c max_parallel_workers_per_gather=0"
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "briefings",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "briefings",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SITE_NAME = os.environ.get("BRIEFINGS_SITE_NAME", "Briefings")
SITE_URL = os.environ.get("BRIEFINGS_SITE_URL", "").rstrip("/")

# TLS ends at the load balancer; it tells us the original scheme in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(60 * 60 * 8)))
SESSION_SAVE_EVERY_REQUEST = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Load balancers probe app servers over plain HTTP; a redirect would read as "unhealthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Django 5.2 has no CSP setting of its own; briefings.middleware sends this on every response.
# No 'unsafe-inline': the pages, the admin and the API docs load scripts and styles from files.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Failed logins are slowed, then locked out (briefings.auth); counts live in the shared cache.
AUTHENTICATION_BACKENDS = ["briefings.auth.ThrottledModelBackend"]
LOGIN_THROTTLE = {
    "username": {"slow_after": 3, "lock_after": 10, "lockout": 15 * 60},
    "address": {"slow_after": 10, "lock_after": 30, "lockout": 15 * 60},
}
# How many proxies (load balancers) append to X-Forwarded-For in front of the app: the client's
# address for login throttling is read that many entries from the end. 0: use REMOTE_ADDR.
BRIEFINGS_PROXY_COUNT = int(os.environ.get("BRIEFINGS_PROXY_COUNT", "0"))

# The API's anonymous read limit per client address ("120/min", "5000/hour"), and how long shared
# caches may keep its public responses. The throttle finds the client like the login throttle.
BRIEFINGS_API_ANON_RATE = os.environ.get("BRIEFINGS_API_ANON_RATE", "120/min")
BRIEFINGS_API_MAX_AGE = int(os.environ.get("BRIEFINGS_API_MAX_AGE", "60"))
# On PostgreSQL each worker listens for the database's announcements of changes and keeps the
# render cache's lookups until one comes (briefings.changes). Turn off behind a pooler in
# transaction mode, where LISTEN cannot work; every lookup then asks the database.
BRIEFINGS_CHANGE_NOTIFICATIONS = env_bool("BRIEFINGS_CHANGE_NOTIFICATIONS", True)
# On PostgreSQL the hottest queries (briefings.prepared) are prepared on the server once per
# connection. Turn off behind a pooler in transaction mode, which hands each transaction
# whichever server connection is free.
BRIEFINGS_PREPARED_STATEMENTS = env_bool("BRIEFINGS_PREPARED_STATEMENTS", True)
NINJA_NUM_PROXIES = BRIEFINGS_PROXY_COUNT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers (console in debug only, mail to ADMINS): errors
        # and their tracebacks go to stdout once, debug or not.
        "django": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
