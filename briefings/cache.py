"""Render caching for the public briefing and actor pages and the lists of briefings.

A page's rendered HTML is kept in Django's cache (local memory by default, Redis when REDIS_URL is
set) under a key naming everything it was built from:

- a briefing page: the article's id and ``version`` (every publish, edit, annotation change and
  revert bumps it) plus the *content generation*;
- an actor page: the actor's id plus the content generation and the *publication generation*;
- a list of briefings (the home page, ``/api/briefings``): both generations, the latest place
  (the home page's filters offer every place) and the list's parameters, normalised (see
  ``list_state``);
- all: the request's scheme and host (absolute URLs are in the page) and a fingerprint of the
  templates and code, so a deploy never serves HTML made by the previous release.

The content generation is the latest ``updated_at`` of the actors, events, quotes and mentions
(what a page shows about the things an article names); the publication generation the latest
``updated_at`` of any article (publishing and unpublishing write it) and the latest publication
time already reached (so a scheduled briefing joins the actor pages the moment it goes live).
Nothing is ever deleted: a change makes new keys, and entries nobody asks for expire.

Each of these is read from the database, in one query of index lookups, rather than kept in the
cache: the local-memory cache is per process, and an unpublish done in one gunicorn worker must
take effect at once in all of them. That query also checks that the page is public, so a
withdrawn briefing is a 404 on the next request, cached or not. On PostgreSQL each worker keeps
its answer until the database announces a change (briefings.changes), so a hit asks nothing.

Previews never come here (the views bypass this module for them), a render that looked at the
session or the CSRF token (something per reader) is served but never stored, and neither is an
error page (a list's rejected filters).

The API's public details (briefings.api) are kept the same way as JSON, with states of their
own (``api_*_state``) that add the publication generation: what those show of an event or quote
depends on which other briefings are published.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from briefings import prepared
from briefings.models import Actor, Article, Event, Mention, Place, Quote
from briefings.prepared import Prepared

KEY_PREFIX = "page"
# A safety net for changes no generation sees (a place renamed, a participant added without its
# event being saved): they show within this many seconds.
DEFAULT_TIMEOUT = 600
# Whose latest updated_at makes up the content generation.
CONTENT_MODELS = (Actor, Event, Quote, Mention)


def enabled() -> bool:
    return getattr(settings, "BRIEFINGS_RENDER_CACHE", True)


def timeout() -> int:
    return getattr(settings, "BRIEFINGS_RENDER_CACHE_TIMEOUT", DEFAULT_TIMEOUT)


def _latest(queryset, field: str = "updated_at") -> Subquery:
    # ORDER BY … DESC LIMIT 1 rather than MAX(): both databases answer it from the index alone.
    return Subquery(queryset.order_by(f"-{field}").values(field)[:1])


@dataclass(frozen=True)
class State:
    """What a cached page depends on, as read from the database for this request."""

    kind: str
    pk: int
    parts: tuple

    def key(self, request: HttpRequest, *variant: object) -> str:
        """The cache key for this state as seen by ``request``; ``variant`` names which part of
        the resource is wanted (a page number, a representation), when there are several."""
        raw = "|".join(
            map(
                str,
                (self.kind, self.pk, *self.parts, *variant, request.scheme, request.get_host()),
            )
        )
        return _key(self.kind, self.pk, raw)


@functools.lru_cache(maxsize=4096)
def _key(kind: str, pk: int, raw: str) -> str:
    from briefings.views import code_fingerprint

    digest = hashlib.sha256(f"{code_fingerprint()}|{raw}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{kind}:{pk}:{digest[:40]}"


def _stamp(value) -> str:
    # Raw rows: the database's own text for a time (briefings.prepared); any stable text will do.
    return str(value) if value is not None else "-"


def _content_stamps() -> list[Subquery]:
    return [_latest(m.objects.all()) for m in CONTENT_MODELS]


def _briefing_lookup(now: datetime.datetime, slug: str):
    generation = {f"g{i}": stamp for i, stamp in enumerate(_content_stamps())}
    return (
        Article.objects.published(now=now)
        .filter(slug=slug)
        .annotate(**generation)
        .order_by()
        .values_list("pk", "version", *generation)[:1]
    )


def _actor_lookup(now: datetime.datetime, slug: str):
    stamps = [
        *_content_stamps(),
        _latest(Article.objects.all()),
        _latest(Article.objects.published(now=now), "publish_at"),
    ]
    generation = {f"g{i}": stamp for i, stamp in enumerate(stamps)}
    return (
        Actor.objects.public(now=now)
        .filter(slug=slug)
        .annotate(**generation)
        .order_by()
        .values_list("pk", *generation)[:1]
    )


_BRIEFING = Prepared(_briefing_lookup, memo=True, now=prepared.NOW, slug=prepared.SLUG)
_ACTOR = Prepared(_actor_lookup, memo=True, now=prepared.NOW, slug=prepared.SLUG)


def briefing_state(slug: str) -> State | None:
    """The published briefing's id, version and the content generation; None if not public."""
    row = _BRIEFING.row(slug=slug)
    if row is None:
        return None
    return State("briefing", row[0], (row[1], *map(_stamp, row[2:])))


