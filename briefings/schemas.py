"""Request and response schemas of the API.

Model schemas name their fields one by one, so a new model field is never published by accident.
Constraints that the API enforces are written into the schema (patterns, lengths, ranges, enums),
so that the OpenAPI document tells clients exactly which requests are valid.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import re
import types
import typing
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.db.models import Manager, QuerySet
from django.urls import reverse
from ninja import Field, ModelSchema, Schema
from pydantic import BaseModel, BeforeValidator

from briefings.models import (
    MENTION_TARGETS,
    Actor,
    Article,
    Event,
    EventParticipant,
    Mention,
    Place,
    Quote,
)

# Slugs as the models make them; anything else cannot name a row, and a NUL byte would not even
# reach PostgreSQL.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
TEXT_PATTERN = r"^[^\x00]*$"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 100_000
# Lists count their matches up to this many: counting a popular filter's every match would take
# longer the larger the corpus grows, and no one pages through more than this by hand.
COUNT_LIMIT = 1_000


def _iso_text(pattern: str, what: str):
    regex = re.compile(pattern)

    def check(value: Any) -> Any:
        # Pydantic would also take numbers (as Unix times) and other spellings; the schema
        # promises ISO 8601 text, so that is all that is accepted.
        if isinstance(value, str) and not regex.fullmatch(value):
            raise ValueError(f"Give {what}.")
        if not isinstance(value, str | datetime.date):
            raise ValueError(f"Give {what} as a string.")
        return value

    return BeforeValidator(check)


IsoDate = Annotated[datetime.date, _iso_text(r"\d{4}-\d{2}-\d{2}", "the date as YYYY-MM-DD")]
IsoDateTime = Annotated[
    datetime.datetime,
    _iso_text(
        r"(?i)\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})",
        "the time as YYYY-MM-DDTHH:MM with a time zone, e.g. 2023-01-30T09:00+01:00",
    ),
]

ActorKind = Literal[tuple(Actor.Kind.values)]
EventKind = Literal[tuple(Event.Kind.values)]
DatePrecision = Literal[tuple(Event.Precision.values)]
ParticipantRole = Literal[tuple(EventParticipant.Role.values)]
QuoteKind = Literal[tuple(Quote.Kind.values)]
MentionStatus = Literal[tuple(Mention.Status.values)]
AnchorState = Literal[tuple(Mention.Anchor.values)]
TargetKind = Literal[MENTION_TARGETS]
ArticleStatus = Literal[tuple(Article.Status.values)]

Slug = str


def absolute_url(request, path: str) -> str:
    """The site's canonical address when configured (as in feeds and the sitemap), else the
    address the request came to."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path) if request is not None else path


def absolute(context: dict | None, path: str) -> str:
    return absolute_url((context or {}).get("request"), path)


# Output of trusted objects --------------------------------------------------------------------


def dump(schema: type[Schema], obj: Any, context: dict) -> dict:
    """What ``schema.model_validate(obj, context=context).model_dump()`` returns, for an object
    the server shaped itself (model rows with the lists a view attached), without validating.

    Validation runs ninja's getter and pydantic's checks on every field of every nested object:
    for a briefing's detail, hundreds of objects and a third of the request. This reads the
    same attributes and resolvers in the schema's field order, and converts what validation
    would have converted on the way out (Decimal coordinates to float). The API's tests compare
    the two on every detail endpoint.
    """
    return _plan(schema)(obj, context)


Convert = Callable[[Any, dict], Any]


@functools.cache
def _plan(schema: type[Schema]) -> Convert:
    steps = []
    for name, field in schema.model_fields.items():
        resolver = getattr(schema, f"resolve_{name}", None)
        takes_context = resolver is not None and "context" in inspect.signature(resolver).parameters
        steps.append((name, resolver, takes_context, _converter(field.annotation)))

    def run(obj: Any, context: dict) -> dict:
        out = {}
        for name, resolver, takes_context, convert in steps:
            if resolver is None:
                value = obj[name] if isinstance(obj, dict) else getattr(obj, name)
                # As ninja's getter: related managers and querysets are listed, methods called.
                if isinstance(value, Manager):
                    value = list(value.all())
                elif isinstance(value, QuerySet):
                    value = list(value)
                elif callable(value):
                    value = value()
            elif takes_context:
                value = resolver(obj, context=context)
            else:
                value = resolver(obj)
            out[name] = value if convert is None or value is None else convert(value, context)
        return out

    return run


