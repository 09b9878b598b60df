"""The Briefings API: public reads of published briefings, and the editors' annotation endpoints.

One NinjaAPI, a Router per resource. Public endpoints serve only what a reader could see on the
site (Article.objects.published(), Actor/Event/Quote.objects.public()), are throttled per client
address and cacheable for a short while. Editor endpoints under /api/editor/ need a logged-in
session, a CSRF token, the model permission for what they do and, for anything that changes an
article's annotations or status, the article version the change is based on.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import (
    Exists,
    F,
    Lookup,
    OuterRef,
    Prefetch,
    ProtectedError,
    QuerySet,
    prefetch_related_objects,
)
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from ninja import NinjaAPI, Path, Query, Router, Schema, Status, Swagger
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from ninja.security import APIKeyCookie
from ninja.throttling import AnonRateThrottle
from ninja.utils import check_csrf

from briefings import anchoring, filters, schemas
from briefings import cache as render_cache
from briefings.models import (
    Actor,
    Article,
    AuditEntry,
    Event,
    EventParticipant,
    Mention,
    Place,
    Quote,
    StaleVersion,
    WorkflowError,
)

LD_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
SlugPath = Path(..., min_length=1, max_length=200, pattern=schemas.SLUG_PATTERN)


class AnonReadThrottle(AnonRateThrottle):
    """Public reads per client address, at settings.BRIEFINGS_API_ANON_RATE.

    A token bucket: an address may make up to the rate's number of requests at once, and gets
    them back evenly over the rate's period. Ninja's own throttle keeps the time of every
    request in the period and copies that list in and out of the cache on each request; at a
    generous rate the list is tens of thousands long and costs more than the response. The
    bucket is two numbers, whatever the rate.

    The rate is read on each request rather than once at import, so a changed setting (in tests,
    or a reloaded configuration) takes effect. Editor endpoints are not counted: their
    authenticated requests carry ``request.auth``; public reads count whoever makes them.
    """

    # Not ninja's "anon": a list it stored under that key (before a deploy) is no bucket.
    scope = "anon-read"

    def __init__(self) -> None:
        super().__init__(rate=settings.BRIEFINGS_API_ANON_RATE)
        self.retry_after: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        if self.rate != settings.BRIEFINGS_API_ANON_RATE:
            self.rate = settings.BRIEFINGS_API_ANON_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request)
        if key is None:
            return True
        now = self.timer()
        tokens, then = self.cache.get(key, (self.num_requests, now))
        tokens = min(self.num_requests, tokens + (now - then) * self.num_requests / self.duration)
        if tokens < 1:
            self.retry_after = (1 - tokens) * self.duration / self.num_requests
            return False
        # A bucket left alone for the period is full again: the entry can expire then.
        self.cache.set(key, (tokens - 1, now), self.duration)
        return True

    def wait(self) -> float | None:
        return self.retry_after


class EditorSession(APIKeyCookie):
    """Django's session login, with the CSRF check made once the user is known.

    Ninja's own SessionAuth checks CSRF first, so an anonymous caller would get a CSRF 403; here
    anonymous callers get 401 and a logged-in caller without a valid token gets 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: send the page's CSRF token in the X-CSRFToken header.",
            )
        return user


class BriefingsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        # Ninja locates body errors under the view's parameter name (["body", "payload", "end"]);
        # clients know the fields, not our parameter names.
        error = super().validation_error_from_error_contexts(error_contexts)
        for item in error.errors:
            loc = tuple(item["loc"])
            if loc[:2] == ("body", "payload"):
                item["loc"] = ("body", *loc[2:])
        return error

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        # The annotations export is JSON-LD; ninja documents every body as application/json.
        for path in schema["paths"].values():
            for operation in path.values():
                if operation.get("operationId") in LD_OPERATIONS:
                    content = operation["responses"][200]["content"]
                    content[LD_MEDIA_TYPE] = content.pop("application/json")
        return schema


LD_OPERATIONS = {"get_briefing_annotations"}

api = BriefingsAPI(
    title="Briefings API",
    version="1.0",
    description=(
        "Published briefings and the actors, events and quotes annotated in them.\n\n"
        "Lists take `limit` (at most 100) and `offset` and answer with the number of matches, "
        f"`count`, counted up to {schemas.COUNT_LIMIT:,}: `count_capped` is true when more match "
        "(page on with `offset` until a page comes back short). A filter "
        "value that is malformed is refused with 422 naming the parameter; a well-formed slug that "
        "names nothing public (or a date range that ends before it starts) selects nothing. "
        "Public responses carry an ETag (answer 304 to a matching If-None-Match) and may be "
        "cached for a short while. Anonymous clients are limited per address (429 when over). "
        "Endpoints under /api/editor/ need a logged-in session and the CSRF token in the "
        "X-CSRFToken header."
    ),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    throttle=[AnonReadThrottle()],
)


# Errors ----------------------------------------------------------------------------------------


