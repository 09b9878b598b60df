"""Public pages: the latest briefings, a briefing, an actor, an event, search, robots.txt.

Only published briefings and what they mention through accepted, anchored mentions are shown.
The briefing view also serves staff previews (``?preview=1``, see ``briefing``); nothing else
differs between the public and the preview path.

Public responses carry ``Cache-Control: public`` plus an ``ETag`` and ``Last-Modified`` derived
from the rows the page is built from, so a revalidation costs the queries but not the rendering.
Views never touch the session unless a preview is asked for, so public responses do not vary
by cookie.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import pickle
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Exists, F, Model, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date
from django.utils.translation import get_language, get_language_info
from django.views.decorators.http import require_safe

from briefings import cache as render_cache
from briefings import prepared, render, search
from briefings.dates import format_date
from briefings.filters import ArticleFilter
from briefings.models import (
    Actor,
    Article,
    Event,
    EventParticipant,
    LinksOneTarget,
    Mention,
    Place,
    Quote,
    published_condition,
)
from briefings.prepared import Prepared

PUBLIC_MAX_AGE = 60
PUBLIC_CACHE_CONTROL = f"public, max-age={PUBLIC_MAX_AGE}"
LISTING_FIELDS = ("id", "title", "slug", "standfirst", "dateline", "source", "publish_at")
PAGE_SIZE = 20
# Beyond this, ?page= is a 404 rather than an offset the database must walk to.
MAX_PAGE = 100_000
SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 200
KEY_ACTORS = 4
# What an actor's or an event's page shows of each list; the rest is on the list's own pages
# (/actors/<slug>/quotes/, …), a page at a time.
OVERVIEW_QUOTES = 10
OVERVIEW_EVENTS = 20
OVERVIEW_BRIEFINGS = 10

# Kinds of event that can have victims: a missing figure there is a gap in the count, while a
# meeting without figures simply had none.
CASUALTY_KINDS = frozenset(
    {
        Event.Kind.ATTACK,
        Event.Kind.MILITARY_RAID,
        Event.Kind.AIRSTRIKE,
        Event.Kind.ROCKET_FIRE,
        Event.Kind.KILLING,
        Event.Kind.OTHER,
    }
)


# -- what is public ---------------------------------------------------------------------------


def visible_mentions():
    """Mentions a reader may see: accepted by an editor and still anchored in the text."""
    return Mention.objects.filter(status=Mention.Status.ACCEPTED).exclude(
        anchor_state=Mention.Anchor.ORPHANED
    )


def public_mentions():
    return visible_mentions().filter(article__in=Article.objects.published())


def public_actors():
    return Actor.objects.public()


def public_events():
    return Event.objects.public()


def public_quotes():
    return Quote.objects.filter(
        Exists(visible_mentions().filter(quote=OuterRef("pk"))),
        article__in=Article.objects.published(),
    )


def can_preview(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("briefings.view_article")
    )


# -- HTTP caching ------------------------------------------------------------------------------


@functools.cache
def code_fingerprint() -> str:
    """Changes when the templates or the renderer change, so a deploy invalidates old ETags."""
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "templates", Path(__file__).resolve().parent]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".py"} and path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(parts: Iterable[object]) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\0")
    return '"' + digest.hexdigest()[:32] + '"'


def latest(*stamps: datetime.datetime | None) -> datetime.datetime | None:
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def public_cache(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code not in (200, 304):
        return response
    # A logged-in reader's response carries a refreshed session cookie (the session is saved on
    # every request): a shared cache must never store it.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    elif "Cache-Control" in response:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        # What patch_cache_control writes on a response without the header, without parsing.
        response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def conditional_page(
    request: HttpRequest,
    template: str,
    context_factory,
    *,
    etag: str,
    last_modified: datetime.datetime | None,
) -> HttpResponse:
    """A public page with validators: 304 when the client's copy is current, else rendered."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = HttpResponse(render_to_string(template, context_factory(), request=request))
    response.headers["ETag"] = etag
    if timestamp is not None:
        response.headers["Last-Modified"] = http_date(timestamp)
    return public_cache(request, response)


def absolute(request: HttpRequest, path: str) -> str:
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def safe_url(url: str) -> str:
    """The URL if it is http(s), else empty: stored URLs are never trusted as link targets."""
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else ""


def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


# -- dates and events -------------------------------------------------------------------------


def event_date(event: Event) -> dict | None:
    if event.date is None:
        return None
    precision = event.date_precision or Event.Precision.DAY
    return {
        "text": format_date(event.date, precision),
        "iso": render.iso_date(event.date, precision),
        "precision": precision,
    }


def timeline_order(event: Event) -> tuple:
    return (event.date is None, event.date or datetime.date.min, event.title, event.pk)


def timeline_entry(event: Event, **extra) -> dict:
    return {
        "event": event,
        "date": event_date(event),
        "anchor": f"event-{event.slug}",
        "killed": event.fatalities,
        "injured": event.injured,
        **extra,
    }


def mark_gaps(entries: list[dict]) -> list[dict]:
    """Flag entries that follow a jump of more than a year, drawn as a broken line."""
    previous = None
    for entry in entries:
        date = entry["event"].date
        entry["gap"] = bool(previous and date and (date - previous).days > 366)
        previous = date or previous
    return entries


