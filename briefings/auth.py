"""Login protection: repeated failed logins are slowed, then locked out for a while.

Failures are counted per username and per client address in Django's cache (Redis in
production, so every app server sees the same counts). After a few failures each further attempt
must wait, the wait doubling every time; after more, the username or address is locked out. While
a wait or a lockout runs, no password is checked at all, so guessing gains nothing, and a locked
username is locked whether it exists or not, so the lockout reveals no account names.

Waits are enforced by refusing early attempts, never by sleeping: a sleeping request would hold
a gunicorn worker and let an attacker tie up the site.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

logger = logging.getLogger("briefings.security")


@dataclass(frozen=True)
class Limits:
    slow_after: int  # failures before each further attempt must wait
    lock_after: int  # failures before a lockout
    first_wait: int = 2  # seconds; doubles with every further failure
    max_wait: int = 60
    lockout: int = 15 * 60  # seconds; also how long failures are remembered


def limits() -> dict[str, Limits]:
    configured = getattr(settings, "LOGIN_THROTTLE", {})
    return {
        # One account: a person mistyping does not reach these; a password guesser does.
        "username": Limits(**configured.get("username", {"slow_after": 3, "lock_after": 10})),
        # One address: higher, because a newsroom's editors can share one office address.
        "address": Limits(**configured.get("address", {"slow_after": 10, "lock_after": 30})),
    }


def client_address(request: HttpRequest | None) -> str:
    """The client's address, seen through the configured number of trusted proxies.

    Behind a load balancer REMOTE_ADDR is the balancer's address; each trusted proxy appends the
    address it received the request from to X-Forwarded-For, so the client is the entry that
    many places from the end. Entries further left are set by the client and cannot be trusted.
    """
    if request is None:
        return ""
    proxies = getattr(settings, "BRIEFINGS_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _keys(request: HttpRequest | None, username: str | None) -> dict[str, str]:
    keys = {}
    if username:
        keys["username"] = username.strip().lower()
    address = client_address(request)
    if address:
        keys["address"] = address
    # Hashed so that cache keys are short, safe for any backend, and hold no user names.
    return {
        kind: "login:" + hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]
        for kind, value in keys.items()
    }


def wait_seconds(request: HttpRequest | None, username: str | None) -> int:
    """Seconds before the next login attempt for this username and address is allowed."""
    now = time.time()
    until = cache.get_many([f"{key}:until" for key in _keys(request, username).values()])
    return max((math.ceil(value - now) for value in until.values() if value > now), default=0)


def is_locked_out(request: HttpRequest | None, username: str | None) -> bool:
    """True when a lockout (not merely a wait) is running for this username or address."""
    keys = _keys(request, username)
    counts = cache.get_many([f"{key}:count" for key in keys.values()])
    return any(
        counts.get(f"{key}:count", 0) >= limits()[kind].lock_after for kind, key in keys.items()
    )


def record_failure(request: HttpRequest | None, username: str | None) -> None:
    now = time.time()
    for kind, key in _keys(request, username).items():
        limit = limits()[kind]
        count_key = f"{key}:count"
        cache.add(count_key, 0, timeout=limit.lockout)
        try:
            count = cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, timeout=limit.lockout)
            count = 1
        cache.touch(count_key, timeout=limit.lockout)
        if count >= limit.lock_after:
            wait = limit.lockout
            if count == limit.lock_after:
                logger.warning(
                    "login locked out for %s seconds after %s failures (%s)",
                    wait,
                    count,
                    kind,
                    extra={"address": client_address(request), "kind": kind},
                )
        elif count >= limit.slow_after:
            wait = min(limit.first_wait * 2 ** (count - limit.slow_after), limit.max_wait)
        else:
            continue
        cache.set(f"{key}:until", now + wait, timeout=wait)


def reset(request: HttpRequest | None = None, username: str | None = None) -> None:
    """Forget failures: for the username after a successful login, or by an operator."""
    keys = _keys(request, username).values()
    cache.delete_many([f"{key}:{suffix}" for key in keys for suffix in ("count", "until")])


def refusal_message(request: HttpRequest | None, username: str | None) -> str:
    wait = wait_seconds(request, username)
    if is_locked_out(request, username):
        minutes = max(1, math.ceil(wait / 60))
        return (
            "Too many failed login attempts for this account or from your network. Login is "
            f"locked for {minutes} minute{'s' if minutes != 1 else ''}. If you have forgotten "
            "your password, ask an administrator to reset it."
        )
    return (
        f"Too many failed login attempts. Wait {wait} second{'s' if wait != 1 else ''} "
        "before trying again."
    )


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing attempts during a wait and counting failures.

    It guards every caller of authenticate(); the login form below turns a refusal into a clear
    message (authenticate() itself can only answer "no user").
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if wait_seconds(request, username):
            raise PermissionDenied("login throttled")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(request, username)
        else:
            # Only the account's count: an attacker who owns one account must not be able to
            # clear the count of the address they are guessing from.
            reset(None, username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin login form, saying plainly when and why a login is refused."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "%(message)s",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if wait_seconds(self.request, username):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"message": refusal_message(self.request, username)},
            )
        try:
            return super().clean()
        except forms.ValidationError as invalid:
            # This failure may have started a wait or a lockout: say so now, not on the next try.
            if wait_seconds(self.request, username):
                throttled = forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"message": refusal_message(self.request, username)},
                )
                raise forms.ValidationError([invalid, throttled]) from None
            raise