def _converter(annotation: Any) -> Convert | None:
    """How a value of this type changes on output; None when it does not."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _converter(args[0])
    if origin in (typing.Union, types.UnionType):
        converters = {_converter(a) for a in args if a is not type(None)}
        if len(converters) > 1:
            raise TypeError(f"dump() cannot choose between the types of {annotation}")
        return converters.pop()
    if origin is list:
        item = _converter(args[0])
        if item is None:
            return lambda value, context: list(value)
        return lambda value, context: [item(v, context) for v in value]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lambda value, context: _plan(annotation)(value, context)
    if annotation is float:
        return lambda value, context: float(value)
    return None


# Errors ----------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(..., description="What went wrong, in words.")


class ValidationErrorItem(Schema):
    type: str = Field(..., description="A short error code, e.g. 'invalid' or 'string_too_long'.")
    loc: list[str | int] = Field(
        ..., description="Where the error is: ['query', 'date_from'], ['body', 'start'], …"
    )
    msg: str = Field(..., description="What is wrong with it.")
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    detail: list[ValidationErrorItem]


class ConflictOut(Schema):
    detail: str
    current_version: int | None = Field(
        None, description="The article's version now, when the conflict is a stale version."
    )
    changes: list[str] = Field(
        default_factory=list, description="What changed since the version the request was based on."
    )


# Query parameters ------------------------------------------------------------------------------


class PageQuery(Schema):
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


def _slug_param(description: str):
    return Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN, description=description)


class BriefingQuery(PageQuery):
    q: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=TEXT_PATTERN,
        description="Words that must all appear in the title, standfirst or text.",
    )
    actor: Slug | None = _slug_param("Only briefings that mention this actor (slug).")
    event_kind: EventKind | None = Field(None, description="Only briefings with such an event.")
    place: Slug | None = _slug_param("Only briefings that mention this place or an event there.")
    date_from: IsoDate | None = Field(None, description="Dateline on or after this day.")
    date_to: IsoDate | None = Field(None, description="Dateline on or before this day.")


class ActorQuery(PageQuery):
    q: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=TEXT_PATTERN,
        description="Part of the name or of an alias.",
    )
    kind: ActorKind | None = None


class EventQuery(PageQuery):
    kind: EventKind | None = None
    place: Slug | None = _slug_param("Only events at this place (slug).")
    actor: Slug | None = _slug_param("Only events this actor took part in (slug).")
    date_from: IsoDate | None = Field(None, description="Events on or after this day.")
    date_to: IsoDate | None = Field(None, description="Events on or before this day.")


class QuoteQuery(PageQuery):
    speaker: Slug | None = _slug_param("Only quotes by this actor (slug).")
    briefing: Slug | None = _slug_param("Only quotes reported in this briefing (slug).")
    date_from: IsoDate | None = Field(None, description="Said on or after this day.")
    date_to: IsoDate | None = Field(None, description="Said on or before this day.")


# References (small embedded summaries) ---------------------------------------------------------


class ActorRef(ModelSchema):
    kind: ActorKind
    url: str = Field(..., description="The actor's public page.")

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind"]

    @staticmethod
    def resolve_url(obj: Actor, context) -> str:
        return absolute(context, obj.get_absolute_url())


class PlaceOut(ModelSchema):
    latitude: float | None
    longitude: float | None

    class Meta:
        model = Place
        fields = ["slug", "name", "country", "latitude", "longitude"]


class EventRef(ModelSchema):
    kind: EventKind
    date_precision: DatePrecision | Literal[""]
    url: str = Field(..., description="The event's public page.")

    class Meta:
        model = Event
        fields = ["slug", "title", "kind", "date", "date_precision"]

    @staticmethod
    def resolve_url(obj: Event, context) -> str:
        return absolute(context, obj.get_absolute_url())


class BriefingRef(ModelSchema):
    url: str = Field(..., description="The briefing's public page.")

    class Meta:
        model = Article
        fields = ["slug", "title", "dateline"]

    @staticmethod
    def resolve_url(obj: Article, context) -> str:
        return absolute(context, obj.get_absolute_url())


# Actors, events, quotes ------------------------------------------------------------------------


class ActorOut(ModelSchema):
    kind: ActorKind
    aliases: list[str]
    url: str = Field(..., description="The actor's public page.")

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "role", "description", "aliases", "wikidata_id"]

    @staticmethod
    def resolve_url(obj: Actor, context) -> str:
        return absolute(context, obj.get_absolute_url())


class ParticipantOut(Schema):
    actor: ActorRef
    role: ParticipantRole


class EventOut(ModelSchema):
    kind: EventKind
    date_precision: DatePrecision | Literal[""] = Field(
        ..., description="How precise the date is; empty when the date is unknown."
    )
    date_text: str = Field(..., description="The words the date was resolved from.")
    place: PlaceOut | None
    fatalities: int | None = Field(..., description="Deaths; null when the source gives none.")
    injured: int | None = Field(..., description="Injured; null when the source gives none.")
    participants: list[ParticipantOut]
    url: str = Field(..., description="The event's public page.")

    class Meta:
        model = Event
        fields = [
            "slug", "title", "kind", "date", "date_precision", "date_text", "fatalities",
            "injured", "description",
        ]  # fmt: skip

    @staticmethod
    def resolve_participants(obj: Event) -> list:
        # Prefetched by the view: public participants only on public endpoints.
        return obj.participant_list

    @staticmethod
    def resolve_url(obj: Event, context) -> str:
        return absolute(context, obj.get_absolute_url())


class QuoteOut(ModelSchema):
    uid: uuid.UUID
    kind: QuoteKind
    speaker: ActorRef | None = Field(..., description="Null when the source does not say.")
    addressee: ActorRef | None = Field(..., description="Who it was said to, or the medium.")
    event: EventRef | None = Field(..., description="The event the words are about.")
    briefing: BriefingRef = Field(..., description="The briefing that reports the words.")

    class Meta:
        model = Quote
        fields = ["uid", "text", "cue", "kind", "said_on"]

    @staticmethod
    def resolve_event(obj: Quote):
        # Events are shared between briefings: one only reachable from drafts stays hidden.
        return obj.event if getattr(obj, "event_is_public", False) else None

    @staticmethod
    def resolve_briefing(obj: Quote) -> Article:
        return obj.article


class ActorDetail(ActorOut):
    briefings: list[BriefingRef] = Field(..., description="Published briefings that mention it.")
    events: list[EventRef] = Field(..., description="Public events it took part in.")
    quotes: list[QuoteOut] = Field(..., description="Its published quotes.")

    @staticmethod
    def resolve_briefings(obj: Actor) -> list:
        return obj.briefing_list

    @staticmethod
    def resolve_events(obj: Actor) -> list:
        return obj.event_list

    @staticmethod
    def resolve_quotes(obj: Actor) -> list:
        return obj.quote_list


class EventDetail(EventOut):
    briefings: list[BriefingRef] = Field(..., description="Published briefings that mention it.")
    quotes: list[QuoteOut] = Field(..., description="Published quotes about it.")

    @staticmethod
    def resolve_briefings(obj: Event) -> list:
        return obj.briefing_list

    @staticmethod
    def resolve_quotes(obj: Event) -> list:
        return obj.quote_list


# Briefings -------------------------------------------------------------------------------------


class BriefingSummary(ModelSchema):
    published_at: datetime.datetime = Field(..., description="When it became public.")
    url: str = Field(..., description="The briefing's public page.")

    class Meta:
        model = Article
        fields = ["slug", "title", "standfirst", "dateline", "source"]

    @staticmethod
    def resolve_published_at(obj: Article) -> datetime.datetime:
        return obj.publish_at

    @staticmethod
    def resolve_url(obj: Article, context) -> str:
        return absolute(context, obj.get_absolute_url())


class TargetOut(Schema):
    kind: TargetKind
    id: str = Field(..., description="The slug of an actor, event or place; a quote's uid.")
    label: str = Field(..., description="A name, a title, or the quoted words and speaker.")


class MentionOut(ModelSchema):
    uid: uuid.UUID
    anchor_state: AnchorState
    target: TargetOut

    class Meta:
        model = Mention
        fields = ["uid", "start", "end", "exact", "prefix", "suffix", "anchor_state"]

    @staticmethod
    def resolve_target(obj: Mention) -> dict:
        return target_summary(obj)


def target_summary(mention: Mention) -> dict:
    kind = mention.kind
    target = mention.target
    if kind == "quote":
        words = target.text if len(target.text) <= 80 else target.text[:79] + "…"
        speaker = target.speaker.name if target.speaker_id else "unattributed"
        return {"kind": kind, "id": str(target.uid), "label": f"“{words}” — {speaker}"}
    label = target.title if kind == "event" else target.name
    return {"kind": kind, "id": target.slug, "label": label}


class BriefingDetail(ModelSchema):
    published_at: datetime.datetime = Field(..., description="When it became public.")
    body: str = Field(
        ...,
        description="Plain text; paragraphs are separated by a blank line, a paragraph starting "
        "with '## ' is a subheading. Mention offsets index this text in code points.",
    )
    url: str = Field(..., description="The briefing's public page.")
    annotations_url: str = Field(..., description="The mentions as W3C Web Annotations.")
    actors: list[ActorOut] = Field(..., description="Actors the text mentions, by first mention.")
    events: list[EventOut] = Field(..., description="Events the text mentions, by date.")
    quotes: list[QuoteOut]
    mentions: list[MentionOut] = Field(..., description="Accepted mentions in text order.")

    class Meta:
        model = Article
        fields = [
            "slug", "title", "standfirst", "body", "source", "source_url", "agency", "language",
            "translated_from", "dateline", "version", "updated_at",
        ]  # fmt: skip

    @staticmethod
    def resolve_published_at(obj: Article) -> datetime.datetime:
        return obj.publish_at

    @staticmethod
    def resolve_url(obj: Article, context) -> str:
        return absolute(context, obj.get_absolute_url())

    @staticmethod
    def resolve_annotations_url(obj: Article, context) -> str:
        return absolute(context, reverse("api:get_briefing_annotations", args=[obj.slug]))

    # The view computes these lists once (see api.get_briefing).
    @staticmethod
    def resolve_actors(obj: Article) -> list:
        return obj.briefing_actors

    @staticmethod
    def resolve_events(obj: Article) -> list:
        return obj.briefing_events

    @staticmethod
    def resolve_quotes(obj: Article) -> list:
        return obj.briefing_quotes

    @staticmethod
    def resolve_mentions(obj: Article) -> list:
        return obj.briefing_mentions


class Page(Schema):
    count: int = Field(
        ...,
        description=(
            f"Items matching the filters, on all pages, counted up to {COUNT_LIMIT:,}: when "
            "`count_capped` is true there are more, and pages go on past it."
        ),
    )
    count_capped: bool = Field(
        ..., description="True when more items than `count` match (the count stopped there)."
    )
    limit: int
    offset: int


class BriefingPage(Page):
    items: list[BriefingSummary]


class ActorPage(Page):
    items: list[ActorOut]


class EventPage(Page):
    items: list[EventOut]


class QuotePage(Page):
    items: list[QuoteOut]


# W3C Web Annotation (https://www.w3.org/TR/annotation-model/) ----------------------------------


class TextQuoteSelector(Schema):
    type: Literal["TextQuoteSelector"]
    exact: str
    prefix: str
    suffix: str


class TextPositionSelector(Schema):
    type: Literal["TextPositionSelector"]
    start: int = Field(..., ge=0, description="Code point offset into the briefing's text.")
    end: int = Field(..., ge=1)


class AnnotationTarget(Schema):
    source: str = Field(..., description="The briefing the text belongs to.")
    selector: list[TextQuoteSelector | TextPositionSelector]


class AnnotationBody(Schema):
    type: Literal["SpecificResource", "TextualBody"]
    purpose: Literal["identifying", "describing"]
    source: str | None = None
    value: str | None = None
    format: str | None = None


class Annotation(Schema):
    id: str
    type: Literal["Annotation"]
    motivation: Literal["identifying", "describing"]
    created: datetime.datetime
    modified: datetime.datetime
    body: list[AnnotationBody]
    target: AnnotationTarget


class AnnotationPage(Schema):
    id: str
    type: Literal["AnnotationPage"]
    startIndex: int
    items: list[Annotation]


class AnnotationCollection(Schema):
    context: Literal["http://www.w3.org/ns/anno.jsonld"] = Field(..., alias="@context")
    id: str
    type: Literal["AnnotationCollection"]
    label: str
    total: int
    first: AnnotationPage


# Editor ----------------------------------------------------------------------------------------


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def optional(**constraints):
    """A field a PATCH may leave out but may not set to null (the schema shows no null)."""
    return Field(None, json_schema_extra=_no_default, **constraints)


class EditorSearchQuery(Schema):
    q: str | None = Field(None, min_length=1, max_length=200, pattern=TEXT_PATTERN)
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class VersionIn(Schema):
    version: int = Field(
        ..., ge=1, description="The article version the change is based on (optimistic locking)."
    )


class TargetIn(Schema):
    kind: TargetKind
    id: str = Field(
        ...,
        min_length=1,
        max_length=200,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="The slug of an actor, event or place; a quote's uid.",
    )


class MentionIn(VersionIn):
    start: int = Field(..., ge=0, description="Code point offset where the span starts.")
    end: int = Field(..., ge=1, description="Code point offset just after the span.")
    exact: str | None = Field(
        None,
        max_length=10_000,
        description="The text the client selected; refused when the body says otherwise.",
    )
    target: TargetIn
    status: Literal["suggested", "accepted"] = "accepted"
    note: str = Field("", max_length=500, pattern=TEXT_PATTERN)


class MentionPatch(VersionIn):
    start: int = optional(ge=0)
    end: int = optional(ge=1)
    exact: str = optional(max_length=10_000)
    target: TargetIn = optional()
    status: MentionStatus = optional()
    note: str = optional(max_length=500, pattern=TEXT_PATTERN)


class EditorMentionOut(MentionOut):
    status: MentionStatus
    note: str
    reason: str = Field(..., description="Why it was suggested, for suggestions.")
    confidence: float | None
    author: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    class Meta:
        model = Mention
        fields = [
            "uid", "start", "end", "exact", "prefix", "suffix", "anchor_state", "status", "note",
            "reason", "confidence", "created_at", "updated_at",
        ]  # fmt: skip

    @staticmethod
    def resolve_author(obj: Mention) -> str | None:
        return obj.author.get_username() if obj.author_id else None


class MentionChange(Schema):
    mention: EditorMentionOut
    version: int = Field(..., description="The article's version after the change.")


class DeletedOut(Schema):
    id: str
    version: int | None = Field(None, description="The article's version after the change.")


class EditorBriefingOut(ModelSchema):
    status: ArticleStatus
    allowed_transitions: list[str] = Field(
        ..., description="Workflow moves the current user may make now."
    )
    mentions: list[EditorMentionOut] = Field(..., description="Every mention, in text order.")

    class Meta:
        model = Article
        fields = [
            "slug", "title", "standfirst", "body", "dateline", "status", "publish_at",
            "review_comment", "unpublished_reason", "version", "updated_at",
        ]  # fmt: skip

    @staticmethod
    def resolve_allowed_transitions(obj: Article, context) -> list[str]:
        return obj.allowed_transitions(context["request"].auth)

    @staticmethod
    def resolve_mentions(obj: Article) -> list:
        return obj.editor_mentions


class TransitionOut(ModelSchema):
    status: ArticleStatus
    is_public: bool

    class Meta:
        model = Article
        fields = [
            "slug", "status", "publish_at", "published_at", "review_comment",
            "unpublished_reason", "version",
        ]  # fmt: skip


class SendBackIn(VersionIn):
    comment: str = Field(..., min_length=1, max_length=5_000, pattern=TEXT_PATTERN)


class PublishIn(VersionIn):
    at: IsoDateTime | None = Field(
        None, description="A future time (with time zone) to schedule; empty to publish now."
    )


class UnpublishIn(VersionIn):
    reason: str = Field(..., min_length=1, max_length=5_000, pattern=TEXT_PATTERN)


class RevertIn(VersionIn):
    revision: int = Field(..., ge=1, description="The revision number to restore.")
    message: str = Field("", max_length=250, pattern=TEXT_PATTERN)


WIKIDATA_PATTERN = r"^(Q[1-9][0-9]{0,15})?$"
Alias = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


class ActorIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, pattern=TEXT_PATTERN)
    slug: str | None = Field(
        None, min_length=1, max_length=200, pattern=SLUG_PATTERN, description="Made from the name."
    )
    kind: ActorKind
    role: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    description: str = Field("", max_length=10_000, pattern=TEXT_PATTERN)
    aliases: list[Alias] = Field(default_factory=list, max_length=50)
    wikidata_id: str = Field("", pattern=WIKIDATA_PATTERN)


class ActorPatch(Schema):
    name: str = optional(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    kind: ActorKind = optional()
    role: str = optional(max_length=200, pattern=TEXT_PATTERN)
    description: str = optional(max_length=10_000, pattern=TEXT_PATTERN)
    aliases: list[Alias] = optional(max_length=50)
    wikidata_id: str = optional(pattern=WIKIDATA_PATTERN)


class ParticipantIn(Schema):
    actor: str = Field(..., min_length=1, max_length=200, pattern=SLUG_PATTERN)
    role: ParticipantRole = "participant"


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=300, pattern=TEXT_PATTERN)
    slug: str | None = Field(
        None, min_length=1, max_length=200, pattern=SLUG_PATTERN, description="Made from the title."
    )
    kind: EventKind
    date: IsoDate | None = None
    date_precision: DatePrecision | None = Field(
        None, description="Required with a date; day when omitted."
    )
    date_text: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    place: str | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)
    fatalities: int | None = Field(None, ge=0, le=10_000_000)
    injured: int | None = Field(None, ge=0, le=10_000_000)
    description: str = Field("", max_length=10_000, pattern=TEXT_PATTERN)
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=200)


class EventPatch(Schema):
    title: str = optional(min_length=1, max_length=300, pattern=TEXT_PATTERN)
    kind: EventKind = optional()
    date: IsoDate | None = Field(None, description="null clears the date.")
    date_precision: DatePrecision | None = None
    date_text: str = optional(max_length=200, pattern=TEXT_PATTERN)
    place: Slug | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)
    fatalities: int | None = Field(None, ge=0, le=10_000_000)
    injured: int | None = Field(None, ge=0, le=10_000_000)
    description: str = optional(max_length=10_000, pattern=TEXT_PATTERN)
    participants: list[ParticipantIn] = optional(
        max_length=200, description="Replaces the whole list when given."
    )


class QuoteIn(VersionIn):
    text: str = Field(..., min_length=1, max_length=10_000, pattern=TEXT_PATTERN)
    speaker: str | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)
    cue: str = Field("", max_length=50, pattern=TEXT_PATTERN)
    addressee: str | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)
    kind: QuoteKind = "direct"
    said_on: IsoDate | None = None
    event: str | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)


class QuotePatch(VersionIn):
    text: str = optional(min_length=1, max_length=10_000, pattern=TEXT_PATTERN)
    speaker: Slug | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)
    cue: str = optional(max_length=50, pattern=TEXT_PATTERN)
    addressee: Slug | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)
    kind: QuoteKind = optional()
    said_on: IsoDate | None = None
    event: Slug | None = Field(None, min_length=1, max_length=200, pattern=SLUG_PATTERN)


class EditorQuote(QuoteOut):
    @staticmethod
    def resolve_event(obj: Quote):
        return obj.event


class EditorQuoteOut(Schema):
    quote: EditorQuote
    version: int = Field(..., description="The article's version after the change.")