def date_range(events: list[Event]) -> str:
    dated = [e for e in events if e.date is not None]
    if not dated:
        return ""
    first, last = dated[0], dated[-1]
    low = event_date(first)["text"]
    high = event_date(last)["text"]
    return low if low == high else f"{low} to {high}"


def casualties(events: Iterable[Event], field: str) -> render.Tally:
    return render.tally(
        getattr(e, field)
        for e in events
        if e.kind in CASUALTY_KINDS or getattr(e, field) is not None
    )


# -- the briefing page ------------------------------------------------------------------------


def mention_anchor(mention: Mention | PageMention) -> str:
    return f"m-{mention.uid}"


def quote_anchor(quote: Quote) -> str:
    return f"quote-{quote.uid}"


def actor_label(actor: Actor) -> str:
    return f"{actor.name}, {actor.role}" if actor.role else actor.name


class BriefingPage:
    """Everything the briefing page shows, derived from the article and its visible mentions."""

    def __init__(self, article: Article, mentions: list[PageMention]):
        self.article = article
        self.mentions = mentions
        self.counts: Counter = Counter()
        self.actors: dict[int, Actor] = {}
        self.events: dict[int, Event] = {}
        self.event_first: dict[int, Mention] = {}
        self.quotes: dict[int, Quote] = {}
        self.places: dict[int, object] = {}
        for m in mentions:
            if m.actor_id:
                self.counts[m.actor_id] += 1
                self.actors.setdefault(m.actor_id, m.actor)
            elif m.event_id:
                self.events.setdefault(m.event_id, m.event)
                self.event_first.setdefault(m.event_id, m)
            elif m.place_id:
                self.places.setdefault(m.place_id, m.place)
            elif m.quote_id:
                self.quotes.setdefault(m.quote_id, m.quote)

    def spans(self) -> list[render.Span]:
        """One span per mention; links and labels are worked out once per target."""
        targets: dict[tuple[str, int], tuple[str, str, str]] = {}
        home = reverse("briefings:home")

        def describe(kind: str, target) -> tuple[str, str, str]:
            key = (kind, target.pk)
            if key not in targets:
                if kind == "actor":
                    found = ("actor", target.get_absolute_url(), actor_label(target))
                elif kind == "event":
                    found = ("event", target.get_absolute_url(), target.title)
                elif kind == "place":
                    href = home + "?" + urlencode({"place": target.slug})
                    found = ("place", href, target.name)
                else:
                    speaker = target.speaker.name if target.speaker else "unattributed"
                    found = ("quote", "", f"Quote: {speaker}")
                targets[key] = found
            return targets[key]

        spans = []
        anchored_quotes: set[int] = set()
        for m in self.mentions:
            kind = m.kind
            if not kind:
                continue
            anchor = mention_anchor(m)
            # The quote list links to the first piece of each quote in the text.
            if kind == "quote" and m.quote_id not in anchored_quotes:
                anchored_quotes.add(m.quote_id)
                anchor = quote_anchor(m.quote)
            span_kind, href, label = describe(kind, getattr(m, kind))
            spans.append(render.Span(m.start, m.end, span_kind, href, anchor, label))
        return spans

    def whos_who(self) -> list[dict]:
        ranked = sorted(self.actors.values(), key=lambda a: (-self.counts[a.pk], a.name))
        return [{"actor": a, "count": self.counts[a.pk]} for a in ranked]

    def timeline(self) -> list[dict]:
        events = sorted(self.events.values(), key=timeline_order)
        return mark_gaps(
            [timeline_entry(e, in_text=mention_anchor(self.event_first[e.pk])) for e in events]
        )

    def quote_list(self) -> list[dict]:
        return [{"quote": q, "anchor": quote_anchor(q)} for q in self.quotes.values()]

    def place_names(self) -> list[str]:
        names = {p.name for p in self.places.values()}
        names.update(e.place.name for e in self.events.values() if e.place is not None)
        return sorted(names)

    def key_facts(self) -> dict:
        events = sorted(self.events.values(), key=timeline_order)
        return {
            "places": self.place_names(),
            "dates": date_range(events),
            "killed": casualties(events, "fatalities"),
            "injured": casualties(events, "injured"),
        }

    def last_modified(self) -> datetime.datetime | None:
        stamps = [self.article.updated_at]
        for m in self.mentions:
            stamps.append(m.updated_at)
            stamps.append(getattr(m.target, "updated_at", None))
        return latest(*stamps)

    def json_ld(self, request: HttpRequest) -> render.Html:
        article = self.article
        origin = absolute(request, "/")[:-1]
        url = origin + article.get_absolute_url()

        def actor_ld(actor: Actor) -> dict:
            kind = {"person": "Person", "country": "Country"}.get(actor.kind, "Organization")
            data = {
                "@type": kind,
                "name": actor.name,
                "url": origin + actor.get_absolute_url(),
            }
            if actor.wikidata_id:
                data["sameAs"] = f"https://www.wikidata.org/wiki/{actor.wikidata_id}"
            if actor.role and kind == "Person":
                data["jobTitle"] = actor.role
            return data

        def event_ld(event: Event) -> dict:
            data = {
                "@type": "Event",
                "name": event.title,
                "url": origin + event.get_absolute_url(),
            }
            date = event_date(event)
            if date:
                data["startDate"] = date["iso"]
            if event.place:
                data["location"] = {"@type": "Place", "name": event.place.name}
            if event.description:
                data["description"] = event.description
            return data

        def quote_ld(quote: Quote) -> dict:
            data = {"@type": "Quotation", "text": quote.text, "url": f"{url}#{quote_anchor(quote)}"}
            if quote.speaker:
                data["creator"] = actor_ld(quote.speaker)
            if quote.said_on:
                data["dateCreated"] = quote.said_on.isoformat()
            return data

        whos_who = self.whos_who()
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "url": url,
            "mainEntityOfPage": url,
            "inLanguage": article.language,
            "about": [event_ld(e) for e in sorted(self.events.values(), key=timeline_order)],
            "mentions": [actor_ld(item["actor"]) for item in whos_who],
            "hasPart": [quote_ld(q) for q in self.quotes.values()],
        }
        if article.standfirst:
            data["description"] = article.standfirst
        if article.publish_at:
            data["datePublished"] = article.publish_at.isoformat()
        data["dateModified"] = article.updated_at.isoformat()
        if article.source:
            data["publisher"] = {"@type": "Organization", "name": article.source}
        if article.agency:
            data["sourceOrganization"] = {"@type": "Organization", "name": article.agency}
        if article.translated_from:
            data["translationOfWork"] = {
                "@type": "NewsArticle",
                "inLanguage": article.translated_from,
            }
            if safe_url(article.source_url):
                data["translationOfWork"]["url"] = article.source_url
        return render.json_ld(data)