@api.exception_handler(StaleVersion)
def stale_version(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
    body = {"detail": str(exc), "current_version": exc.current_version, "changes": exc.changes}
    return api.create_response(request, body, status=409)


@api.exception_handler(WorkflowError)
def workflow_error(request: HttpRequest, exc: WorkflowError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Permission denied."}, status=403)


def invalid(loc: Iterable[str | int], msg: str, code: str = "invalid") -> ValidationError:
    return ValidationError([{"type": code, "loc": list(loc), "msg": msg}])


def from_django_error(exc: DjangoValidationError, names: dict[str, str]) -> ValidationError:
    """The model's field errors as a 422, named after the request's fields."""
    errors = []
    for field, messages in exc.message_dict.items():
        name = names.get(field, field)
        loc = ["body", name] if name != "__all__" else ["body"]
        errors.extend({"type": "invalid", "loc": loc, "msg": m} for m in messages)
    return ValidationError(errors)


def not_found(what: str, key: str) -> HttpError:
    return HttpError(404, f"No {what} “{key}”.")


def get_or_404(queryset: QuerySet, what: str, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise not_found(what, next(iter(lookup.values()))) from None


PUBLIC_ERRORS = {422: schemas.ValidationErrorOut, 429: schemas.ErrorOut}


def public_list(model) -> dict:
    return {200: model, 304: None, **PUBLIC_ERRORS}


def public_detail(model) -> dict:
    return {200: model, 304: None, 404: schemas.ErrorOut, **PUBLIC_ERRORS}


# Caching ---------------------------------------------------------------------------------------


def public_cache(run: Callable) -> Callable:
    """ETag, conditional GET and Cache-Control on successful public reads.

    The ETag hashes the body, so anything that changes what a client sees changes it; a detail
    served through the render cache comes with the ETag of its cache key (and answers a
    matching If-None-Match itself, without a body). A request with a session cookie is
    answered with a Set-Cookie (sessions are saved on every request): that response is marked
    private so a shared cache never stores someone's session.
    """

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = run(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
            return response
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        visibility = {"private": True} if has_session else {"public": True}
        patch_cache_control(response, max_age=settings.BRIEFINGS_API_MAX_AGE, **visibility)
        if response.status_code == 304:
            return response
        if not response.has_header("ETag"):
            response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapper


def cached_detail(
    request: HttpRequest,
    slug: str,
    what: str,
    public: Callable[[], QuerySet],
    state_of: Callable[[str], render_cache.State | None],
    build: Callable[[HttpRequest, object], str],
    variant: str,
) -> HttpResponse:
    """A public detail's JSON, kept in the render cache (briefings.cache) per content version.

    ``state_of(slug)`` reads in one query whether the object is public and what its
    representation depends on; a hit then costs one cache read, a revalidation none. A miss, or
    the cache turned off, gets the object from ``public()`` and its JSON from ``build``.
    """
    if not render_cache.enabled():
        body = build(request, get_or_404(public(), what, slug=slug))
        return HttpResponse(body, content_type=api.get_content_type())
    state = state_of(slug)
    if state is None:
        raise not_found(what, slug)

    def render() -> tuple[str, None]:
        obj = public().filter(pk=state.pk).first()
        if obj is None:
            raise not_found(what, slug)
        return build(request, obj), None

    # Links are absolute: the configured site address is part of what the body is made of.
    key = state.key(request, variant, settings.SITE_URL)
    response = render_cache.cached_page(request, key, render)
    if response.status_code == 200:
        response["Content-Type"] = api.get_content_type()
    return response


def render_json(request: HttpRequest, data: object) -> str:
    return api.renderer.render(request, data, response_status=200)


def render_detail(request: HttpRequest, schema: type[Schema], obj: object) -> str:
    """``obj`` as the endpoint's response schema shapes it (schemas.dump), rendered as JSON."""
    return render_json(request, schemas.dump(schema, obj, {"request": request}))


def linked_data(run: Callable) -> Callable:
    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = run(request, *args, **kwargs)
        if response.status_code == 200:
            response["Content-Type"] = LD_MEDIA_TYPE
        return response

    return wrapper


# Filtering and paging --------------------------------------------------------------------------

# Well-formed values that name nothing public select nothing: the schema cannot list which slugs
# exist, so they are not errors. Malformed values never get this far (ninja answers 422).
EMPTY_RESULT_CODES = {"invalid_choice", "empty_range"}


def apply_filters(filterset_class, query: schemas.PageQuery, queryset: QuerySet) -> QuerySet:
    filterset = valid_filters(filterset_class, query, queryset)
    return queryset.none() if filterset is None else filterset.qs


def valid_filters(filterset_class, query: schemas.PageQuery, queryset: QuerySet):
    """The query's filters, validated; None when they can match nothing (an empty range)."""
    data = query.model_dump(mode="json", exclude_none=True, exclude={"limit", "offset"})
    filterset = filterset_class(data=data, queryset=queryset)
    if filterset.is_valid():
        return filterset
    errors = filterset.form.errors.as_data()
    if all(e.code in EMPTY_RESULT_CODES for errs in errors.values() for e in errs):
        return None
    raise ValidationError(
        [
            {"type": e.code or "invalid", "loc": ["query", field], "msg": " ".join(e.messages)}
            for field, errs in errors.items()
            for e in errs
        ]
    )


class IdIn(Lookup):
    """``pk IN (ids)``, sent to PostgreSQL as one array (``= ANY(%s)``): a thousand ids with a
    placeholder each cost more to build, send and parse than the query they select with."""

    lookup_name = "id_in"
    prepare_rhs = False

    def __init__(self, ids: list[int]):
        super().__init__(F("pk"), list(ids))

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor != "postgresql" or not self.rhs:
            In = self.lhs.output_field.get_lookup("in")
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]


def page(
    queryset: QuerySet,
    query: schemas.PageQuery,
    *,
    count_in_order: bool = False,
    ids: QuerySet | None = None,
) -> dict:
    """A page of the queryset, with the number of matches counted up to COUNT_LIMIT.

    Counting every match of a popular filter would read more rows the larger the archive: the
    matches' ids are read up to COUNT_LIMIT + 1, in no order, and the count says when there were
    more. The page's ids are picked before any row is read, from indexes alone where they cover
    the order and the filters (migration 0005): among the counted ids when they are all the
    matches (a search's rare word is not checked again row by row), else from the filtered
    queryset, which finds its first matches early.

    With ``count_in_order`` the ids are counted in the list's order, walking its index: for a
    list whose first rows in any other order are the costliest to check (actors by id, the most
    mentioned first; a search's oldest briefings, whose stored vectors a scan of the table
    reads through a small ring of buffers that keeps none of them). A page within the counted
    ids is then a slice of them, with no second look at the matches.

    ``ids`` gives the matches' ids in the list's order, read without their rows (a place's
    public articles from its facets, ArticleFilter.newest_ids): counted and paged as in order.
    """
    in_order = count_in_order or ids is not None
    if ids is None:
        ids = (queryset if count_in_order else queryset.order_by()).values_list("pk", flat=True)
    found = list(ids[: schemas.COUNT_LIMIT + 1])
    capped = len(found) > schemas.COUNT_LIMIT
    end = query.offset + query.limit
    if in_order and (not capped or end <= len(found)):
        window = found[query.offset : end]
    elif in_order and not count_in_order:
        window = list(ids[query.offset : end])
    else:
        among = queryset if capped else queryset.model._default_manager.filter(IdIn(found))
        order = queryset.query.order_by or queryset.model._meta.ordering
        window = among.order_by(*order).values("pk")[query.offset : end]
    return {
        "count": min(len(found), schemas.COUNT_LIMIT),
        "count_capped": capped,
        "limit": query.limit,
        "offset": query.offset,
        "items": list(queryset.filter(pk__in=window)) if found else [],
    }


# Visibility helpers ----------------------------------------------------------------------------


def public_participants() -> Prefetch:
    """Event participants, limited to public actors: events are shared between briefings, and a
    participant added while annotating a draft must not show before that draft is published."""
    queryset = EventParticipant.objects.filter(actor__in=Actor.objects.public()).select_related(
        "actor"
    )
    return Prefetch("participations", queryset=queryset, to_attr="participant_list")


def public_quotes() -> QuerySet:
    public_event = Mention.objects.filter(
        event=OuterRef("event"),
        status=Mention.Status.ACCEPTED,
        article__in=Article.objects.published(),
    )
    return (
        Quote.objects.public()
        .select_related("speaker", "addressee", "event", "article")
        .defer("article__body")
        .annotate(event_is_public=Exists(public_event))
    )


def visible_mentions(article: Article) -> QuerySet:
    """What readers see annotated: accepted mentions that still sit on their words."""
    return (
        article.mentions.accepted()
        .exclude(anchor_state=Mention.Anchor.ORPHANED)
        .with_targets()
        .select_related("event__place")
    )


# Public routers --------------------------------------------------------------------------------

briefings_router = Router(tags=["briefings"])
actors_router = Router(tags=["actors"])
events_router = Router(tags=["events"])
quotes_router = Router(tags=["quotes"])
for _router in (briefings_router, actors_router, events_router, quotes_router):
    _router.add_decorator(public_cache, mode="view")


@briefings_router.get("", response=public_list(schemas.BriefingPage))
def list_briefings(request: HttpRequest, query: Query[schemas.BriefingQuery]):
    """Published briefings, newest first.

    Kept in the render cache (briefings.cache.list_state) under the parameters as validated,
    so addresses that differ only in how they write the same filters share an entry; a
    malformed filter is a 422 as without the cache, and never kept.
    """
    state = render_cache.list_state() if render_cache.enabled() else None
    if state is None:
        return briefings_page(query)

    def render() -> tuple[str, None]:
        return render_detail(request, schemas.BriefingPage, briefings_page(query)), None

    params = sorted(query.model_dump(mode="json", exclude_none=True).items())
    # Links are absolute: the configured site address is part of what the body is made of.
    key = state.key(request, "api", params, settings.SITE_URL)
    response = render_cache.cached_page(request, key, render)
    if response.status_code == 200:
        response["Content-Type"] = api.get_content_type()
    return response


def briefings_page(query: schemas.BriefingQuery) -> dict:
    now = timezone.now()
    listing = Article.objects.published(now).for_listing()
    filterset = valid_filters(filters.ArticleFilter, query, listing)
    if filterset is None:
        return page(listing.none(), query)
    # A search counts its newest matches: the ones its first pages show; a place or an event
    # kind alone, its public articles in the facets' index.
    return page(
        filterset.qs,
        query,
        count_in_order=bool(query.q and query.q.strip()),
        ids=filterset.newest_ids(now),
    )


def event_order(event: Event) -> tuple:
    return (event.date is None, event.date or datetime.date.min, event.title, event.pk)


@briefings_router.get("/{slug}", response=public_detail(schemas.BriefingDetail))
def get_briefing(request: HttpRequest, slug: str = SlugPath):
    """A published briefing: its text, the actors, events and quotes in it, and its mentions.

    Actors come in order of first mention, events by date (undated last). Mentions are the
    accepted ones that still sit on their words, in text order.
    """
    return cached_detail(
        request,
        slug,
        "published briefing",
        Article.objects.published,
        render_cache.api_briefing_state,
        briefing_detail,
        "api",
    )


def briefing_detail(request: HttpRequest, article: Article) -> str:
    return render_detail(request, schemas.BriefingDetail, with_briefing_lists(article))


def with_briefing_lists(article: Article) -> Article:
    """The article with the actors, events, quotes and mentions its detail lists."""
    mentions = list(visible_mentions(article))
    actors, events = {}, {}
    for mention in mentions:
        if mention.actor_id is not None:
            actors.setdefault(mention.actor_id, mention.actor)
        elif mention.event_id is not None:
            events.setdefault(mention.event_id, mention.event)
    article.briefing_actors = list(actors.values())
    article.briefing_events = sorted(events.values(), key=event_order)
    prefetch_related_objects(article.briefing_events, public_participants())
    article.briefing_quotes = list(public_quotes().filter(article=article).order_by("id"))
    article.briefing_mentions = mentions
    return article


@briefings_router.get(
    "/{slug}/annotations",
    response=public_detail(schemas.AnnotationCollection),
    by_alias=True,
    exclude_none=True,
)
@decorate_view(linked_data)
def get_briefing_annotations(request: HttpRequest, slug: str = SlugPath):
    """The briefing's mentions as a W3C Web Annotation collection (JSON-LD).

    Each annotation targets the briefing with a TextQuoteSelector (exact, prefix, suffix) and a
    TextPositionSelector (code point offsets into the briefing's text, as in the detail's
    `body`). Its body identifies the actor, event or place (their public page) or describes the
    quote.
    """
    return cached_detail(
        request,
        slug,
        "published briefing",
        Article.objects.published,
        render_cache.briefing_state,
        briefing_annotations,
        "annotations",
    )


def briefing_annotations(request: HttpRequest, article: Article) -> str:
    # Built in the shape of schemas.AnnotationCollection (the tests check it is).
    return render_json(request, annotation_collection(request, article))


def annotation_collection(request: HttpRequest, article: Article) -> dict:
    source = schemas.absolute_url(request, article.get_absolute_url())
    collection_id = schemas.absolute_url(request, request.path)
    items = [annotation(request, mention, source) for mention in visible_mentions(article)]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{article.title}”",
        "total": len(items),
        "first": {
            "id": f"{collection_id}#page1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


def annotation(request: HttpRequest, mention: Mention, source: str) -> dict:
    summary = schemas.target_summary(mention)
    bodies = []
    target = mention.target
    if mention.kind in ("actor", "event"):
        bodies.append(
            {
                "type": "SpecificResource",
                "purpose": "identifying",
                "source": schemas.absolute_url(request, target.get_absolute_url()),
            }
        )
    bodies.append(
        {
            "type": "TextualBody",
            "purpose": "describing",
            "value": f"{mention.kind.capitalize()}: {summary['label']}",
            "format": "text/plain",
        }
    )
    return {
        "id": f"urn:uuid:{mention.uid}",
        "type": "Annotation",
        "motivation": "identifying" if mention.kind != "quote" else "describing",
        "created": mention.created_at,
        "modified": mention.updated_at,
        "body": bodies,
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": mention.exact,
                    "prefix": mention.prefix,
                    "suffix": mention.suffix,
                },
                {"type": "TextPositionSelector", "start": mention.start, "end": mention.end},
            ],
        },
    }


@actors_router.get("", response=public_list(schemas.ActorPage))
def list_actors(request: HttpRequest, query: Query[schemas.ActorQuery]):
    """Actors that published briefings mention, by name."""
    queryset = apply_filters(filters.ActorFilter, query, Actor.objects.public().order_by("name"))
    return page(queryset, query, count_in_order=True)


@actors_router.get("/{slug}", response=public_detail(schemas.ActorDetail))
def get_actor(request: HttpRequest, slug: str = SlugPath):
    """An actor, the published briefings that mention it, its events and its quotes."""
    return cached_detail(
        request,
        slug,
        "public actor",
        Actor.objects.public,
        render_cache.api_actor_state,
        actor_detail,
        "api",
    )


def actor_detail(request: HttpRequest, actor: Actor) -> str:
    return render_detail(request, schemas.ActorDetail, with_actor_lists(actor))


def with_actor_lists(actor: Actor) -> Actor:
    """The actor with the briefings, events and quotes its detail lists."""
    actor.briefing_list = list(
        Article.objects.published()
        .filter(mentions__actor=actor, mentions__status=Mention.Status.ACCEPTED)
        .distinct()
        .for_listing()
    )
    actor.event_list = list(Event.objects.public().filter(participations__actor=actor))
    actor.quote_list = list(public_quotes().filter(speaker=actor).order_by("-said_on", "id"))
    return actor


@events_router.get("", response=public_list(schemas.EventPage))
def list_events(request: HttpRequest, query: Query[schemas.EventQuery]):
    """Events that published briefings mention, by date."""
    queryset = (
        Event.objects.public()
        .select_related("place")
        .prefetch_related(public_participants())
        .order_by("date", "title", "id")
    )
    return page(apply_filters(filters.EventFilter, query, queryset), query)


@events_router.get("/{slug}", response=public_detail(schemas.EventDetail))
def get_event(request: HttpRequest, slug: str = SlugPath):
    """An event, who took part, the published briefings that mention it and quotes about it."""
    return cached_detail(
        request,
        slug,
        "public event",
        public_events,
        render_cache.api_event_state,
        event_detail,
        "api",
    )


def public_events() -> QuerySet:
    return Event.objects.public().select_related("place").prefetch_related(public_participants())


def event_detail(request: HttpRequest, event: Event) -> str:
    return render_detail(request, schemas.EventDetail, with_event_lists(event))


def with_event_lists(event: Event) -> Event:
    """The event (from public_events()) with the briefings and quotes its detail lists."""
    event.briefing_list = list(
        Article.objects.published()
        .filter(mentions__event=event, mentions__status=Mention.Status.ACCEPTED)
        .distinct()
        .for_listing()
    )
    event.quote_list = list(public_quotes().filter(event=event).order_by("said_on", "id"))
    return event


@quotes_router.get("", response=public_list(schemas.QuotePage))
def list_quotes(request: HttpRequest, query: Query[schemas.QuoteQuery]):
    """Quotes reported in published briefings, newest briefing first, in text order."""
    queryset = public_quotes().order_by("-article__publish_at", "-article_id", "id")
    return page(apply_filters(filters.QuoteFilter, query, queryset), query)


# Editor router ---------------------------------------------------------------------------------

# Other editor endpoints should be added to this router rather than to a second Router mounted at
# /editor: ninja serves each URL path from one router only, so a GET /events on a second router
# next to this router's POST /events would answer 405 (tests/test_api_schema.py catches it).
editor = Router(tags=["editor"], auth=EditorSession())
# Editors' responses are about unpublished work: no cache anywhere may keep them.
editor.add_decorator(never_cache, mode="view")

EDITOR_READ = {401: schemas.ErrorOut, 403: schemas.ErrorOut, 422: schemas.ValidationErrorOut}
EDITOR_WRITE = {
    400: schemas.ErrorOut,
    401: schemas.ErrorOut,
    403: schemas.ErrorOut,
    404: schemas.ErrorOut,
    409: schemas.ConflictOut,
    422: schemas.ValidationErrorOut,
}
EDITOR_DELETE = {code: model for code, model in EDITOR_WRITE.items() if code != 400}


def require(request: HttpRequest, *codenames: str) -> None:
    user = request.auth
    missing = [c for c in codenames if not user.has_perm(f"briefings.{c}")]
    if missing:
        needs = ", ".join(f"“{c}”" for c in missing)
        raise PermissionDenied(
            f"{user.get_username()} may not do this: it needs the {needs} permission."
        )


def editable_article(slug: str) -> Article:
    return get_or_404(Article.objects.all(), "briefing", slug=slug)


def check_version(article: Article, expected: int) -> None:
    """Refuse early a change based on an old version, before judging it against a newer body.

    The article's touch() or workflow method checks again under a row lock, which is what makes
    two concurrent changes safe; this check only gives the better answer (409, not 422) first.
    """
    if article.version != expected:
        raise article.stale(expected)


def check_span(body: str, start: int, end: int, exact: str | None) -> None:
    try:
        anchoring.validate(body, start, end, exact)
    except anchoring.SpanError as exc:
        if end > len(body) or start >= end:
            field = "end"
        elif exact is not None:
            field = "exact"
        else:
            field = "start"
        raise invalid(["body", field], str(exc).capitalize() + ".", "span") from None


TARGET_MODELS = {"actor": Actor, "event": Event, "place": Place}


def resolve_target(article: Article, target: schemas.TargetIn) -> dict:
    """The mention's four target fields, exactly one of them set."""
    loc = ["body", "target", "id"]
    if target.kind == "quote":
        try:
            uid = uuid.UUID(target.id)
        except ValueError:
            raise invalid(loc, f"“{target.id}” is not a quote uid.") from None
        obj = article.quotes.filter(uid=uid).select_related("speaker").first()
        if obj is None:
            raise invalid(loc, f"This briefing has no quote {uid}.")
    else:
        obj = TARGET_MODELS[target.kind].objects.filter(slug=target.id).first()
        if obj is None:
            raise invalid(loc, f"No {target.kind} “{target.id}”.")
    return {name: obj if name == target.kind else None for name in Mention.TARGETS}


def annotation_change(
    request: HttpRequest,
    article: Article,
    version: int,
    message: str,
    action: str,
    change: Callable[[], object],
):
    """Apply ``change`` as one versioned edit of the article.

    Article.editing() locks the row and checks the version and permission before the change
    runs, then records a new version, a revision and an audit entry; any error rolls back all.
    """
    with article.editing(
        request.auth, expected_version=version, message=message[:300], action=action
    ):
        return change()


def mention_change(mention: Mention, article: Article) -> dict:
    return {"mention": mention, "version": article.version}


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@editor.get(
    "/briefings/{slug}",
    response={200: schemas.EditorBriefingOut, 404: schemas.ErrorOut, **EDITOR_READ},
)
def get_editor_briefing(request: HttpRequest, slug: str = SlugPath):
    """Any briefing with every mention (suggested, rejected and orphaned too), for annotating."""
    require(request, "view_article")
    article = editable_article(slug)
    article.editor_mentions = list(
        article.mentions.with_targets().select_related("author").order_by("start", "end", "id")
    )
    return article


@editor.post("/briefings/{slug}/mentions", response={201: schemas.MentionChange, **EDITOR_WRITE})
def create_mention(request: HttpRequest, payload: schemas.MentionIn, slug: str = SlugPath):
    """Annotate a span of the body; exact, prefix and suffix are captured from the body."""
    require(request, "add_mention")
    article = editable_article(slug)
    check_version(article, payload.version)
    check_span(article.body, payload.start, payload.end, payload.exact)
    mention = Mention(
        article=article,
        start=payload.start,
        end=payload.end,
        status=payload.status,
        note=payload.note,
        author=request.auth,
        **resolve_target(article, payload.target),
    )
    mention.capture()
    message = f"Annotated “{short(mention.exact)}” as {mention.kind} {mention.target}"
    annotation_change(
        request, article, payload.version, message, AuditEntry.Action.ANNOTATED, mention.save
    )
    return Status(201, mention_change(mention, article))


def editable_mention(article: Article, uid: uuid.UUID) -> Mention:
    queryset = article.mentions.with_targets().select_related("author")
    return get_or_404(queryset, "mention in this briefing", uid=uid)


@editor.patch(
    "/briefings/{slug}/mentions/{uid}", response={200: schemas.MentionChange, **EDITOR_WRITE}
)
def update_mention(
    request: HttpRequest, payload: schemas.MentionPatch, uid: uuid.UUID, slug: str = SlugPath
):
    """Move a mention (new offsets are captured again), retarget it, change its status or note."""
    require(request, "change_mention")
    article = editable_article(slug)
    mention = editable_mention(article, uid)
    check_version(article, payload.version)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if {"start", "end", "exact"} & set(changes):
        start, end = changes.get("start", mention.start), changes.get("end", mention.end)
        check_span(article.body, start, end, changes.get("exact"))
        mention.start, mention.end = start, end
        mention.capture()
        mention.anchor_state = Mention.Anchor.ANCHORED
    if "target" in changes:
        for name, value in resolve_target(article, payload.target).items():
            setattr(mention, name, value)
    if "note" in changes:
        mention.note = changes["note"]
    action = AuditEntry.Action.ANNOTATION_CHANGED
    if "status" in changes and changes["status"] != mention.status:
        action = STATUS_ACTIONS[changes["status"]]
        mention.status = changes["status"]
    if not changes:
        return mention_change(mention, article)
    message = f"Changed the annotation “{short(mention.exact)}”"
    annotation_change(request, article, payload.version, message, action, mention.save)
    return mention_change(mention, article)


STATUS_ACTIONS = {
    Mention.Status.ACCEPTED: AuditEntry.Action.SUGGESTION_ACCEPTED,
    Mention.Status.REJECTED: AuditEntry.Action.SUGGESTION_REJECTED,
    Mention.Status.SUGGESTED: AuditEntry.Action.ANNOTATION_CHANGED,
}


def set_status(request: HttpRequest, slug: str, uid: uuid.UUID, version: int, status: str):
    require(request, "change_mention")
    article = editable_article(slug)
    mention = editable_mention(article, uid)
    check_version(article, version)
    if mention.status == status:
        return mention_change(mention, article)
    mention.status = status
    verb = "Accepted" if status == Mention.Status.ACCEPTED else "Rejected"
    message = f"{verb} the suggestion “{short(mention.exact)}” → {mention.target}"
    annotation_change(request, article, version, message, STATUS_ACTIONS[status], mention.save)
    return mention_change(mention, article)


@editor.post(
    "/briefings/{slug}/mentions/{uid}/accept", response={200: schemas.MentionChange, **EDITOR_WRITE}
)
def accept_mention(
    request: HttpRequest, payload: schemas.VersionIn, uid: uuid.UUID, slug: str = SlugPath
):
    """Accept a suggested (or rejected) mention: it becomes public with a published briefing."""
    return set_status(request, slug, uid, payload.version, Mention.Status.ACCEPTED)


@editor.post(
    "/briefings/{slug}/mentions/{uid}/reject", response={200: schemas.MentionChange, **EDITOR_WRITE}
)
def reject_mention(
    request: HttpRequest, payload: schemas.VersionIn, uid: uuid.UUID, slug: str = SlugPath
):
    """Reject a mention: it is kept (so the suggester does not offer it again) but never shown."""
    return set_status(request, slug, uid, payload.version, Mention.Status.REJECTED)


VersionQuery = Query(..., ge=1, description="The article version the change is based on.")


@editor.delete(
    "/briefings/{slug}/mentions/{uid}", response={200: schemas.DeletedOut, **EDITOR_DELETE}
)
def delete_mention(
    request: HttpRequest, uid: uuid.UUID, version: int = VersionQuery, slug: str = SlugPath
):
    """Delete a mention. Annotators reject suggestions instead; deleting needs delete_mention."""
    require(request, "delete_mention")
    article = editable_article(slug)
    mention = editable_mention(article, uid)
    check_version(article, version)
    message = f"Deleted the annotation “{short(mention.exact)}” → {mention.target}"
    annotation_change(
        request, article, version, message, AuditEntry.Action.ANNOTATION_DELETED, mention.delete
    )
    return {"id": str(uid), "version": article.version}


# Actors and events are shared between briefings and carry no article version.


def unique_slug(model, text: str) -> str:
    base = slugify(text)[:180].strip("-") or model._meta.model_name
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def validate_model(obj, names: dict[str, str] | None = None) -> None:
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        raise from_django_error(exc, names or {}) from None


def save_model(obj, names: dict[str, str] | None = None) -> None:
    validate_model(obj, names)
    obj.save()


@editor.get("/actors", response={200: list[schemas.ActorOut], **EDITOR_READ})
def search_actors(request: HttpRequest, query: Query[schemas.EditorSearchQuery]):
    """Every actor (public or not) whose name or alias contains ``q``, for linking mentions."""
    require(request, "view_actor")
    queryset = Actor.objects.order_by("name")
    if query.q:
        queryset = filters.ActorFilter(data={"q": query.q}, queryset=queryset).qs
    return list(queryset[: query.limit])


@editor.post("/actors", response={201: schemas.ActorOut, **EDITOR_WRITE})
def create_actor(request: HttpRequest, payload: schemas.ActorIn):
    """Create an actor; its slug is made from the name unless given."""
    require(request, "add_actor")
    data = payload.model_dump()
    slug = data.pop("slug")
    if slug and Actor.objects.filter(slug=slug).exists():
        raise HttpError(409, f"An actor “{slug}” exists already.")
    actor = Actor(slug=slug or unique_slug(Actor, payload.name), **data)
    save_model(actor)
    return Status(201, actor)


@editor.patch("/actors/{slug}", response={200: schemas.ActorOut, **EDITOR_WRITE})
def update_actor(request: HttpRequest, payload: schemas.ActorPatch, slug: str = SlugPath):
    """Change an actor. It changes in every briefing that mentions it, published ones too."""
    require(request, "change_actor")
    actor = get_or_404(Actor.objects.all(), "actor", slug=slug)
    for name, value in payload.model_dump(exclude_unset=True).items():
        setattr(actor, name, value)
    save_model(actor)
    return actor


@editor.delete("/actors/{slug}", response={200: schemas.DeletedOut, **EDITOR_DELETE})
def delete_actor(request: HttpRequest, slug: str = SlugPath):
    """Delete an actor that nothing refers to any more."""
    require(request, "delete_actor")
    actor = get_or_404(Actor.objects.all(), "actor", slug=slug)
    try:
        actor.delete()
    except ProtectedError as exc:
        raise HttpError(
            409,
            f"“{actor}” is still used by {len(exc.protected_objects)} mention(s), quote(s) or "
            "event participation(s); remove those first.",
        ) from None
    return {"id": slug, "version": None}


def event_with_participants(event: Event) -> Event:
    event.participant_list = list(event.participations.select_related("actor"))
    return event


def set_participants(event: Event, participants: list[schemas.ParticipantIn]) -> None:
    slugs = {p.actor for p in participants}
    actors = {a.slug: a for a in Actor.objects.filter(slug__in=slugs)}
    for i, p in enumerate(participants):
        if p.actor not in actors:
            raise invalid(["body", "participants", i, "actor"], f"No actor “{p.actor}”.")
    wanted = {(actors[p.actor].pk, p.role) for p in participants}
    existing = {(p.actor_id, p.role): p for p in event.participations.all()}
    for key, participation in existing.items():
        if key not in wanted:
            participation.delete()
    EventParticipant.objects.bulk_create(
        [EventParticipant(event=event, actor_id=a, role=r) for a, r in wanted - set(existing)]
    )


def event_place(slug: str | None) -> Place | None:
    if slug is None:
        return None
    place = Place.objects.filter(slug=slug).first()
    if place is None:
        raise invalid(["body", "place"], f"No place “{slug}”.")
    return place


@editor.post("/events", response={201: schemas.EventOut, **EDITOR_WRITE})
def create_event(request: HttpRequest, payload: schemas.EventIn):
    """Create an event with its participants; a date without a precision is a day."""
    require(request, "add_event", *(["add_eventparticipant"] if payload.participants else []))
    data = payload.model_dump(exclude={"participants", "slug", "place"})
    if payload.date is not None and payload.date_precision is None:
        data["date_precision"] = Event.Precision.DAY
    data["date_precision"] = data["date_precision"] or ""
    slug = payload.slug
    if slug and Event.objects.filter(slug=slug).exists():
        raise HttpError(409, f"An event “{slug}” exists already.")
    event = Event(slug=slug or unique_slug(Event, payload.title), **data)
    event.place = event_place(payload.place)
    with transaction.atomic():
        save_model(event, {"__all__": "date_precision"})
        set_participants(event, payload.participants)
    return Status(201, event_with_participants(event))


@editor.patch("/events/{slug}", response={200: schemas.EventOut, **EDITOR_WRITE})
def update_event(request: HttpRequest, payload: schemas.EventPatch, slug: str = SlugPath):
    """Change an event; ``participants``, when given, replaces the whole list."""
    event = get_or_404(Event.objects.all(), "event", slug=slug)
    changes = payload.model_dump(exclude_unset=True)
    perms = ["change_event"]
    if "participants" in changes:
        perms += ["add_eventparticipant", "delete_eventparticipant"]
    require(request, *perms)
    if "place" in changes:
        event.place = event_place(changes.pop("place"))
    participants = changes.pop("participants", None)
    for name, value in changes.items():
        setattr(event, name, "" if name == "date_precision" and value is None else value)
    if "date" in changes and event.date is None:
        event.date_precision = ""
    elif event.date is not None and not event.date_precision:
        event.date_precision = Event.Precision.DAY
    with transaction.atomic():
        save_model(event, {"__all__": "date_precision"})
        if participants is not None:
            set_participants(event, payload.participants)
    return event_with_participants(event)


@editor.delete("/events/{slug}", response={200: schemas.DeletedOut, **EDITOR_DELETE})
def delete_event(request: HttpRequest, slug: str = SlugPath):
    """Delete an event that no mention points to any more."""
    require(request, "delete_event")
    event = get_or_404(Event.objects.all(), "event", slug=slug)
    try:
        event.delete()
    except ProtectedError as exc:
        raise HttpError(
            409,
            f"“{event}” is still mentioned {len(exc.protected_objects)} time(s); remove those "
            "mentions first.",
        ) from None
    return {"id": slug, "version": None}


# Quotes belong to one briefing: changing them changes its version.


def quote_refs(changes: dict) -> dict:
    refs = {}
    for name, model in (("speaker", Actor), ("addressee", Actor), ("event", Event)):
        if name not in changes:
            continue
        slug = changes[name]
        obj = model.objects.filter(slug=slug).first() if slug is not None else None
        if slug is not None and obj is None:
            raise invalid(["body", name], f"No {model._meta.verbose_name} “{slug}”.")
        refs[name] = obj
    return refs


def quote_change(quote: Quote, article: Article) -> dict:
    quote = Quote.objects.select_related("speaker", "addressee", "event").get(pk=quote.pk)
    quote.article = article
    return {"quote": quote, "version": article.version}


@editor.post("/briefings/{slug}/quotes", response={201: schemas.EditorQuoteOut, **EDITOR_WRITE})
def create_quote(request: HttpRequest, payload: schemas.QuoteIn, slug: str = SlugPath):
    """Record a quote the briefing reports; link its words with a quote mention."""
    require(request, "add_quote")
    article = editable_article(slug)
    check_version(article, payload.version)
    data = payload.model_dump(exclude={"version"})
    quote = Quote(article=article, **{**data, **quote_refs(data)})
    validate_model(quote)
    message = f"Added the quote “{short(quote.text)}”"
    annotation_change(
        request, article, payload.version, message, AuditEntry.Action.ANNOTATED, quote.save
    )
    return Status(201, quote_change(quote, article))


@editor.patch(
    "/briefings/{slug}/quotes/{uid}", response={200: schemas.EditorQuoteOut, **EDITOR_WRITE}
)
def update_quote(
    request: HttpRequest, payload: schemas.QuotePatch, uid: uuid.UUID, slug: str = SlugPath
):
    """Change a quote's words, speaker, addressee, kind, date or event."""
    require(request, "change_quote")
    article = editable_article(slug)
    quote = get_or_404(article.quotes.all(), "quote in this briefing", uid=uid)
    check_version(article, payload.version)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    for name, value in {**changes, **quote_refs(changes)}.items():
        setattr(quote, name, value)
    if not changes:
        return quote_change(quote, article)
    validate_model(quote)
    message = f"Changed the quote “{short(quote.text)}”"
    annotation_change(
        request, article, payload.version, message, AuditEntry.Action.ANNOTATION_CHANGED, quote.save
    )
    return quote_change(quote, article)


@editor.delete(
    "/briefings/{slug}/quotes/{uid}", response={200: schemas.DeletedOut, **EDITOR_DELETE}
)
def delete_quote(
    request: HttpRequest, uid: uuid.UUID, version: int = VersionQuery, slug: str = SlugPath
):
    """Delete a quote and the mentions of its words."""
    article = editable_article(slug)
    quote = get_or_404(article.quotes.all(), "quote in this briefing", uid=uid)
    require(request, "delete_quote", *(["delete_mention"] if quote.mentions.exists() else []))
    check_version(article, version)
    message = f"Deleted the quote “{short(quote.text)}”"
    annotation_change(
        request, article, version, message, AuditEntry.Action.ANNOTATION_DELETED, quote.delete
    )
    return {"id": str(uid), "version": article.version}


# Workflow: the Article methods check permissions, states and the version themselves.

TRANSITION_FIELDS = {
    "review_comment": "comment",
    "unpublished_reason": "reason",
    "publish_at": "at",
}


def transition(request: HttpRequest, slug: str, move: Callable[[Article], object]) -> Article:
    article = editable_article(slug)
    try:
        move(article)
    except DjangoValidationError as exc:
        raise from_django_error(exc, TRANSITION_FIELDS) from None
    return article


TRANSITION_RESPONSES = {200: schemas.TransitionOut, **EDITOR_WRITE}


@editor.post("/briefings/{slug}/submit", response=TRANSITION_RESPONSES)
def submit_briefing(request: HttpRequest, payload: schemas.VersionIn, slug: str = SlugPath):
    """Draft or unpublished → in review (change_article)."""
    return transition(
        request,
        slug,
        lambda a: a.submit_for_review(request.auth, expected_version=payload.version),
    )


@editor.post("/briefings/{slug}/send-back", response=TRANSITION_RESPONSES)
def send_back_briefing(request: HttpRequest, payload: schemas.SendBackIn, slug: str = SlugPath):
    """In review → draft, with a comment for the annotator (publish_article)."""
    return transition(
        request,
        slug,
        lambda a: a.send_back(request.auth, payload.comment, expected_version=payload.version),
    )


@editor.post("/briefings/{slug}/publish", response=TRANSITION_RESPONSES)
def publish_briefing(request: HttpRequest, payload: schemas.PublishIn, slug: str = SlugPath):
    """Publish now, or schedule for a future ``at`` (publish_article)."""
    return transition(
        request,
        slug,
        lambda a: a.publish(request.auth, at=payload.at, expected_version=payload.version),
    )


@editor.post("/briefings/{slug}/unpublish", response=TRANSITION_RESPONSES)
def unpublish_briefing(request: HttpRequest, payload: schemas.UnpublishIn, slug: str = SlugPath):
    """Withdraw a published or scheduled briefing, with a reason (publish_article)."""
    return transition(
        request,
        slug,
        lambda a: a.unpublish(request.auth, payload.reason, expected_version=payload.version),
    )


@editor.post("/briefings/{slug}/revert", response=TRANSITION_RESPONSES)
def revert_briefing(request: HttpRequest, payload: schemas.RevertIn, slug: str = SlugPath):
    """Restore a revision's text, quotes and mentions as a new revision (publish_article)."""

    def move(article: Article) -> None:
        revision = article.revisions.filter(number=payload.revision).first()
        if revision is None:
            raise invalid(
                ["body", "revision"], f"This briefing has no revision {payload.revision}."
            )
        article.revert(
            revision, request.auth, expected_version=payload.version, message=payload.message
        )

    return transition(request, slug, move)


api.add_router("/briefings", briefings_router)
api.add_router("/actors", actors_router)
api.add_router("/events", events_router)
api.add_router("/quotes", quotes_router)
api.add_router("/editor", editor)

# The annotation workspace's endpoints (suggestions; event and place look-ups), also under
# /api/editor/ with the same auth: briefings.api_workspace.
from briefings.api_workspace import workspace  # noqa: E402

api.add_router("/editor", workspace)
