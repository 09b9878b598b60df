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
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    prefetch_related_objects,
)
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from ninja import NinjaAPI, Path, Query, Router, Swagger
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from ninja.security import APIKeyCookie
from ninja.throttling import AnonRateThrottle
from ninja.utils import check_csrf

from briefings import filters, schemas
from briefings.models import (
    Actor,
    Article,
    Event,
    EventParticipant,
    Mention,
    Quote,
    StaleVersion,
    WorkflowError,
)

LD_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
SlugPath = Path(..., min_length=1, max_length=200, pattern=schemas.SLUG_PATTERN)


class AnonReadThrottle(AnonRateThrottle):
    """Anonymous requests per client address, at settings.BRIEFINGS_API_ANON_RATE.

    The rate is read on each request rather than once at import, so a changed setting (in tests,
    or a reloaded configuration) takes effect. Logged-in editors are not counted: their requests
    carry ``request.auth``.
    """

    def __init__(self) -> None:
        super().__init__(rate=settings.BRIEFINGS_API_ANON_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        if self.rate != settings.BRIEFINGS_API_ANON_RATE:
            self.rate = settings.BRIEFINGS_API_ANON_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


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
                "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.",
            )
        return user


class BriefingsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

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
        "Lists take `limit` (at most 100) and `offset` and answer with the total `count`. A filter "
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
        loc = ["body", names.get(field, field)] if field != "__all__" else ["body"]
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

    The ETag hashes the body, so anything that changes what a client sees changes it. A request
    that carries cookies may be answered with a Set-Cookie (a session refresh): that response is
    marked private so a shared cache never stores someone's cookie.
    """

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = run(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        visibility = {"private": True} if request.COOKIES else {"public": True}
        patch_cache_control(response, max_age=settings.BRIEFINGS_API_MAX_AGE, **visibility)
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapper


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
    data = query.model_dump(mode="json", exclude_none=True, exclude={"limit", "offset"})
    filterset = filterset_class(data=data, queryset=queryset)
    if filterset.is_valid():
        return filterset.qs
    errors = filterset.form.errors.as_data()
    if all(e.code in EMPTY_RESULT_CODES for errs in errors.values() for e in errs):
        return queryset.none()
    raise ValidationError(
        [
            {"type": e.code or "invalid", "loc": ["query", field], "msg": " ".join(e.messages)}
            for field, errs in errors.items()
            for e in errs
        ]
    )


def page(queryset: QuerySet, query: schemas.PageQuery) -> dict:
    return {
        "count": queryset.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(queryset[query.offset : query.offset + query.limit]),
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
    """Published briefings, newest first."""
    queryset = apply_filters(
        filters.ArticleFilter, query, Article.objects.published().for_listing()
    )
    return page(queryset, query)


def event_order(event: Event) -> tuple:
    return (event.date is None, event.date or datetime.date.min, event.title, event.pk)


@briefings_router.get("/{slug}", response=public_detail(schemas.BriefingDetail))
def get_briefing(request: HttpRequest, slug: str = SlugPath):
    """A published briefing: its text, the actors, events and quotes in it, and its mentions.

    Actors come in order of first mention, events by date (undated last). Mentions are the
    accepted ones that still sit on their words, in text order.
    """
    article = get_or_404(Article.objects.published(), "published briefing", slug=slug)
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
    article = get_or_404(Article.objects.published(), "published briefing", slug=slug)
    source = request.build_absolute_uri(article.get_absolute_url())
    collection_id = request.build_absolute_uri()
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
                "source": request.build_absolute_uri(target.get_absolute_url()),
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
    return page(queryset, query)


@actors_router.get("/{slug}", response=public_detail(schemas.ActorDetail))
def get_actor(request: HttpRequest, slug: str = SlugPath):
    """An actor, the published briefings that mention it, its events and its quotes."""
    actor = get_or_404(Actor.objects.public(), "public actor", slug=slug)
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
    queryset = (
        Event.objects.public().select_related("place").prefetch_related(public_participants())
    )
    event = get_or_404(queryset, "public event", slug=slug)
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


api.add_router("/briefings", briefings_router)
api.add_router("/actors", actors_router)
api.add_router("/events", events_router)
api.add_router("/quotes", quotes_router)
