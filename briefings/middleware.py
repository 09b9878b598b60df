"""Response headers that Django's own middleware does not set, and one access-log line per request.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy and (over HTTPS, debug off) Strict-Transport-Security;
XFrameOptionsMiddleware sends X-Frame-Options. Django 5.2 has no Content-Security-Policy, so it is
set here from settings.CONTENT_SECURITY_POLICY.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject, empty

from briefings import cache as render_cache
from briefings.models import SLUG_PATTERN, slug_route
from briefings.views import home_key, public_cache

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


class CachedPageMiddleware:
    """Answer a reader's request for a page kept in the render cache (a briefing, an actor, the
    home page's lists) before the session, CSRF, authentication and message layers and the URL
    patterns are run.

    A kept page is the same for every reader, and those layers add nothing to it for a request
    without a session cookie: the response is the one the view would give (the same lookup in
    briefings.cache, the same key, the same Cache-Control, X-Frame-Options from Django's own
    middleware and Content-Length as CommonMiddleware sets it).
    Everything else goes down the stack: editors (session cookie), query strings on briefing
    and actor pages (previews, list pages; on the home page they are part of the key), other
    methods, pages not public (the view answers 404), pages not yet kept (the view renders and
    keeps them, reusing the state read here). Placed after the security layers, so HTTPS
    redirects and security headers apply as to any response.
    """

    VIEWS = {"briefing": "briefings:briefing", "actor": "briefings:actor"}
    HOME = "briefings:home"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.xframe = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = self.kept_page(request)
            if response is not None:
                return response
        return self.get_response(request)

    def page_of(self, path: str) -> tuple[str, str] | None:
        """(kind, slug) when ``path`` is a briefing or actor page; ("list", "") for the home
        page."""
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        if path == _route(self.HOME, get_script_prefix(), urlconf):
            return "list", ""
        for kind, view in self.VIEWS.items():
            before, after = slug_route(view, get_script_prefix(), urlconf)
            if path.startswith(before) and path.endswith(after):
                slug = path[len(before) : len(path) - len(after)]
                if SLUG_PATTERN.fullmatch(slug):
                    return kind, slug
        return None

    def kept_page(self, request: HttpRequest) -> HttpResponse | None:
        page = self.page_of(request.path) if render_cache.enabled() else None
        if page is None:
            return None
        kind, slug = page
        if kind != "list" and request.META.get("QUERY_STRING"):
            return None
        state = render_cache.state_for(request, kind, slug)
        if state is None:
            return None
        key = home_key(request, state) if kind == "list" else state.key(request)
        response = render_cache.stored_response(request, key)
        if response is None:
            render_cache.remember_state(request, kind, slug, state)
            return None
        # What CommonMiddleware adds to every finished response further down.
        response.headers.setdefault("Content-Length", str(len(response.content)))
        return self.xframe.process_response(request, public_cache(request, response))


@functools.lru_cache(maxsize=16)
def _route(view: str, script_prefix: str, urlconf: str) -> str:
    """The path of a view without arguments, worked out once per script prefix and URL
    configuration."""
    return reverse(view, urlconf=urlconf)


class ApiHeadMiddleware:
    """Answer HEAD on the API as the same GET would be answered, without the body.

    Django's own views answer HEAD wherever they answer GET; django-ninja routes only the
    methods an operation names, so a HEAD request (link checkers, monitoring, caches checking
    a resource) got 405. The view sees a GET (same checks, same throttle, same headers,
    Content-Length included); the server sends no body for HEAD (gunicorn, as RFC 9110 asks),
    and the body is dropped here too so no server has to. The access log still says HEAD.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path.startswith(self.prefix()):
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if not response.streaming:
            response.headers.setdefault("Content-Length", str(len(response.content)))
            response.content = b""
        return response

    @staticmethod
    def prefix() -> str:
        return reverse("api:api-root", urlconf=get_urlconf() or settings.ROOT_URLCONF)
