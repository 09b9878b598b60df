import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import path
from django.utils import timezone

from briefings import auth
from config import settings as production
from config.urls import urlpatterns as site_urlpatterns

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
LOGIN = "/admin/login/"


class Boom(Exception):
    pass


def explode(request):
    raise Boom("secret detail: postgres://editor:hunter2@db.internal/briefings")


# This module doubles as a URLconf (pytest.mark.urls) for the error-page test.
urlpatterns = [*site_urlpatterns, path("test-explode/", explode)]


@pytest.fixture(autouse=True)
def clear_login_counts():
    """Failure counts live in the process-wide cache; each test starts from none."""
    cache.clear()
    yield
    cache.clear()


def login(client, username, password=PASSWORD, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


# --- headers -------------------------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


SEED_PAGE = "/briefings/blinken-cairo-israeli-palestinian-violence/"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        (SEED_PAGE, 200),
        ("/api/briefings", 200),
        ("/api/briefings/blinken-cairo-israeli-palestinian-violence", 200),
        ("/api/docs", 200),
        (LOGIN, 200),
        ("/healthz", 200),
        ("/no-such-page/", 404),
    ],
)
def test_every_response_carries_the_security_headers(client, seed, url, status):
    """CSP, nosniff, Referrer-Policy and frame denial are sent on pages, the API, the admin,
    errors and probes."""
    response = client.get(url)
    assert response.status_code == status
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_policy_allows_no_inline_code_anywhere(client, db):
    """No directive allows inline scripts or styles, eval, or any other origin."""
    for values in policy(client.get(LOGIN)).values():
        for forbidden in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"):
            assert forbidden not in values