@dataclass(slots=True)
class PageMention(LinksOneTarget):
    """A visible mention as the briefing page uses it. Mentions of one target share one object
    for it: a page of a thousand mentions of twenty actors loads twenty actors, not a thousand."""

    id: int
    uid: uuid.UUID
    start: int
    end: int
    updated_at: datetime.datetime
    actor_id: int | None
    event_id: int | None
    quote_id: int | None
    place_id: int | None
    actor: Actor | None = None
    event: Event | None = None
    quote: Quote | None = None
    place: Place | None = None


# What the briefing page reads of each target and of the rows it links to: loading less keeps
# a page cheap (no aliases, bodies or bookkeeping columns). Field names are attnames, in the
# model's order (as Model.from_db() takes them).
_ACTOR_FIELDS = ("id", "name", "slug", "kind", "role", "wikidata_id", "updated_at")
_PLACE_FIELDS = ("id", "name", "slug")
TARGET_FIELDS: dict[str, tuple[type[Model], tuple[str, ...], dict]] = {
    "actor": (Actor, _ACTOR_FIELDS, {}),
    "event": (
        Event,
        ("id", "title", "slug", "kind", "date", "date_precision", "place_id", "fatalities",
         "injured", "description", "updated_at"),
        {"place": (Place, _PLACE_FIELDS)},
    ),
    "quote": (
        Quote,
        ("id", "uid", "text", "speaker_id", "cue", "addressee_id", "kind", "said_on",
         "updated_at"),
        {"speaker": (Actor, _ACTOR_FIELDS), "addressee": (Actor, ("id", "name"))},
    ),
    "place": (Place, _PLACE_FIELDS, {}),
}  # fmt: skip
MENTION_COLUMNS = tuple(f.name for f in dataclass_fields(PageMention))[:9]
ARTICLE_FIELDS = tuple(f.attname for f in Article._meta.concrete_fields)


def _mentions_query(article: int):
    return (
        visible_mentions()
        .filter(article_id=article)
        .order_by("start", "end", "id")
        .values_list(*MENTION_COLUMNS)
    )


def _targets_query(kind: str):
    model, fields, related = TARGET_FIELDS[kind]
    columns = [*fields, *(f"{name}__{f}" for name, (_, names) in related.items() for f in names)]

    def build(article: int):
        named = visible_mentions().filter(article_id=article).values(f"{kind}_id")
        return model.objects.filter(pk__in=named).order_by().values_list(*columns)

    return build


# The queries behind every briefing page, compiled once per connection (briefings.prepared).
PUBLISHED_ARTICLE = Prepared(
    lambda now, slug: (
        Article.objects.published(now=now).filter(slug=slug).values_list(*ARTICLE_FIELDS)[:1]
    ),
    now=prepared.NOW,
    slug=prepared.SLUG,
)
PAGE_MENTIONS = Prepared(_mentions_query, article=prepared.ID)
PAGE_TARGETS = {kind: Prepared(_targets_query(kind), article=prepared.ID) for kind in TARGET_FIELDS}


def published_article(slug: str) -> Article:
    """The published briefing with this slug (every field), or 404."""
    row = PUBLISHED_ARTICLE.row(slug=slug)
    if row is None:
        raise Http404("No published briefing has this address.")
    (values,) = PUBLISHED_ARTICLE.convert([row])
    return Article.from_db(DEFAULT_DB_ALIAS, ARTICLE_FIELDS, values)


