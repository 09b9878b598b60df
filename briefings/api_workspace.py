"""Editor endpoints of the annotation workspace: suggestions, and look-ups of events and places.

Mounted under /api/editor/ by briefings.api, with the same session auth, CSRF check, permission
checks and version rule as the other editor endpoints. The operations themselves live in
briefings.annotations; these are thin adapters.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Field, ModelSchema, Query, Router, Schema, Status
from ninja.errors import HttpError

from briefings import annotations, schemas
from briefings.api import (
    EDITOR_READ,
    EDITOR_WRITE,
    EditorSession,
    SlugPath,
    check_version,
    editable_article,
    from_django_error,
    get_or_404,
    invalid,
    require,
    unique_slug,
)
from briefings.models import Actor, Event, Mention, Place, Suggestion

workspace = Router(tags=["editor"], auth=EditorSession())
workspace.add_decorator(never_cache, mode="view")

SuggestionKind = Literal[tuple(Suggestion.Kind.values)]
SuggestionStatus = Literal[tuple(Suggestion.Status.values)]


# Schemas -----------------------------------------------------------------------------------------


class SuggestionOut(ModelSchema):
    uid: uuid.UUID
    kind: SuggestionKind
    status: SuggestionStatus
    actor: schemas.ActorRef | None = Field(
        ..., description="The actor proposed, or the quote's proposed speaker."
    )
    event: schemas.EventRef | None = Field(
        ..., description="For a date: the event mentioned in its sentence."
    )
    value: dict[str, Any] = Field(
        ...,
        description="What is proposed: for a date its ISO date and precision; for a quote its "
        "cue, quote kind, addressee and whether it looks like a scare quote.",
    )

    class Meta:
        model = Suggestion
        fields = [
            "uid", "kind", "start", "end", "exact", "prefix", "suffix", "status", "reason",
            "confidence", "value",
        ]  # fmt: skip


class RunOut(Schema):
    created: dict[str, int] = Field(..., description="New suggestions by kind.")
    updated: int
    withdrawn: int = Field(..., description="Pending suggestions no longer proposed, removed.")
    already_annotated: int
    summary: str
    pending: list[SuggestionOut]


class AcceptIn(schemas.VersionIn):
    actor: str | None = Field(
        None, min_length=1, max_length=200, pattern=schemas.SLUG_PATTERN,
        description="Link an actor suggestion to this actor instead of the proposed one.",
    )  # fmt: skip
    speaker: str | None = Field(
        None, min_length=1, max_length=200, pattern=schemas.SLUG_PATTERN,
        description="A quote's speaker instead of the proposed one; null for unattributed.",
    )  # fmt: skip
    event: str | None = Field(
        None, min_length=1, max_length=200, pattern=schemas.SLUG_PATTERN,
        description="The event a date belongs to (required when none is proposed).",
    )  # fmt: skip
    fill_date: bool | None = Field(
        None, description="Write the date into the event; by default only when it has none."
    )
    cue: str | None = Field(None, max_length=50, pattern=schemas.TEXT_PATTERN)
    quote_kind: schemas.QuoteKind | None = None
    note: str = Field("", max_length=500, pattern=schemas.TEXT_PATTERN)


class AcceptOut(Schema):
    suggestion: SuggestionOut
    mention: schemas.EditorMentionOut
    event_dated: bool = Field(..., description="Whether the date was written into the event.")
    version: int = Field(..., description="The article's version after the change.")


class RejectOut(Schema):
    suggestion: SuggestionOut
    version: int = Field(..., description="The article's version (rejecting does not change it).")


class AcceptAllIn(schemas.VersionIn):
    kind: SuggestionKind


class SkippedOut(Schema):
    uid: uuid.UUID
    exact: str
    reason: str


class AcceptAllOut(Schema):
    accepted: list[schemas.EditorMentionOut]
    skipped: list[SkippedOut]
    summary: str
    version: int = Field(..., description="The article's version after the change.")


class PlaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, pattern=schemas.TEXT_PATTERN)
    country: str = Field("", max_length=100, pattern=schemas.TEXT_PATTERN)


class EventHit(schemas.EventRef):
    date_text: str
    place: schemas.PlaceOut | None
    fatalities: int | None
    injured: int | None

    class Meta:
        model = Event
        fields = ["slug", "title", "kind", "date", "date_precision", "date_text", "fatalities",
                  "injured"]  # fmt: skip


# Suggestions -----------------------------------------------------------------------------------


def pending_suggestions(article) -> list[Suggestion]:
    return list(article.suggestions.pending().select_related("actor", "event").order_by("start"))


def editable_suggestion(article, uid: uuid.UUID) -> Suggestion:
    queryset = article.suggestions.select_related("actor", "event", "article")
    return get_or_404(queryset, "suggestion in this briefing", uid=uid)


def loaded_mention(mention: Mention) -> Mention:
    return Mention.objects.with_targets().select_related("author").get(pk=mention.pk)


def as_422(exc: DjangoValidationError) -> Exception:
    if hasattr(exc, "error_dict"):
        return from_django_error(exc, {})
    return invalid(["body"], " ".join(exc.messages))


@workspace.get(
    "/briefings/{slug}/suggestions",
    response={200: list[SuggestionOut], 404: schemas.ErrorOut, **EDITOR_READ},
)
def list_suggestions(request: HttpRequest, slug: str = SlugPath):
    """The briefing's pending suggestions, in text order."""
    require(request, "view_article")
    return pending_suggestions(editable_article(slug))


