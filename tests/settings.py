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