def _exact_bytes(value: object) -> bytes:
    """``value`` (tuples, lists and dicts of plain values) as bytes that are the same for equal
    values in any process: pickled without its memo (which would depend on which equal values
    happen to be one object). A fifth of what repr() costs for a page's rows."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


class BriefingRows:
    """The rows a briefing page is built from: its visible mentions in text order and each
    target they name, read as the database driver gives them (one query for the mentions, one
    per kind of target named). Their digest tells whether anything a page shows has changed;
    ``page`` turns them into the objects the page is rendered from, only when needed.
    """

    def __init__(self, article: Article):
        self.article = article
        self.mentions = PAGE_MENTIONS.rows(article=article.pk)
        self.targets = {}
        for kind, query in PAGE_TARGETS.items():
            column = MENTION_COLUMNS.index(f"{kind}_id")
            if any(row[column] is not None for row in self.mentions):
                self.targets[kind] = query.rows(article=article.pk)

    @functools.cached_property
    def digest(self) -> str:
        """Of every value the page can show, the code that shows it, the language and the
        script prefix (links in the text are absolute paths)."""
        article = tuple(getattr(self.article, f) for f in ARTICLE_FIELDS)
        raw = (get_language(), get_script_prefix(), article, self.mentions, self.targets)
        return hashlib.sha256(f"{code_fingerprint()}|".encode() + _exact_bytes(raw)).hexdigest()

    @functools.cached_property
    def page(self) -> BriefingPage:
        targets = {kind: self._instances(kind, rows) for kind, rows in self.targets.items()}
        mentions = []
        for row in PAGE_MENTIONS.convert(self.mentions):
            mention = PageMention(*row)
            kind = mention.kind
            target = targets.get(kind, {}).get(getattr(mention, f"{kind}_id"))
            if target is None:  # changed between the two reads: shown on the next request
                continue
            setattr(mention, kind, target)
            mentions.append(mention)
        return BriefingPage(self.article, mentions)

    @staticmethod
    def _instances(kind: str, rows: list[tuple]) -> dict[int, Model]:
        model, fields, related = TARGET_FIELDS[kind]
        found = {}
        for row in PAGE_TARGETS[kind].convert(rows):
            target = model.from_db(DEFAULT_DB_ALIAS, fields, row[: len(fields)])
            at = len(fields)
            for name, (related_model, names) in related.items():
                values = row[at : at + len(names)]
                at += len(names)
                if values[0] is not None:
                    setattr(target, name, related_model.from_db(DEFAULT_DB_ALIAS, names, values))
            found[target.pk] = target
        return found


# The parts of a briefing page kept once per distinct content (BriefingRows.digest): all but
# the page around them. "modified" is the page's Last-Modified.
KEPT_PARTS = ("key-facts", "whos-who", "timeline", "quotes", "text", "json-ld", "modified")


def briefing_parts(request: HttpRequest, rows: BriefingRows) -> dict:
    """The kept parts of a briefing page, each built from ``rows.page`` only when it is not
    kept yet (or BRIEFINGS_FRAGMENT_CACHE is off). Keys name the digest of everything the parts
    are made of, so a stored part can only be reused for exactly the same content and no change
    ever has to invalidate one; entries nobody asks for expire. The linked data has absolute
    URLs on this site: it is kept per origin as well.
    """
    origin = absolute(request, "/")
    digest = hashlib.sha256(f"{rows.digest}|{origin}".encode()).hexdigest()
    keys = {
        name: f"{render_cache.KEY_PREFIX}:part:{name}:"
        + (digest if name == "json-ld" else rows.digest)
        for name in KEPT_PARTS
    }
    use_cache = getattr(settings, "BRIEFINGS_FRAGMENT_CACHE", True)
    stored = django_cache.get_many(list(keys.values())) if use_cache else {}
    parts = {name: stored[key] for name, key in keys.items() if key in stored}
    missing = [name for name in KEPT_PARTS if name not in parts]
    if missing:
        built = {name: build_part(name, request, rows.page) for name in missing}
        parts.update(built)
        if use_cache:
            django_cache.set_many(
                {keys[name]: value for name, value in built.items()}, render_cache.timeout()
            )
    return {
        name: render.Html(value) if isinstance(value, str) else value
        for name, value in parts.items()
    }


def build_part(name: str, request: HttpRequest, page: BriefingPage):
    if name == "modified":
        return page.last_modified()
    if name == "text":
        return str(render.body_html(render.render_body(page.article.body, page.spans())))
    if name == "json-ld":
        return str(page.json_ld(request))
    if name == "key-facts":
        return render_to_string("briefings/_key_facts.html", {"facts": page.key_facts()})
    if name == "whos-who":
        whos_who = page.whos_who()
        return whos_who and render_to_string("briefings/_whos_who.html", {"whos_who": whos_who})
    if name == "timeline":
        timeline = page.timeline()
        return timeline and render_to_string("briefings/_timeline.html", {"timeline": timeline})
    if name == "quotes":
        quotes = page.quote_list()
        context = {"quotes": quotes, "in_article": True}
        return quotes and render_to_string("briefings/_quote_list.html", context)
    raise ValueError(f"No part of a briefing page is called {name!r}")


def briefing_context(
    request: HttpRequest, article: Article, parts: dict, *, previewing: bool
) -> dict:
    return {
        "article": article,
        "preview": previewing,
        "canonical": absolute(request, article.get_absolute_url()),
        "source_url": safe_url(article.source_url),
        "translated_from": language_name(article.translated_from)
        if article.translated_from
        else "",
        "key_facts": parts["key-facts"],
        # Empty when there is nothing to list, so the page says so instead.
        "whos_who": parts["whos-who"],
        "timeline": parts["timeline"],
        "quotes": parts["quotes"],
        "text": parts["text"],
        "json_ld": parts["json-ld"],
    }


@require_safe
def briefing(request: HttpRequest, slug: str) -> HttpResponse:
    """A published briefing; for staff with view permission and ``?preview=1``, any briefing.

    Preview is only looked at when asked for, so public responses never read the session. A
    request for an unpublished briefing without the right is a 404, never a 403: it does not
    tell that a draft exists. Public responses come from the render cache (briefings.cache):
    a hit costs one query; previews never touch it.
    """
    # Most requests have no query string: they are not previews, without parsing one.
    previewing = (
        bool(request.META.get("QUERY_STRING"))
        and request.GET.get("preview") == "1"
        and can_preview(request.user)
    )
    if not previewing and render_cache.enabled():
        state = render_cache.state_for(request, "briefing", slug)
        if state is None:
            raise Http404("No published briefing has this address.")

        def render_page() -> tuple[str, datetime.datetime | None]:
            article = published_article(slug)
            parts = briefing_parts(request, BriefingRows(article))
            context = briefing_context(request, article, parts, previewing=False)
            html = render_to_string("briefings/briefing.html", context, request=request)
            return html, parts["modified"]

        response = render_cache.cached_page(request, state.key(request), render_page)
        return public_cache(request, response)

    if previewing:
        article = get_object_or_404(Article.objects.all(), slug=slug)
    else:
        article = published_article(slug)
    rows = BriefingRows(article)
    parts = briefing_parts(request, rows)

    if previewing:
        context = briefing_context(request, article, parts, previewing=True)
        response = HttpResponse(
            render_to_string("briefings/briefing.html", context, request=request)
        )
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response
    return conditional_page(
        request,
        "briefings/briefing.html",
        lambda: briefing_context(request, article, parts, previewing=False),
        etag=fingerprint([rows.digest]),
        last_modified=parts["modified"],
    )


# -- lists -------------------------------------------------------------------------------------


def key_actors(article_ids: list[int]) -> dict[int, list[dict]]:
    """The most mentioned actors of each listed article, in one query."""
    # Names by a lookup per counted actor: joining the actors instead makes PostgreSQL hash the
    # whole actor table (20,000 rows at 100,000 articles) for a few dozen names.
    actor = Actor.objects.filter(pk=OuterRef("actor_id")).order_by()
    rows = (
        visible_mentions()
        .filter(article_id__in=article_ids, actor__isnull=False)
        .values("article_id", "actor_id")
        .annotate(n=Count("id"))
        .annotate(name=Subquery(actor.values("name")), slug=Subquery(actor.values("slug")))
        .order_by("article_id", "-n", "name")
    )
    found: dict[int, list[dict]] = {}
    for row in rows:
        names = found.setdefault(row["article_id"], [])
        if len(names) < KEY_ACTORS:
            names.append({"name": row["name"], "slug": row["slug"]})
    return found


@dataclass
class ListPage:
    """One page of a list, read without counting the list: the rows of the page and one more,
    which tells whether there is a next (older) page. Counting every published briefing costs
    more than the page itself in a large corpus, and readers page by "older" and "newer"."""

    number: int
    object_list: list
    has_next: bool
    per_page: int = PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def seen(self) -> int:
        """How many rows the list has up to the end of this page: all of them on the last."""
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(request: HttpRequest) -> int:
    """The ?page= asked for; not a page number, or out of range, is a 404."""
    raw = request.GET.get("page") or "1"
    number = int(raw) if raw.isdigit() and len(raw) <= len(str(MAX_PAGE)) else 0
    if not 1 <= number <= MAX_PAGE:
        raise Http404(f"There is no page {raw!r} of this list.")
    return number


def list_page(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> ListPage:
    number = page_number(request)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        raise Http404(f"There is no page {number} of this list.")
    return ListPage(number, rows[:per_page], len(rows) > per_page, per_page)


def sorted_query(params: QueryDict) -> QueryDict:
    """The parameters in name order (a name given twice keeps its values' order): a list's
    page depends on them only, whatever order its address gave them in."""
    ordered = QueryDict(mutable=True)
    for name, values in sorted(params.lists()):
        ordered.setlist(name, values)
    return ordered


def query_without_page(request: HttpRequest) -> str:
    params = sorted_query(request.GET)
    params.pop("page", None)
    return params.urlencode()


def filter_errors(request: HttpRequest, form) -> list[dict]:
    """Each rejected filter's label and message, with the actors it may have meant as links."""
    errors = []
    for name, problems in form.errors.as_data().items():
        field = form.fields.get(name)
        for problem in problems:
            choices = []
            for actor in (problem.params or {}).get("candidates", []):
                params = request.GET.copy()
                params.pop("page", None)
                params[name] = actor.slug
                choices.append({"actor": actor, "query": params.urlencode()})
            errors.append(
                {
                    "label": str(field.label if field else "Filters"),
                    "message": " ".join(problem.messages),
                    "choices": choices,
                }
            )
        # A date picker cannot hold the rejected text: show it as typed, so it can be fixed.
        if field is not None and getattr(field.widget, "input_type", "") == "date":
            field.widget.input_type = "text"
    return errors


def home_key(request: HttpRequest, state: render_cache.State) -> str:
    """The render cache key of the home page asked for: its parameters (filters, search,
    page), which are all the page reads of the request besides what State.key names (scheme
    and host). briefings.middleware answers with it too."""
    query = sorted_query(request.GET).urlencode() if request.META.get("QUERY_STRING") else ""
    return state.key(request, "home", query, get_language(), settings.SITE_URL)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The latest briefings, filtered by the shared ArticleFilter; bad filters are explained.

    A filtered list says how many briefings it holds when the last page is reached, else "more
    than" those shown so far: counting every match of a popular filter would cost many pages.

    The actor filter is a text field: a slug (as links give), or a name or alias typed by the
    reader; one that names no public actor, or several, is explained with actors to choose from.

    Served from the render cache (briefings.cache), each list (filters, search, page) under its
    own key: a hit costs one query. Rejected filters (400) and pages past the end (404) are
    answered as they are and never kept.
    """
    state = render_cache.state_for(request, "list", "") if render_cache.enabled() else None
    if state is None:
        html, status = home_page(request)
        return public_cache(request, HttpResponse(html, status=status))

    def render_page() -> tuple[str, None] | HttpResponse:
        html, status = home_page(request)
        return (html, None) if status == 200 else HttpResponse(html, status=status)

    response = render_cache.cached_page(request, home_key(request, state), render_page)
    return public_cache(request, response)


def home_page(request: HttpRequest) -> tuple[str, int]:
    """The home page's HTML and status, built from the database."""
    filterset = ArticleFilter(
        request.GET or None,
        queryset=Article.objects.published().for_listing(),
        request=request,
        actor_names=True,
    )
    status = 200
    errors: list[dict] = []
    page = None
    cards: list[dict] = []
    filtered = any(request.GET.get(name) for name in filterset.form.fields)
    if filterset.is_bound and not filterset.is_valid():
        status = 400
        errors = filter_errors(request, filterset.form)
    else:
        page = list_page(request, filterset.qs)
        articles = page.object_list
        actors = key_actors([a.pk for a in articles])
        cards = [{"article": a, "actors": actors.get(a.pk, [])} for a in articles]
    html = render_to_string(
        "briefings/home.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "errors": errors,
            "page": page,
            "cards": cards,
            "filtered": filtered,
            "found": page.seen if page else 0,
            "actor": getattr(filterset.form, "cleaned_data", {}).get("actor"),
            "query": query_without_page(request),
            "canonical": ""
            if filtered or errors or (page and page.number > 1)
            else absolute(request, reverse("briefings:home")),
        },
        request=request,
    )
    return html, status