@workspace.post("/briefings/{slug}/suggestions", response={200: RunOut, **EDITOR_WRITE})
def run_suggestions(request: HttpRequest, slug: str = SlugPath):
    """Run the suggester on the briefing's text and store its proposals as pending.

    Nothing public changes and the article keeps its version: suggestions are only shown in the
    workspace until an editor accepts them.
    """
    require(request, "change_article")
    article = editable_article(slug)
    result = annotations.run_suggestions(article, request.auth)
    return {
        "created": result.created,
        "updated": result.updated,
        "withdrawn": result.withdrawn,
        "already_annotated": result.already_annotated,
        "summary": result.summary(),
        "pending": pending_suggestions(article),
    }


@workspace.post(
    "/briefings/{slug}/suggestions/{uid}/accept", response={200: AcceptOut, **EDITOR_WRITE}
)
def accept_suggestion(
    request: HttpRequest, payload: AcceptIn, uid: uuid.UUID, slug: str = SlugPath
):
    """Accept a suggestion: it becomes an accepted mention (and for a quote, a quote).

    Actor suggestions may be linked to another actor, quotes given another speaker, cue or kind;
    a date needs its event and may write the date into it.
    """
    require(request, "change_article", "add_mention")
    article = editable_article(slug)
    suggestion = editable_suggestion(article, uid)
    check_version(article, payload.version)
    given = payload.model_dump(exclude_unset=True)
    options: dict[str, Any] = {
        "fill_date": payload.fill_date,
        "cue": payload.cue,
        "quote_kind": payload.quote_kind,
        "note": payload.note,
    }
    if payload.actor is not None:
        options["actor"] = get_or_404(Actor.objects.all(), "actor", slug=payload.actor)
    if "speaker" in given:
        options["speaker"] = (
            get_or_404(Actor.objects.all(), "actor", slug=payload.speaker)
            if payload.speaker is not None
            else None
        )
    if payload.event is not None:
        options["event"] = get_or_404(Event.objects.all(), "event", slug=payload.event)
    try:
        accepted = annotations.accept(
            suggestion, request.auth, expected_version=payload.version, **options
        )
    except annotations.SuggestionError as exc:
        raise as_422(exc) from None
    return {
        "suggestion": accepted.suggestion,
        "mention": loaded_mention(accepted.mention),
        "event_dated": accepted.event_dated,
        "version": accepted.suggestion.article.version,
    }


@workspace.post(
    "/briefings/{slug}/suggestions/{uid}/reject", response={200: RejectOut, **EDITOR_WRITE}
)
def reject_suggestion(request: HttpRequest, uid: uuid.UUID, slug: str = SlugPath):
    """Reject a suggestion. It is kept, so that running the suggester again does not bring it
    back; the audit trail records who rejected it."""
    require(request, "change_article")
    article = editable_article(slug)
    suggestion = editable_suggestion(article, uid)
    try:
        annotations.reject(suggestion, request.auth)
    except annotations.SuggestionError as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    return {"suggestion": suggestion, "version": article.version}


@workspace.post(
    "/briefings/{slug}/suggestions/accept-all", response={200: AcceptAllOut, **EDITOR_WRITE}
)
def accept_all_suggestions(request: HttpRequest, payload: AcceptAllIn, slug: str = SlugPath):
    """Accept every pending suggestion of one kind, as one revision.

    Scare quotes and dates with no event are left pending and listed in ``skipped``.
    """
    require(
        request,
        "change_article",
        "add_mention",
        *(["add_quote"] if payload.kind == "quote" else []),
    )
    article = editable_article(slug)
    check_version(article, payload.version)
    result = annotations.accept_all(
        article, payload.kind, request.auth, expected_version=payload.version
    )
    mentions = Mention.objects.with_targets().select_related("author")
    return {
        "accepted": list(mentions.filter(pk__in=[a.mention.pk for a in result.accepted])),
        "skipped": [{"uid": s.uid, "exact": s.exact, "reason": why} for s, why in result.skipped],
        "summary": result.summary(payload.kind),
        "version": article.version,
    }


# Look-ups for linking words ------------------------------------------------------------------
# Under /lookup/: the editor router already answers other methods on /events and /events/{slug},
# and one path is served by one router.


@workspace.get("/lookup/events", response={200: list[EventHit], **EDITOR_READ})
def search_events(request: HttpRequest, query: Query[schemas.EditorSearchQuery]):
    """Every event (public or not) whose title or date text contains ``q``, latest first."""
    require(request, "view_event")
    queryset = Event.objects.select_related("place").order_by("-date", "title")
    if query.q:
        queryset = queryset.filter(Q(title__icontains=query.q) | Q(date_text__icontains=query.q))
    return list(queryset[: query.limit])


@workspace.get("/lookup/places", response={200: list[schemas.PlaceOut], **EDITOR_READ})
def search_places(request: HttpRequest, query: Query[schemas.EditorSearchQuery]):
    """Every place whose name or country contains ``q``, by name."""
    require(request, "view_place")
    queryset = Place.objects.order_by("name")
    if query.q:
        queryset = queryset.filter(Q(name__icontains=query.q) | Q(country__icontains=query.q))
    return list(queryset[: query.limit])


@workspace.post("/places", response={201: schemas.PlaceOut, **EDITOR_WRITE})
def create_place(request: HttpRequest, payload: PlaceIn):
    """Create a place; its slug is made from the name."""
    require(request, "add_place")
    place = Place(slug=unique_slug(Place, payload.name), **payload.model_dump())
    try:
        place.full_clean()
    except DjangoValidationError as exc:
        raise from_django_error(exc, {}) from None
    place.save()
    return Status(201, place)
