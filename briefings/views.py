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
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db.models import Count, Exists, F, Model, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
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
from briefings import render, search
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


def _mentioned(field: str):
    return Exists(public_mentions().filter(**{field: OuterRef("pk")}))


def public_actors():
    return Actor.objects.filter(_mentioned("actor"))


def public_events():
    return Event.objects.filter(_mentioned("event"))


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


@cache
def code_fingerprint() -> str:
    """Changes when the templates or the renderer change, so a deploy invalidates old ETags."""
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "templates", Path(__file__).resolve().parent]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".py"} and path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def signature(value: object) -> object:
    """A hashable account of every value a fragment can read from ``value``: each model's loaded
    fields and the related objects loaded with it, dicts, lists and plain values."""
    if isinstance(value, Model):
        fields = tuple(
            (f.attname, value.__dict__[f.attname])
            for f in value._meta.concrete_fields
            if f.attname in value.__dict__
        )
        related = tuple(
            (name, signature(obj)) for name, obj in sorted(value._state.fields_cache.items())
        )
        return (value._meta.label, fields, related)
    if isinstance(value, dict):
        return tuple((k, signature(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(signature(v) for v in value)
    return value


def kept(name: str, inputs: dict, build: Callable[[], str]) -> render.Html:
    """``build()``, kept once per distinct ``inputs``: markup that is a function of them alone.

    The key is a digest of the name, the code, the language, the script prefix and the
    signature of the inputs: every value the markup can be made from. A stored piece can only
    be reused for exactly the same input, so no change ever has to invalidate one, and a
    preview's piece is the public one only when they are the same. Entries nobody asks for
    expire. BRIEFINGS_FRAGMENT_CACHE = False builds them every time.
    """
    if not getattr(settings, "BRIEFINGS_FRAGMENT_CACHE", True):
        return render.Html(build())
    raw = repr((name, get_language(), get_script_prefix(), signature(inputs)))
    digest = hashlib.sha256(f"{code_fingerprint()}|{raw}".encode()).hexdigest()
    key = f"{render_cache.KEY_PREFIX}:fragment:{digest}"
    stored = django_cache.get(key)
    if stored is None:
        stored = str(build())
        django_cache.set(key, stored, render_cache.timeout())
    return render.Html(stored)


def fragment(template_name: str, context: dict) -> render.Html:
    """``template_name`` rendered with ``context`` (not the request), kept per distinct context."""
    return kept(template_name, context, lambda: render_to_string(template_name, context))


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

    def text(self) -> render.Html:
        """The annotated article text; kept like the page's other fragments (``fragment``)."""
        spans = self.spans()
        if not getattr(settings, "BRIEFINGS_FRAGMENT_CACHE", True):
            return render.body_html(render.render_body(self.article.body, spans))
        digest = hashlib.sha256(code_fingerprint().encode())
        digest.update(self.article.body.encode())
        for span in spans:
            digest.update(repr(tuple(vars(span).values())).encode())
        key = f"{render_cache.KEY_PREFIX}:text:{digest.hexdigest()}"
        stored = django_cache.get(key)
        if stored is None:
            stored = render.body_html(render.render_body(self.article.body, spans))
            django_cache.set(key, str(stored), render_cache.timeout())
        return render.Html(stored)

    def etag_parts(self) -> list:
        a = self.article
        parts: list = [a.pk, a.version, a.updated_at, a.status, a.publish_at]
        for m in self.mentions:
            target = m.target
            parts.append((m.id, m.updated_at, getattr(target, "updated_at", None)))
            if m.quote_id and m.quote.speaker_id:
                parts.append(m.quote.speaker.updated_at)
            if m.event_id and m.event.place_id:
                parts.append(m.event.place_id)
        return parts

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


# What the briefing page reads of each target: loading less keeps a page cheap (no aliases,
# bodies or bookkeeping columns).
_ACTOR_FIELDS = ("id", "name", "slug", "kind", "role", "wikidata_id", "updated_at")
MENTION_COLUMNS = tuple(f.name for f in dataclass_fields(PageMention))[:9]
TARGET_QUERIES = {
    "actor": lambda: Actor.objects.only(*_ACTOR_FIELDS),
    "event": lambda: Event.objects.select_related("place").only(
        "id", "title", "slug", "kind", "date", "date_precision", "place_id", "fatalities",
        "injured", "description", "updated_at", "place__id", "place__name", "place__slug",
    ),
    "quote": lambda: Quote.objects.select_related("speaker", "addressee").only(
        "id", "uid", "text", "cue", "kind", "said_on", "speaker_id", "addressee_id",
        "updated_at", *(f"speaker__{f}" for f in _ACTOR_FIELDS), "addressee__id",
        "addressee__name",
    ),
    "place": lambda: Place.objects.only("id", "name", "slug"),
}  # fmt: skip


def briefing_mentions(article: Article) -> list[PageMention]:
    """The article's visible mentions in text order, each with its target: one query for the
    mentions and one per kind of target they name."""
    mentions = [
        PageMention(*row)
        for row in visible_mentions()
        .filter(article=article)
        .order_by("start", "end", "id")
        .values_list(*MENTION_COLUMNS)
    ]
    for kind, query in TARGET_QUERIES.items():
        ids = {getattr(m, f"{kind}_id") for m in mentions} - {None}
        if not ids:
            continue
        targets = query().order_by().in_bulk(ids)  # keyed by id: no ordering to compile
        for m in mentions:
            target_id = getattr(m, f"{kind}_id")
            if target_id is not None:
                setattr(m, kind, targets[target_id])
    return mentions


def briefing_context(
    request: HttpRequest, article: Article, page: BriefingPage, *, previewing: bool
) -> dict:
    whos_who, timeline, quotes = page.whos_who(), page.timeline(), page.quote_list()
    return {
        "article": article,
        "preview": previewing,
        "canonical": absolute(request, article.get_absolute_url()),
        "source_url": safe_url(article.source_url),
        "translated_from": language_name(article.translated_from)
        if article.translated_from
        else "",
        "facts": page.key_facts(),
        # Rendered apart, each kept once per distinct content (``fragment``); empty when there
        # is nothing to list, so the page says so instead.
        "whos_who": whos_who and fragment("briefings/_whos_who.html", {"whos_who": whos_who}),
        "timeline": timeline and fragment("briefings/_timeline.html", {"timeline": timeline}),
        "quotes": quotes
        and fragment("briefings/_quote_list.html", {"quotes": quotes, "in_article": True}),
        "text": page.text(),
        # Made of the article and everything in it, with absolute URLs on this site.
        "json_ld": kept(
            "json-ld",
            {
                "origin": absolute(request, "/"),
                "article": article,
                "whos_who": whos_who,
                "events": list(page.events.values()),
                "quotes": list(page.quotes.values()),
            },
            lambda: page.json_ld(request),
        ),
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
            article = get_object_or_404(Article.objects.published(), pk=state.pk)
            page = BriefingPage(article, briefing_mentions(article))
            context = briefing_context(request, article, page, previewing=False)
            html = render_to_string("briefings/briefing.html", context, request=request)
            return html, page.last_modified()

        response = render_cache.cached_page(request, state.key(request), render_page)
        return public_cache(request, response)

    articles = Article.objects.all() if previewing else Article.objects.published()
    article = get_object_or_404(articles, slug=slug)
    page = BriefingPage(article, briefing_mentions(article))

    def context() -> dict:
        return briefing_context(request, article, page, previewing=previewing)

    if previewing:
        response = HttpResponse(
            render_to_string("briefings/briefing.html", context(), request=request)
        )
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response
    return conditional_page(
        request,
        "briefings/briefing.html",
        context,
        etag=fingerprint(page.etag_parts()),
        last_modified=page.last_modified(),
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


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
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


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The latest briefings, filtered by the shared ArticleFilter; bad filters are explained.

    A filtered list says how many briefings it holds when the last page is reached, else "more
    than" those shown so far: counting every match of a popular filter would cost many pages.

    The actor filter is a text field: a slug (as links give), or a name or alias typed by the
    reader; one that names no public actor, or several, is explained with actors to choose from.
    """
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
    response = HttpResponse(
        render_to_string(
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
        ),
        status=status,
    )
    return public_cache(request, response)


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


def events_with(actor: Actor):
    """Public events the actor took part in, latest first, undated ones last."""
    # A join from the actor's participations, not EXISTS: PostgreSQL answered that by reading
    # every event (a hash join) for an actor with a thousand events.
    return (
        public_events()
        .filter(participations__actor=actor)
        .distinct()
        .select_related("place")
        .order_by(F("date").desc(nulls_last=True), "-title", "-pk")
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
    events = list(events_with(actor)[: OVERVIEW_EVENTS + 1])
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
    page = list_page(
        request, listed_quotes(speaker=actor) if section == "quotes" else events_with(actor)
    )
    if section == "quotes":
        parts = quote_parts(page.object_list)
        extra = {"quotes": quote_items(page.object_list)}
    else:
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