# -- actors and events -------------------------------------------------------------------------


def reports(event_ids: list[int]) -> dict[int, list[dict]]:
    """The published briefings reporting each event, in one query."""
    rows = (
        public_mentions()
        .filter(event_id__in=event_ids)
        .values("event_id", "article__slug", "article__title", "article__publish_at")
        .distinct()
        .order_by("event_id", "-article__publish_at", "article__slug")
    )
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row["event_id"], []).append(
            {"slug": row["article__slug"], "title": row["article__title"]}
        )
    return found


def mentioning(field: str, target):
    """Published briefings with a visible mention of the target, newest first."""
    return (
        Article.objects.published()
        .filter(Exists(visible_mentions().filter(article=OuterRef("pk"), **{field: target})))
        .for_listing()
        .only("id", "title", "slug", "standfirst", "dateline", "publish_at", "updated_at")
    )


def listed_quotes(**condition):
    """Public quotes (of a speaker, about an event), newest briefing first, in text order.

    Public as public_quotes(), with the article's publication tested on the joined row: the
    database then walks the publication index back from now and stops at the page, instead of
    first reading every draft (which sort first there) for a speaker of thousands of quotes.
    """
    return (
        Quote.objects.filter(
            Exists(visible_mentions().filter(quote=OuterRef("pk"))),
            published_condition(through="article__"),
            **condition,
        )
        .select_related("article", "speaker", "addressee")
        .defer("article__body")
        .order_by("-article__publish_at", "id")
    )