def test_hsts_is_sent_over_https_with_debug_off(client, db):
    """Behind the TLS proxy (X-Forwarded-Proto: https) browsers are told to stay on HTTPS."""
    response = client.get(LOGIN, headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_settings_protect_cookies_and_transport():
    """Production (debug off) sends cookies over HTTPS only, out of scripts' reach."""
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.CSRF_COOKIE_HTTPONLY is True
    assert production.SECURE_HSTS_SECONDS >= 31536000


def test_login_sets_secure_httponly_cookies(client, editor, settings):
    """With production cookie settings, the session and CSRF cookies are Secure and HttpOnly."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client.get(LOGIN)
    login(client, "eddie")
    for name in ("sessionid", "csrftoken"):
        cookie = client.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


# --- passwords and sessions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short-pw", "password_too_short"),
        ("password123456", "password_too_common"),
        ("83920174650129", "password_entirely_numeric"),
        ("Newsroomfield1", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(editor, password, code):
    """Short, common, all-digit and name-like passwords fail validation, each for its reason."""
    editor.last_name = "Newsroomfield"
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=editor)
    assert code in [error.code for error in refused.value.error_list]


def test_strong_password_is_accepted(editor):
    """A long passphrase passes every validator."""
    validate_password("violet-quarry-lantern-58", user=editor)


def test_logout_ends_the_session_on_the_server(client, editor):
    """After logout the old session cookie no longer opens the admin."""
    login(client, "eddie")
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/admin/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    assert not logged_in(replay)


def test_inactivity_ends_the_session_and_activity_extends_it(client, editor, settings):
    """Every request pushes expiry forward; a session idle past its age is gone."""
    login(client, "eddie")
    key = client.cookies["sessionid"].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timezone.timedelta(0, 60))
    assert logged_in(client)
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timezone.timedelta(0, 1))
    assert not logged_in(client)


# --- login throttling ----------------------------------------------------------------------


def test_a_mistyped_password_is_just_refused(client, editor):
    """One or two failures get the ordinary message and no wait."""
    for _ in range(2):
        response = login(client, "eddie", "wrong-password")
        assert "Please enter the correct username and password" in response.content.decode()
        assert "Too many failed login attempts" not in response.content.decode()
    login(client, "eddie")
    assert logged_in(client)


def test_repeated_failures_slow_down_further_attempts(client, editor, settings):
    """After three failures the next attempt must wait, even with the right password."""
    response = None
    for _ in range(3):
        response = login(client, "eddie", "wrong-password")
    assert "Wait 2 seconds before trying again" in response.content.decode()

    response = login(client, "eddie")  # the right password, too early
    assert "Wait" in response.content.decode()
    assert not logged_in(client)


def test_waits_double_with_every_failure(rf):
    """The wait grows 2, 4, 8… seconds after the third failure."""
    request = rf.post(LOGIN)
    waits = []
    for _ in range(6):
        auth.record_failure(request, "eddie")
        waits.append(auth.wait_seconds(request, "eddie"))
    assert waits[:2] == [0, 0]
    assert waits[2:] == [2, 4, 8, 16]


def test_login_succeeds_once_the_wait_is_over(client, editor, settings):
    """The wait refuses early attempts only; afterwards the right password works and resets."""
    settings.LOGIN_THROTTLE = {"username": {"slow_after": 1, "lock_after": 10, "first_wait": 1}}
    login(client, "eddie", "wrong-password")
    assert auth.wait_seconds(None, "eddie") == 1
    time.sleep(1.1)
    login(client, "eddie")
    assert logged_in(client)
    assert auth.wait_seconds(None, "eddie") == 0
    assert not auth.is_locked_out(None, "eddie")


@pytest.fixture
def quick_lockout(settings):
    """Lockout after five failures, no waits before it (so the test need not sleep)."""
    settings.LOGIN_THROTTLE = {
        "username": {"slow_after": 100, "lock_after": 5},
        "address": {"slow_after": 100, "lock_after": 8},
    }


def test_account_is_locked_out_with_a_clear_message(client, editor, quick_lockout):
    """Five failures lock the account: even the right password is refused, and the page says why."""
    for _ in range(5):
        response = login(client, "eddie", "wrong-password")
    page = response.content.decode()
    assert "Too many failed login attempts for this account or from your network." in page
    assert "Login is locked for 15 minutes." in page

    page = login(client, "eddie").content.decode()
    assert "Login is locked for 15 minutes." in page
    assert not logged_in(client)


def test_locked_account_is_locked_from_every_address(editor, quick_lockout):
    """An attacker changing address does not escape the account's lockout."""
    for n in range(5):
        login(Client(REMOTE_ADDR=f"203.0.113.{n}"), "eddie", "wrong-password")
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert "Login is locked" in login(other, "eddie").content.decode()
    assert not logged_in(other)


def test_lockout_of_one_account_leaves_others_alone(client, editor, annotator, quick_lockout):
    """Colleagues can still log in while one account is locked."""
    for _ in range(5):
        login(Client(REMOTE_ADDR="203.0.113.9"), "eddie", "wrong-password")
    login(client, "annie")
    assert logged_in(client)


def test_unknown_usernames_are_locked_like_real_ones(client, db, quick_lockout):
    """The lockout message appears for any name, so it does not reveal which accounts exist."""
    for _ in range(5):
        response = login(client, "no-such-editor", "wrong-password")
    assert "Login is locked" in response.content.decode()


def test_one_address_guessing_many_accounts_is_locked_out(editor, quick_lockout):
    """Failures spread over many usernames from one address lock that address out."""
    attacker = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(8):
        login(attacker, f"guess-{n}", "wrong-password")
    assert "Login is locked" in login(attacker, "eddie").content.decode()
    assert not logged_in(attacker)

    colleague = Client(REMOTE_ADDR="198.51.100.8")
    login(colleague, "eddie")
    assert logged_in(colleague)


def test_behind_the_proxy_the_forwarded_address_is_counted(editor, quick_lockout, settings):
    """Behind one load balancer the client is the last X-Forwarded-For entry, not the balancer;
    entries a client adds in front of it are ignored."""
    settings.BRIEFINGS_PROXY_COUNT = 1
    balancer = "10.0.0.2"
    for n in range(8):
        login(
            Client(REMOTE_ADDR=balancer),
            f"guess-{n}",
            "wrong-password",
            headers={"X-Forwarded-For": f"192.0.2.{n}, 203.0.113.50"},
        )
    attacker = Client(REMOTE_ADDR=balancer)
    response = login(attacker, "eddie", headers={"X-Forwarded-For": "203.0.113.50"})
    assert "Login is locked" in response.content.decode()

    colleague = Client(REMOTE_ADDR=balancer)
    login(colleague, "eddie", headers={"X-Forwarded-For": "198.51.100.8"})
    assert logged_in(colleague)


def test_lockouts_are_logged_for_operators(client, db, quick_lockout, caplog):
    """The moment an account is locked is logged as a warning."""
    for _ in range(5):
        login(client, "eddie", "wrong-password")
    warnings = [r for r in caplog.records if r.name == "briefings.security"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "locked out" in warnings[0].getMessage()


def test_operator_can_lift_a_lockout(client, editor, quick_lockout):
    """auth.reset(username=…) lifts an account's lockout at once."""
    for _ in range(5):
        login(Client(REMOTE_ADDR="203.0.113.9"), "eddie", "wrong-password")
    auth.reset(username="eddie")
    login(client, "eddie")
    assert logged_in(client)


# --- errors --------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_server_error_page_leaks_nothing_and_the_log_has_the_traceback(db, caplog):
    """With debug off a crash answers 500 with no traceback; the traceback goes to the log."""
    client = Client(raise_request_exception=False)
    response = client.get("/test-explode/")
    assert response.status_code == 500
    page = response.content.decode()
    for leak in ("Traceback", "Boom", "hunter2", "secret detail", "explode", ".py"):
        assert leak not in page
    errors = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert errors and "hunter2" in str(errors[0].exc_info[1])
    access = [r for r in caplog.records if r.name == "briefings.access"]
    assert access[-1].levelno == logging.ERROR and access[-1].status == 500


def test_every_request_is_logged_with_path_status_and_duration(client, db, caplog):
    """One access-log line per request, without the query string."""
    caplog.set_level(logging.INFO, logger="briefings.access")
    client.get(LOGIN + "?next=/admin/secret-search/")
    (record,) = [r for r in caplog.records if r.name == "briefings.access"]
    assert (record.method, record.path, record.status) == ("GET", LOGIN, 200)
    assert record.duration_ms >= 0
    assert "secret-search" not in record.getMessage()


def test_errors_and_access_lines_go_to_stdout_once(tmp_path):
    """Under the real logging settings a crash's traceback and the access line reach stdout
    (where the container runtime collects them), once each, and nothing reaches stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'log.sqlite3'}",
    )
    script = (
        "from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.test_security'):\n"
        "    r = Client(raise_request_exception=False).get('/test-explode/')\n"
        "print('STATUS', r.status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "STATUS 500" in result.stdout, result.stderr
    assert result.stdout.count("ERROR django.request Internal Server Error: /test-explode/") == 1
    assert result.stdout.count("Traceback (most recent call last)") == 1
    assert "Boom: secret detail" in result.stdout
    assert "ERROR briefings.access GET /test-explode/ 500" in result.stdout
    assert "Traceback" not in result.stderr
