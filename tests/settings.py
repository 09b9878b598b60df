"""Test settings: the production settings with a test key, plain HTTP and a fast hasher."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

from config import settings as base  # noqa: E402

globals().update({name: value for name, value in vars(base).items() if name.isupper()})

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The live server and the browser speak plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Thousands of API requests from one address in a run: throttling is tested with its own rate.
BRIEFINGS_API_ANON_RATE = "100000/min"
# Tests run in transactions that never commit, so the database announces nothing: lookups are
# kept only in the tests of briefings.changes, which commit and listen.
BRIEFINGS_CHANGE_NOTIFICATIONS = False

if base.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    import copy
    import tempfile

    # A file, not shared-cache memory: tests that run two connections at once then meet SQLite's
    # real locking (a writer waits for the other, as in production) instead of "table is locked".
    # One file per run, since several suites may run side by side in one checkout.
    DATABASES = copy.deepcopy(base.DATABASES)
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"briefings-test-{os.getpid()}.sqlite3")
    }
    # Durability is irrelevant for a throwaway database; skipping fsync keeps the suite fast.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF"