def participations_of(actor: Actor):
    """The actor's participations in public events, one per event (the first of its roles),
    its latest event first, undated ones last, each with its event and place."""
    # Read from the participations' index of (actor, event date) on PostgreSQL (migration 0008):
    # a page of a frequent actor's events costs as much as a rare one's, where starting from the
    # events (or joining them to every participation) read all of that actor's events.
    public = public_mentions().filter(event=OuterRef("event_id"))
    earlier_role = EventParticipant.objects.filter(
        event=OuterRef("event_id"), actor=actor, pk__lt=OuterRef("pk")
    )
    return (
        EventParticipant.objects.filter(Exists(public), ~Exists(earlier_role), actor=actor)
        .select_related("event__place")
        .order_by(F("event_date").desc(nulls_last=True), "-event__title", "-event_id")
    )


def quote_items(quotes: list[Quote]) -> list[dict]:
    return [{"quote": q, "anchor": quote_anchor(q)} for q in quotes]


def quote_parts(quotes: list[Quote]) -> list:
    return [(q.pk, q.updated_at, q.article.updated_at) for q in quotes]


def actor_timeline(actor: Actor, events: list[Event]) -> tuple[list[dict], list]:
    """Timeline entries for these events of the actor (its roles, the briefings reporting
    each), in date order, with what they were made from for the ETag."""
    roles: dict[int, list[str]] = {}
    for p in EventParticipant.objects.filter(actor=actor, event__in=events).order_by("role"):
        roles.setdefault(p.event_id, []).append(p.get_role_display())
    reported = reports([e.pk for e in events])
    timeline = mark_gaps(
        [
            timeline_entry(e, roles=roles.get(e.pk, []), reports=reported.get(e.pk, []))
            for e in sorted(events, key=timeline_order)
        ]
    )
    parts = [(e.pk, e.updated_at, tuple(roles.get(e.pk, ()))) for e in events]
    parts += sorted((k, tuple(r["slug"] for r in v)) for k, v in reported.items())
    return timeline, parts