def actor_state(slug: str) -> State | None:
    """The actor's id with the content and publication generations; None if not public.

    Public as on the page: named by an accepted mention, not orphaned, in a published briefing.
    """
    row = _ACTOR.row(slug=slug)
    if row is None:
        return None
    return State("actor", row[0], tuple(map(_stamp, row[1:])))


def _list_lookup(now: datetime.datetime):
    stamps = [
        *_content_stamps(),
        _latest(Article.objects.published(now=now), "publish_at"),
        # Places have no updated_at: a new one is seen at once, a renamed one within the timeout.
        _latest(Place.objects.all(), "pk"),
    ]
    generation = {f"g{i}": stamp for i, stamp in enumerate(stamps)}
    return (
        Article.objects.order_by("-updated_at")
        .annotate(**generation)
        .values_list("updated_at", *generation)[:1]
    )


_LIST = Prepared(_list_lookup, memo=True, now=prepared.NOW)


def list_state() -> State | None:
    """What every list of published briefings depends on: the publication generation (the
    latest ``updated_at`` of any article, so an edit, a publication or a withdrawal anywhere
    makes new keys, and the latest publication time already reached, so a scheduled briefing
    joins the lists when it goes live), the content generation (the key actors shown, the
    filters by actor, place and event kind) and the latest place. None when there is no
    article at all: nothing worth keeping.

    A search (``q``) is kept too: it matches the articles' own text, which only changes with
    their ``updated_at``. The parameters of the list asked for are the caller's variant.
    """
    row = _LIST.row()
    return None if row is None else State("list", 0, tuple(map(_stamp, row)))


# The API's details (briefings.api) are public as the models' published()/public() say, and
# each depends on what is published elsewhere as well as on its own rows: an event lists the
# public actors among its participants, a quote names its event once a published briefing does.


def _api_lookup(public: Callable[[datetime.datetime], QuerySet], *fields: str):
    def lookup(now: datetime.datetime, slug: str):
        stamps = [
            *_content_stamps(),
            _latest(Article.objects.all()),
            _latest(Article.objects.published(now=now), "publish_at"),
        ]
        generation = {f"g{i}": stamp for i, stamp in enumerate(stamps)}
        return (
            public(now)
            .filter(slug=slug)
            .annotate(**generation)
            .order_by()
            .values_list("pk", *fields, *generation)[:1]
        )

    return lookup


_API_BRIEFING = Prepared(
    _api_lookup(lambda now: Article.objects.published(now=now), "version"),
    memo=True,
    now=prepared.NOW,
    slug=prepared.SLUG,
)
_API_ACTOR = Prepared(
    _api_lookup(lambda now: Actor.objects.public(now=now)),
    memo=True,
    now=prepared.NOW,
    slug=prepared.SLUG,
)
_API_EVENT = Prepared(
    _api_lookup(lambda now: Event.objects.public(now=now)),
    memo=True,
    now=prepared.NOW,
    slug=prepared.SLUG,
)


