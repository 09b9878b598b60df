"""Response headers that Django's own middleware does not set, and one access-log line per request.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy and (over HTTPS, debug off) Strict-Transport-Security;
XFrameOptionsMiddleware sends X-Frame-Options. Django 5.2 has no Content-Security-Policy, so it is
set here from settings.CONTENT_SECURITY_POLICY.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

access_log = logging.getLogger("briefings.access")

# Features no page of the site uses; denying them limits what an injected script could reach.
DEFAULT_PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"


def render_policy(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in policy.items())


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy to every response.

    A view that needs a different policy sets the header itself; it is never overwritten.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = render_policy(settings.CONTENT_SECURITY_POLICY)
        self.permissions = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        if self.permissions:
            response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class AccessLogMiddleware:
    """Log method, path, status and duration of every request to stdout.

    The query string is left out: it can carry search terms readers would not expect to be
    kept. Load balancer probes of /healthz that succeed are logged at DEBUG so they do not drown
    the log; a failing probe is logged like any other request.
    """

    QUIET_PATHS = frozenset({"/healthz"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        if status >= 500:
            level = logging.ERROR
        elif request.path in self.QUIET_PATHS and status < 400:
            level = logging.DEBUG
        else:
            level = logging.INFO
        access_log.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round(duration_ms, 1),
            },
        )
        return response


class LazyMessageMiddleware(MessageMiddleware):
    """Django's message middleware, with the message storage made only when something uses it.

    Only the admin shows messages. Making the storage on every request (a signed-cookie reader
    and a session reader) was a tenth of what a cached public page costs; a request that never
    looks at its messages now has nothing to save either.
    """

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