def actor_page(request: HttpRequest, actor: Actor):
    """The actor page's validators (ETag, last modified) and its context, made on demand.

    It shows the latest few of each list, linking to the lists' own pages for the rest, so
    its cost does not grow with how often the actor is in the news.
    """
    quotes = list(listed_quotes(speaker=actor)[: OVERVIEW_QUOTES + 1])
    events = [p.event for p in participations_of(actor)[: OVERVIEW_EVENTS + 1]]
    briefings = list(mentioning("actor", actor)[: OVERVIEW_BRIEFINGS + 1])
    timeline, timeline_parts = actor_timeline(actor, events[:OVERVIEW_EVENTS])
    etag = fingerprint(
        [actor.pk, actor.updated_at, len(quotes), len(events), len(briefings)]
        + quote_parts(quotes)
        + timeline_parts
        + [(a.pk, a.updated_at) for a in briefings]
    )
    modified = latest(
        actor.updated_at,
        *(q.updated_at for q in quotes),
        *(e.updated_at for e in events),
        *(a.updated_at for a in briefings),
    )

    def context() -> dict:
        return {
            "actor": actor,
            "canonical": absolute(request, actor.get_absolute_url()),
            "aliases": [a for a in actor.aliases if a and a != actor.name],
            "quotes": quote_items(quotes[:OVERVIEW_QUOTES]),
            "more_quotes": len(quotes) > OVERVIEW_QUOTES,
            "timeline": timeline,
            "more_events": len(events) > OVERVIEW_EVENTS,
            "briefings": briefings[:OVERVIEW_BRIEFINGS],
            "more_briefings": len(briefings) > OVERVIEW_BRIEFINGS,
        }

    return etag, modified, context


def actor_section(request: HttpRequest, actor: Actor, section: str):
    """A page of the actor's quotes or events: validators and context, as actor_page."""
    if section == "quotes":
        page = list_page(request, listed_quotes(speaker=actor))
        parts = quote_parts(page.object_list)
        extra = {"quotes": quote_items(page.object_list)}
    else:
        page = list_page(request, participations_of(actor))
        page.object_list = [p.event for p in page.object_list]
        timeline, parts = actor_timeline(actor, page.object_list)
        extra = {"timeline": timeline}
    etag = fingerprint([actor.pk, actor.updated_at, section, page.number, page.has_next, *parts])
    modified = latest(actor.updated_at, *(row.updated_at for row in page.object_list))
    heading = "Quotes from" if section == "quotes" else "Events with"

    def context() -> dict:
        return {
            "subject": actor,
            "subject_name": actor.name,
            "heading": f"{heading} {actor.name}",
            "section": section,
            "page": page,
            "canonical": absolute(request, page_path(request, page.number)),
            **extra,
        }

    return etag, modified, context


def page_path(request: HttpRequest, number: int) -> str:
    return request.path if number == 1 else f"{request.path}?page={number}"


def actor_view(request: HttpRequest, slug: str, section: str = "") -> HttpResponse:
    """The actor page, or a page of one of its lists (``section``).

    Served from the render cache (briefings.cache), each list page under its own key: a hit
    costs one query.
    """
    template = "briefings/section.html" if section else "briefings/actor.html"

    def build(found: Actor):
        return actor_section(request, found, section) if section else actor_page(request, found)

    if render_cache.enabled():
        variant = (section, page_number(request)) if section else ()
        state = render_cache.state_for(request, "actor", slug)
        if state is None:
            raise Http404("No actor of a published briefing has this address.")

        def render_page() -> tuple[str, datetime.datetime | None]:
            _, modified, context = build(get_object_or_404(public_actors(), pk=state.pk))
            return render_to_string(template, context(), request=request), modified

        response = render_cache.cached_page(request, state.key(request, *variant), render_page)
        return public_cache(request, response)
    etag, modified, context = build(get_object_or_404(public_actors(), slug=slug))
    return conditional_page(request, template, context, etag=etag, last_modified=modified)