def _api_state(kind: str, lookup: Prepared, slug: str) -> State | None:
    row = lookup.row(slug=slug)
    return None if row is None else State(kind, row[0], tuple(map(_stamp, row[1:])))


def api_briefing_state(slug: str) -> State | None:
    """The published briefing's id and version with the content and publication generations,
    for its API detail; None if not public."""
    return _api_state("briefing", _API_BRIEFING, slug)


def api_actor_state(slug: str) -> State | None:
    """The actor's id with the content and publication generations, for its API detail; None
    unless Actor.objects.public() has it."""
    return _api_state("actor", _API_ACTOR, slug)


def api_event_state(slug: str) -> State | None:
    """The event's id with the content and publication generations, for its API detail; None
    unless Event.objects.public() has it."""
    return _api_state("event", _API_EVENT, slug)


def etag_for(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _per_reader(request: HttpRequest) -> bool:
    """Whether rendering looked at something that differs between readers."""
    session = getattr(request, "session", None)
    return bool(
        (session is not None and session.accessed)
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or "CSRF_COOKIE" in request.META
    )


# The request headers that can turn a GET into a 304 or a 412 (RFC 9110 section 13).
_CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def _conditional(request: HttpRequest) -> bool:
    meta = request.META
    return any(name in meta for name in _CONDITIONAL)


def stored_response(request: HttpRequest, key: str) -> HttpResponse | None:
    """What ``cached_page`` answers without rendering: a 304 when the client's copy is current
    (costing neither the cache nor a render), the stored page on a hit; None on a miss."""
    etag = etag_for(key)
    if "HTTP_IF_NONE_MATCH" in request.META:
        response = get_conditional_response(request, etag=etag)
        if response is not None:
            response.headers["ETag"] = etag
            return response
    entry = cache.get(key)
    return None if entry is None else _answer(request, etag, entry)


@functools.lru_cache(maxsize=1024)
def _http_date(timestamp: int) -> str:
    return http_date(timestamp)


def _answer(request: HttpRequest, etag: str, entry: dict) -> HttpResponse:
    """A stored page, or a 304 when the client's validators match it."""
    response = None
    if _conditional(request):
        response = get_conditional_response(request, etag=etag, last_modified=entry["modified"])
    if response is None:
        response = HttpResponse(entry["content"])
    response.headers["ETag"] = etag
    if entry["modified"] is not None:
        response.headers["Last-Modified"] = _http_date(entry["modified"])
    return response


def remember_state(request: HttpRequest, kind: str, slug: str, state: State) -> None:
    """Keep a state read before the view ran (briefings.middleware.CachedPageMiddleware), so
    the view does not read it again."""
    request._render_states = {**getattr(request, "_render_states", {}), (kind, slug): state}


def state_for(request: HttpRequest, kind: str, slug: str) -> State | None:
    """The state of a briefing or actor page, or of the lists (kind "list", no slug), as
    remembered for this request or read now."""
    known = getattr(request, "_render_states", {}).get((kind, slug))
    if known is not None:
        return known
    if kind == "list":
        return list_state()
    return briefing_state(slug) if kind == "briefing" else actor_state(slug)


def cached_page(
    request: HttpRequest,
    key: str,
    render: Callable[[], tuple[str, datetime.datetime | None] | HttpResponse],
) -> HttpResponse:
    """The page stored under ``key``, rendered by ``render()`` (HTML, last modified) on a miss.

    Answers 304 when the client's validators match. The ETag is derived from the key, so it
    changes exactly when the content may have. ``render()`` may instead return a response (an
    error page): it is answered as it is, never kept.
    """
    response = stored_response(request, key)
    if response is not None:
        return response
    etag = etag_for(key)
    made = render()
    if isinstance(made, HttpResponse):
        return made
    html, modified = made
    # Stored encoded: a hit then neither re-encodes nor copies the page.
    entry = {
        "content": html.encode(),
        "modified": int(modified.timestamp()) if modified else None,
    }
    if not _per_reader(request):
        cache.set(key, entry, timeout())
    return _answer(request, etag, entry)