@require_safe
def actor(request: HttpRequest, slug: str) -> HttpResponse:
    """An actor mentioned in a published briefing: its latest quotes, events and briefings."""
    return actor_view(request, slug)


@require_safe
def actor_quotes(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public quote of an actor, newest first, a page at a time."""
    return actor_view(request, slug, "quotes")


@require_safe
def actor_events(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public event an actor took part in, latest first, a page at a time."""
    return actor_view(request, slug, "events")


@require_safe
def event(request: HttpRequest, slug: str) -> HttpResponse:
    """An event reported in a published briefing: date, place, casualties, participants, and
    the latest quotes about it and briefings reporting it (the rest on their own pages)."""
    event = get_object_or_404(public_events().select_related("place"), slug=slug)
    participants = list(
        EventParticipant.objects.filter(event=event, actor__in=public_actors())
        .select_related("actor")
        .order_by("role", "actor__name")
    )
    quotes = list(listed_quotes(event=event)[: OVERVIEW_QUOTES + 1])
    briefings = list(mentioning("event", event)[: OVERVIEW_BRIEFINGS + 1])
    response = HttpResponse(
        render_to_string(
            "briefings/event.html",
            {
                "event": event,
                "date": event_date(event),
                "canonical": absolute(request, event.get_absolute_url()),
                "participants": participants,
                "quotes": quote_items(quotes[:OVERVIEW_QUOTES]),
                "more_quotes": len(quotes) > OVERVIEW_QUOTES,
                "briefings": briefings[:OVERVIEW_BRIEFINGS],
                "more_briefings": len(briefings) > OVERVIEW_BRIEFINGS,
            },
            request=request,
        )
    )
    return public_cache(request, response)


def event_section(request: HttpRequest, slug: str, section: str) -> HttpResponse:
    """A page of an event's quotes or of the briefings reporting it."""
    event = get_object_or_404(public_events(), slug=slug)
    if section == "quotes":
        page = list_page(request, listed_quotes(event=event))
        heading = f"Quotes about {event.title}"
        items = {"quotes": quote_items(page.object_list)}
    else:
        page = list_page(request, mentioning("event", event))
        heading = f"Briefings reporting {event.title}"
        items = {"briefings": page.object_list}
    context = {
        "subject": event,
        "subject_name": event.title,
        "heading": heading,
        "section": section,
        "page": page,
        "canonical": absolute(request, page_path(request, page.number)),
        **items,
    }
    response = HttpResponse(render_to_string("briefings/section.html", context, request=request))
    return public_cache(request, response)


@require_safe
def event_quotes(request: HttpRequest, slug: str) -> HttpResponse:
    """Every public quote about an event, newest first, a page at a time."""
    return event_section(request, slug, "quotes")


@require_safe
def event_briefings(request: HttpRequest, slug: str) -> HttpResponse:
    """Every published briefing reporting an event, newest first, a page at a time."""
    return event_section(request, slug, "briefings")


# -- search ------------------------------------------------------------------------------------


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Briefings, actors and quotes matching ?q=, the matched words marked."""
    query = " ".join(request.GET.get("q", "").split())
    error = ""
    results = None
    if "\x00" in query:
        error = "The search contains a null character; remove it and search again."
    elif len(query) > SEARCH_MAX_LENGTH:
        error = (
            f"The search is {len(query)} characters long; it can be at most {SEARCH_MAX_LENGTH}."
        )
    elif query:
        terms = render.search_terms(query)
        # The body is read too: a snippet shows where the words are when the standfirst lacks them.
        listing = Article.objects.published().for_listing().only(*LISTING_FIELDS, "body")
        articles = search.articles(listing, query)[:SEARCH_LIMIT]
        actors = search.actors(public_actors(), query)[:SEARCH_LIMIT]
        quotes = search.quotes(
            public_quotes().select_related("speaker", "addressee", "article"), query
        )[:SEARCH_LIMIT]
        results = {
            "briefings": [
                {
                    "article": a,
                    "title": render.highlight(a.title, terms),
                    "summary": render.snippet(
                        a.standfirst if render.has_match(a.standfirst, terms) else a.body, terms
                    ),
                }
                for a in articles
            ],
            "actors": [
                {
                    "actor": a,
                    "name": render.highlight(a.name, terms),
                    "aliases": render.highlight(
                        ", ".join(x for x in a.aliases if x and x != a.name), terms
                    ),
                }
                for a in actors
            ],
            "quotes": [
                {
                    "quote": q,
                    "anchor": quote_anchor(q),
                    "text": render.highlight(q.text, terms),
                }
                for q in quotes
            ],
        }
        results["count"] = sum(len(v) for v in results.values())
    response = HttpResponse(
        render_to_string(
            "briefings/search.html",
            {"query": query, "error": error, "results": results, "limit": SEARCH_LIMIT},
            request=request,
        ),
        status=400 if error else 200,
    )
    return public_cache(request, response)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        "",
        f"Sitemap: {absolute(request, reverse('briefings:sitemap'))}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    return public_cache(request, response)


# The API's editor (write) endpoints and its docs are no use to a search engine; search result
# pages are endless combinations of the same content.
ROBOTS_DISALLOW = ["/api/editor/", "/api/docs", "/search/"]
