"""Briefings data model.

Anchored on schema.org (NewsArticle, Person/Organization, Event, Quotation), ACLED's event
codebook and the W3C Web Annotation model. Every model that a fixture references has a natural
key (a slug or a stable uid) so that `loaddata` is idempotent and portable between databases.
"""

from __future__ import annotations

import datetime
import functools
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.text import slugify

MENTION_TARGETS = ("actor", "event", "quote", "place")

# What Django's <slug:…> path converter accepts.
SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_MARKER = "slugmarker0"


@functools.lru_cache(maxsize=64)
def slug_route(view: str, script_prefix: str, urlconf: str) -> tuple[str, str]:
    url = reverse(view, args=[_SLUG_MARKER], urlconf=urlconf)
    before, marker, after = url.partition(_SLUG_MARKER)
    if not marker or _SLUG_MARKER in after:
        raise ValueError(f"Cannot split the URL of {view} around its slug: {url}")
    return before, after


def slug_url(view: str, slug: str) -> str:
    """``reverse(view, args=[slug])`` for a view whose only argument is a slug, without matching
    the URL patterns again on each call: pages link to dozens of actors and events, and
    reversing each one was a large part of rendering them. The route is worked out once per
    view, script prefix and URL configuration."""
    if not SLUG_PATTERN.fullmatch(slug):
        return reverse(view, args=[slug])  # raises NoReverseMatch, naming the bad slug
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    before, after = slug_route(view, get_script_prefix(), urlconf)
    return f"{before}{slug}{after}"


class SlugQuerySet(models.QuerySet):
    pass


class SlugManager(models.Manager.from_queryset(SlugQuerySet)):
    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class UidManager(models.Manager):
    def get_by_natural_key(self, uid: str):
        return self.get(uid=uid)


class Place(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    country = models.CharField(max_length=100, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    description = models.TextField(blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class ActorQuerySet(SlugQuerySet):
    def public(self, now=None) -> ActorQuerySet:
        """Actors that a published briefing shows: named by an accepted mention that still sits
        on its words (not orphaned). The one definition for pages, API, filters and caches."""
        # EXISTS, not a join with DISTINCT: the database stops at the first such mention
        # instead of gathering every mention of every actor (millions in a large corpus).
        return self.filter(
            Exists(
                Mention.objects.visible().filter(
                    actor=OuterRef("pk"), article__in=Article.objects.published(now=now)
                )
            )
        )


# Slug natural keys come from SlugManager; the queryset adds public().
ActorManager = SlugManager.from_queryset(ActorQuerySet)


class Actor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organisation"
        COUNTRY = "country", "Country"
        GROUP = "group", "Group"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    role = models.CharField(
        max_length=200, blank=True, help_text="Role or title, e.g. 'US Secretary of State'."
    )
    description = models.TextField(blank=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other spellings and short forms, e.g. El-Sisi, Sisi."
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9]\d*$", "A Wikidata id looks like Q42.")],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorManager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Lower("name"), name="actor_name_lower"),
            # The public list's order: a page is found by walking it, not by sorting every actor.
            models.Index(fields=["name"], name="actor_name"),
            # briefings.cache reads the latest updated_at on every cached page view.
            models.Index(fields=["updated_at"], name="actor_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="actor_wikidata_id_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("briefings:actor", self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def all_names(self) -> list[str]:
        return [self.name, *[a for a in self.aliases if a and a != self.name]]


class EventQuerySet(SlugQuerySet):
    def public(self, now=None) -> EventQuerySet:
        """Events that a published briefing shows: named by an accepted mention that still sits
        on its words (not orphaned). The one definition for pages, API, filters and caches."""
        # EXISTS, not a join with DISTINCT: the database stops at the first such mention
        # instead of gathering every mention of every event (millions in a large corpus).
        return self.filter(
            Exists(
                Mention.objects.visible().filter(
                    event=OuterRef("pk"), article__in=Article.objects.published(now=now)
                )
            )
        )


# Slug natural keys come from SlugManager; the queryset adds public().
EventManager = SlugManager.from_queryset(EventQuerySet)


class Event(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting or visit"
        STATEMENT = "statement", "Statement"
        ATTACK = "attack", "Attack"
        MILITARY_RAID = "military_raid", "Military raid"
        AIRSTRIKE = "airstrike", "Airstrike"
        ROCKET_FIRE = "rocket_fire", "Rocket fire"
        KILLING = "killing", "Killing"
        PUNITIVE_MEASURE = "punitive_measure", "Punitive measure"
        AGREEMENT = "agreement", "Agreement"
        OCCUPATION = "occupation", "Occupation"
        BLOCKADE = "blockade", "Blockade"
        OTHER = "other", "Other"

    class Precision(models.TextChoices):
        DAY = "day", "Day"
        MONTH = "month", "Month"
        YEAR = "year", "Year"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField(
        null=True, blank=True, help_text="First day of the month or year when less precise."
    )
    date_precision = models.CharField(max_length=5, choices=Precision.choices, blank=True)
    date_text = models.CharField(
        max_length=200,
        blank=True,
        help_text="The words the date was resolved from, e.g. 'on Friday'.",
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    # Unknown is not zero: NULL means the source gives no figure.
    fatalities = models.PositiveIntegerField(null=True, blank=True)
    injured = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    participants = models.ManyToManyField(
        Actor, through="EventParticipant", related_name="events", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventManager()

    class Meta:
        ordering = ["date", "title"]
        indexes = [
            models.Index(fields=["kind", "date"], name="event_kind_date"),
            # The public list's order: a page is found by walking it, not by sorting every event.
            models.Index(fields=["date", "title", "id"], name="event_list_order"),
            # briefings.cache reads the latest updated_at on every cached page view.
            models.Index(fields=["updated_at"], name="event_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(date__isnull=True) & Q(date_precision=""))
                | (Q(date__isnull=False) & ~Q(date_precision="")),
                name="event_date_has_precision",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("briefings:event", self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class EventParticipantManager(models.Manager):
    def get_by_natural_key(self, event_slug: str, actor_slug: str, role: str):
        return self.get(event__slug=event_slug, actor__slug=actor_slug, role=role)


class EventParticipant(models.Model):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        HOST = "host", "Host"
        VISITOR = "visitor", "Visitor"
        PERPETRATOR = "perpetrator", "Perpetrator"
        TARGET = "target", "Target"
        VICTIM = "victim", "Victim"
        SPEAKER = "speaker", "Speaker"
        SIGNATORY = "signatory", "Signatory"
        MEDIATOR = "mediator", "Mediator"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    # The event's date, copied by the database itself (triggers of migration 0008, whatever
    # writes the rows: forms, the API, fixtures, bulk inserts) so that an actor's events can be
    # read latest first from an index on the participations, however many there are.
    event_date = models.DateField(null=True, blank=True, editable=False)

    objects = EventParticipantManager()

    class Meta:
        ordering = ["event", "role", "actor"]
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display()}) in {self.event}"

    def natural_key(self) -> tuple[str, str, str]:
        return (self.event.slug, self.actor.slug, self.role)

    natural_key.dependencies = ["briefings.event", "briefings.actor"]


def published_condition(now=None, *, through: str = "") -> Q:
    """The one definition of 'visible to the public': published and due.

    ``through`` names the relation from another model ("article__"): testing the joined row lets
    the database walk the article's publication index, where ``article__in=published()`` (a
    subquery) cannot.
    """
    now = now or timezone.now()
    return Q(
        **{
            f"{through}status": Article.Status.PUBLISHED,
            f"{through}publish_at__isnull": False,
            f"{through}publish_at__lte": now,
        }
    )


class ArticleQuerySet(SlugQuerySet):
    def published(self, now=None) -> ArticleQuerySet:
        """Articles visible to the public (published_condition)."""
        return self.filter(published_condition(now))

    def for_listing(self) -> ArticleQuerySet:
        return self.only(
            "id", "title", "slug", "standfirst", "dateline", "source", "publish_at", "version"
        ).order_by("-publish_at", "-id")


class ArticleManager(SlugManager.from_queryset(ArticleQuerySet)):
    def unique_slug(self, title: str, max_length: int = 60) -> str:
        base = slugify(title)
        if len(base) > max_length:
            # Cut at a word boundary so the slug stays readable.
            base = base[: max_length + 1].rsplit("-", 1)[0]
        base = base.strip("-") or "briefing"
        slug, n = base, 2
        while self.filter(slug=slug).exists():
            slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
            n += 1
        return slug


class WorkflowError(Exception):
    """A move the workflow does not allow; the message says from where to where and why."""


class StaleVersion(Exception):
    """A change based on an old version of an article: someone else saved it meanwhile.

    ``changes`` lists, in words, what differs between the version the change was based on and the
    current one (fields, annotations, status, and who did it), for the editor to reconcile.
    """

    def __init__(self, *, expected_version: int, current_version: int, changes: list[str]):
        self.expected_version = expected_version
        self.current_version = current_version
        self.changes = changes
        super().__init__(
            f"Someone else changed this article after you loaded it (you had version "
            f"{expected_version}, it is now at version {current_version}). "
            f"Changed meanwhile: {self.summary}"
        )

    @property
    def summary(self) -> str:
        return "; ".join(self.changes) if self.changes else "nothing that a revision records."


EDIT_PERMISSION = "briefings.change_article"
PUBLISH_PERMISSION = "briefings.publish_article"


@dataclass(frozen=True)
class Transition:
    """One move of the editorial workflow, who may make it and from which states."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    rule: str


# Editors may publish straight from draft (a wire correction cannot wait for a review round);
# Annotators only submit. Publishing a published article is allowed while it is still scheduled
# (to publish it now or move its time). An unpublished article is fixed, then resubmitted or
# republished.
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit_for_review", "submit for review", ("draft", "unpublished"), "review",
            EDIT_PERMISSION, "only a draft or an unpublished article can be submitted for review",
        ),
        Transition(
            "send_back", "send back to draft", ("review",), "draft",
            PUBLISH_PERMISSION, "only an article in review can be sent back",
        ),
        Transition(
            "publish", "publish", ("draft", "review", "unpublished", "published"), "published",
            PUBLISH_PERMISSION, "a published article can only be rescheduled before it goes live",
        ),
        Transition(
            "unpublish", "unpublish", ("published",), "unpublished",
            PUBLISH_PERMISSION, "only a published or scheduled article can be unpublished",
        ),
    ]
}  # fmt: skip


@dataclass
class Edit:
    """What ``Article.editing()`` records; the block may refine the message and detail."""

    message: str = ""
    detail: str = ""
    revision: Revision | None = None


def _username(user) -> str:
    if user is None or not user.is_authenticated:
        return "An anonymous user"
    return user.get_username()


def require_permission(user, permission: str, doing: str) -> None:
    """Raise PermissionDenied, saying what is missing, unless ``user`` holds ``permission``."""
    if user is None or not user.is_authenticated or not user.has_perm(permission):
        codename = permission.split(".", 1)[1]
        raise PermissionDenied(
            f"{_username(user)} may not {doing}: that needs the “{codename}” permission."
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(
        blank=True, help_text="The editor's summary shown under the headline."
    )
    # The single source of truth for mention offsets. Paragraphs are separated by a blank line;
    # a paragraph that starts with "## " is a subheading.
    body = models.TextField()
    source = models.CharField(max_length=200, blank=True, help_text="Publisher, e.g. France 24.")
    source_url = models.URLField(max_length=500, blank=True)
    agency = models.CharField(max_length=100, blank=True, help_text="Agency credit, e.g. AFP.")
    language = models.CharField(max_length=10, default="en")
    translated_from = models.CharField(
        max_length=10,
        blank=True,
        help_text="Language code of the original when machine-translated.",
    )
    dateline = models.DateField(help_text="The date relative dates in the text resolve against.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="When the briefing becomes visible to the public."
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(blank=True)
    unpublished_reason = models.TextField(blank=True)
    # Optimistic locking: every save bumps it; a save based on an older value is refused.
    version = models.PositiveIntegerField(default=1)
    import_checksum = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        permissions = [("publish_article", "Can publish, unpublish and revert articles")]
        indexes = [
            models.Index(fields=["status", "publish_at"], name="article_visibility"),
            models.Index(fields=["-publish_at", "-id"], name="article_latest"),
            models.Index(fields=["dateline"], name="article_dateline"),
            # Public lists pick a page's ids from the index alone (briefings.api.page), newest
            # first or, for a date range, by dateline; the rows are read for that page only.
            models.Index(
                fields=["-publish_at", "-id"],
                condition=Q(status="published"),
                name="article_published_latest",
            ),
            models.Index(
                fields=["dateline"],
                include=["publish_at", "id"],
                condition=Q(status="published"),
                name="article_published_dateline",
            ),
            # Whether an article is public, by id, from the index alone: a filter that finds
            # its briefings elsewhere (a place's article facets) checks each one here, without
            # reading the article's row.
            models.Index(
                fields=["id"],
                include=["publish_at"],
                condition=Q(status="published"),
                name="article_published_id",
            ),
            # briefings.cache reads the latest updated_at on every cached page view.
            models.Index(fields=["updated_at"], name="article_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_checksum"],
                condition=~Q(import_checksum=""),
                name="article_import_checksum_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_publish_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("briefings:briefing", self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    # Content an editor saves through save_content(); status and publication times change only
    # through the workflow methods.
    EDITABLE_FIELDS = (
        "title", "slug", "standfirst", "body", "source", "source_url", "agency", "language",
        "translated_from", "dateline",
    )  # fmt: skip
    # What a revision restores.
    SNAPSHOT_FIELDS = (
        "title", "standfirst", "body", "source", "source_url", "agency", "language",
        "translated_from", "dateline",
    )  # fmt: skip

    def snapshot(self) -> dict:
        """Article fields and annotations as plain JSON, for revisions, compare and revert.

        Besides the restorable fields and mentions it records the article's quotes (restored with
        it) and the dates of the events it mentions (shared with other articles, so only compared),
        plus the version and status it was taken at.
        """
        data = {name: getattr(self, name) for name in self.SNAPSHOT_FIELDS}
        data["dateline"] = self.dateline.isoformat() if self.dateline else None
        data["version"] = self.version
        data["status"] = self.status
        data["publish_at"] = self.publish_at.isoformat() if self.publish_at else None
        quotes = list(self.quotes.order_by("id"))
        quote_uids = {q.pk: str(q.uid) for q in quotes}
        mentions = list(self.mentions.order_by("start", "end", "id"))
        data["mentions"] = [
            {
                "uid": str(m.uid),
                "start": m.start,
                "end": m.end,
                "exact": m.exact,
                "prefix": m.prefix,
                "suffix": m.suffix,
                "status": m.status,
                "anchor_state": m.anchor_state,
                "note": m.note,
                **{f"{name}": getattr(m, f"{name}_id") for name in MENTION_TARGETS},
                "quote_uid": quote_uids.get(m.quote_id),
            }
            for m in mentions
        ]
        data["quotes"] = [
            {
                "uid": str(q.uid),
                "text": q.text,
                "speaker": q.speaker_id,
                "cue": q.cue,
                "addressee": q.addressee_id,
                "kind": q.kind,
                "said_on": q.said_on.isoformat() if q.said_on else None,
                "event": q.event_id,
            }
            for q in quotes
        ]
        event_ids = {m.event_id for m in mentions if m.event_id} | {
            q.event_id for q in quotes if q.event_id
        }
        data["events"] = {
            str(e.pk): {
                "title": e.title,
                "date": e.date.isoformat() if e.date else None,
                "date_precision": e.date_precision,
                "fatalities": e.fatalities,
                "injured": e.injured,
            }
            for e in Event.objects.filter(pk__in=event_ids).order_by("pk")
        }
        return data

    def make_revision(self, user=None, message: str = "") -> Revision:
        last = self.revisions.order_by("-number").values_list("number", flat=True).first() or 0
        return Revision.objects.create(
            article=self,
            number=last + 1,
            data=self.snapshot(),
            author=user if user is not None and user.is_authenticated else None,
            message=message[:300],
        )

    # Workflow. Every method checks the permission, refuses illegal moves with WorkflowError,
    # applies its change with one conditional UPDATE on the version (so two concurrent changes
    # cannot both succeed: the loser gets StaleVersion), bumps the version and records an
    # AuditEntry; content changes also make a Revision. ``expected_version`` is the version the
    # caller's change is based on (the form's or the client's); None skips that check.

    def allowed_transitions(self, user, now: datetime.datetime | None = None) -> list[str]:
        """Names of the TRANSITIONS ``user`` may apply to this article in its current state."""
        allowed = []
        for t in TRANSITIONS.values():
            try:
                require_permission(user, t.permission, t.label)
                self._check_source(t, now or timezone.now())
            except (PermissionDenied, WorkflowError):
                continue
            allowed.append(t.name)
        return allowed

    def can_edit(self, user) -> bool:
        """Whether ``user`` may change this article's content and annotations in its state."""
        try:
            self.check_can_edit(user)
        except PermissionDenied:
            return False
        return True

    def check_can_edit(self, user) -> None:
        """Content edits need change_article; on a published or scheduled briefing they go
        straight to readers, so they are an Editor's call (publish_article), like publishing."""
        require_permission(user, EDIT_PERMISSION, "edit articles")
        if self.status == self.Status.PUBLISHED:
            require_permission(user, PUBLISH_PERMISSION, "change a published or scheduled briefing")

    def can_revert(self, user) -> bool:
        return user is not None and user.is_authenticated and user.has_perm(PUBLISH_PERMISSION)

    @property
    def is_scheduled(self) -> bool:
        """Published with a publication time still in the future."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    def submit_for_review(self, by, *, expected_version: int | None = None) -> None:
        """Draft (or unpublished) → in review. Needs change_article."""
        self._transition("submit_for_review", by, expected_version, AuditEntry.Action.SUBMITTED)

    def send_back(self, by, comment: str, *, expected_version: int | None = None) -> None:
        """In review → draft, with a comment the annotator sees. Needs publish_article."""
        comment = (comment or "").strip()
        require_permission(by, PUBLISH_PERMISSION, TRANSITIONS["send_back"].label)
        if not comment:
            raise ValidationError(
                {"review_comment": "Say what needs to change: a comment is required."}
            )
        self._transition(
            "send_back", by, expected_version, AuditEntry.Action.SENT_BACK,
            detail=comment, review_comment=comment,
        )  # fmt: skip

    def publish(
        self,
        by,
        *,
        at: datetime.datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Publish now (``at`` None) or schedule for a future ``at``. Needs publish_article.

        Editors may publish from draft, review or unpublished, and may publish now or reschedule
        an article that is scheduled but not yet live. ``publish_at`` becomes the time the
        briefing is visible from; ``published_at`` the time it first went (or goes) public, kept
        when it is republished.
        """
        require_permission(by, PUBLISH_PERMISSION, "publish")
        now = timezone.now()
        if at is not None:
            if timezone.is_naive(at):
                raise ValidationError(
                    {"publish_at": "Give the publication time with its time zone."}
                )
            if at <= now:
                raise ValidationError(
                    {
                        "publish_at": f"{at:%Y-%m-%d %H:%M %Z} is in the past: leave the time "
                        "empty to publish now."
                    }
                )
        when = at or now
        scheduled = when > now
        action = AuditEntry.Action.SCHEDULED if scheduled else AuditEntry.Action.PUBLISHED
        detail = f"for {timezone.localtime(when):%Y-%m-%d %H:%M %Z}" if scheduled else ""
        self._transition(
            "publish", by, expected_version, action, detail=detail, now=now,
            publish_at=when, review_comment="", unpublished_reason="",
            # published_at keeps the first time the briefing went public, unless it never did.
            published_at=lambda current: (
                when if current.published_at is None or current.published_at > now
                else current.published_at
            ),
        )  # fmt: skip

    def unpublish(self, by, reason: str, *, expected_version: int | None = None) -> None:
        """Published (or scheduled) → unpublished, with a reason editors see."""
        reason = (reason or "").strip()
        require_permission(by, PUBLISH_PERMISSION, TRANSITIONS["unpublish"].label)
        if not reason:
            raise ValidationError(
                {"unpublished_reason": "Say why it is withdrawn: a reason is required."}
            )
        self._transition(
            "unpublish", by, expected_version, AuditEntry.Action.UNPUBLISHED,
            detail=reason, unpublished_reason=reason,
        )  # fmt: skip

    def save_content(
        self, by, *, expected_version: int | None, message: str = "", **fields
    ) -> Revision:
        """Save edited article fields: the one way content is changed. Needs change_article.

        On a published or scheduled briefing it also needs publish_article (check_can_edit).
        A changed body re-anchors every mention (those that cannot be placed become orphaned,
        never dropped). Returns the new revision.
        """
        unknown = sorted(set(fields) - set(self.EDITABLE_FIELDS))
        if unknown:
            raise ValueError(
                f"save_content cannot change {', '.join(unknown)}: only "
                f"{', '.join(self.EDITABLE_FIELDS)}; status and publication go through the "
                "workflow methods."
            )
        require_permission(by, EDIT_PERMISSION, "edit articles")
        with transaction.atomic():
            current = self._lock(expected_version)
            current.check_can_edit(by)
            self._apply(current.version, by, **fields)
            detail = message
            if "body" in fields and self.body != current.body:
                # Mentions and pending suggestions follow their words (briefings.annotations).
                from briefings import annotations

                moved = annotations.reanchor(self, current.body)
                detail = "; ".join(filter(None, [message, moved]))
            return self._record_revision(by, message, AuditEntry.Action.EDITED, detail)

    @contextmanager
    def editing(
        self,
        by,
        *,
        expected_version: int | None,
        message: str = "",
        action: str = "annotated",
        detail: str = "",
    ) -> Iterator[Edit]:
        """Change the article's annotations (or anything hanging off it) as one versioned edit.

            with article.editing(user, expected_version=v, message="Linked Blinken") as edit:
                Mention.objects.create(article=article, ...)
            edit.revision  # the new revision

        The article row is locked and the version and permission checked *before* the block
        runs: concurrent edits of one article queue on that lock, and a stale or refused edit
        does no work. After the block: version bump, revision, audit entry. The block may set
        ``edit.message`` / ``edit.detail``. Any exception rolls everything back. Needs
        change_article, and publish_article on a published or scheduled briefing.
        """
        require_permission(by, EDIT_PERMISSION, "annotate articles")
        with transaction.atomic():
            current = self._lock(expected_version)
            current.check_can_edit(by)
            edit = Edit(message=message, detail=detail)
            yield edit
            self._apply(current.version, by)
            edit.revision = self._record_revision(
                by, edit.message, action, edit.detail or edit.message
            )

    def touch(
        self,
        by,
        *,
        expected_version: int | None,
        message: str = "",
        action: str = "annotated",
        detail: str = "",
    ) -> Revision:
        """Record a change already made to the article's annotations: new version, revision.

        Call it inside the same ``transaction.atomic()`` as the change (``editing()`` wraps
        both): StaleVersion or PermissionDenied then rolls the change back. Needs what
        ``editing()`` needs.
        """
        with self.editing(
            by, expected_version=expected_version, message=message, action=action, detail=detail
        ) as edit:
            pass
        return edit.revision

    def revert(
        self,
        to_revision: Revision,
        by,
        *,
        expected_version: int | None = None,
        message: str = "",
    ) -> Revision:
        """Restore a revision's fields, quotes and mentions as a new revision.

        Needs publish_article.

        Mentions are matched by uid: deleted ones are recreated, ones added since are deleted,
        moved, re-targeted or re-statused ones are put back. The status does not change.
        """
        from briefings import workflow

        require_permission(by, PUBLISH_PERMISSION, "revert articles")
        if to_revision.article_id != self.pk:
            raise WorkflowError(
                f"Revision {to_revision.number} belongs to another article, not “{self.title}”."
            )
        with transaction.atomic():
            current = self._lock(expected_version)
            fields = workflow.fields_from_snapshot(to_revision.data)
            self._apply(current.version, by, **fields)
            workflow.restore_annotations(self, to_revision)
            text = f"Reverted to revision {to_revision.number}"
            return self._record_revision(
                by, f"{text}: {message}" if message else text, AuditEntry.Action.REVERTED,
                f"to revision {to_revision.number}" + (f": {message}" if message else ""),
            )  # fmt: skip

    def changes_since(self, version: int) -> list[str]:
        """In words, what changed after ``version`` (for StaleVersion and the admin)."""
        from briefings import workflow

        return workflow.changes_since(self, version)

    def _lock(self, expected_version: int | None) -> Article:
        """Read the current row (locked where the database can) and check the expected version."""
        current = Article.objects.select_for_update().get(pk=self.pk)
        if expected_version is not None and current.version != expected_version:
            raise current.stale(expected_version)
        return current

    def stale(self, expected_version: int) -> StaleVersion:
        return StaleVersion(
            expected_version=expected_version,
            current_version=self.version,
            changes=self.changes_since(expected_version),
        )

    def _apply(self, based_on: int, by, **fields) -> None:
        # The condition on the version read under the lock makes the change atomic on SQLite too,
        # where select_for_update() does nothing.
        updated = Article.objects.filter(pk=self.pk, version=based_on).update(
            version=F("version") + 1,
            updated_at=timezone.now(),
            updated_by=by if by is not None and by.is_authenticated else None,
            **fields,
        )
        if not updated:
            current = Article.objects.get(pk=self.pk)
            raise current.stale(based_on)
        self.refresh_from_db()

    def _check_source(self, t: Transition, now: datetime.datetime) -> None:
        live = self.status == self.Status.PUBLISHED and self.publish_at and self.publish_at <= now
        if self.status not in t.sources or (t.name == "publish" and live):
            target = self.Status(t.target).label.lower()
            raise WorkflowError(
                f"Cannot {t.label} “{self.title}” (from {self.status_label(now).lower()} to "
                f"{target}): {t.rule}."
            )

    def status_label(self, now: datetime.datetime | None = None) -> str:
        """The status in words, telling a scheduled briefing from a live one."""
        if self.status == self.Status.PUBLISHED and self.publish_at:
            if self.publish_at > (now or timezone.now()):
                return f"Scheduled for {timezone.localtime(self.publish_at):%Y-%m-%d %H:%M %Z}"
            return "Published"
        return self.get_status_display()

    def _transition(
        self,
        name: str,
        by,
        expected_version: int | None,
        action: str,
        *,
        detail: str = "",
        now: datetime.datetime | None = None,
        **fields,
    ) -> None:
        t = TRANSITIONS[name]
        require_permission(by, t.permission, t.label)
        with transaction.atomic():
            current = self._lock(expected_version)
            previous = current.status
            current._check_source(t, now or timezone.now())
            # A field may depend on the row as read under the lock: pass a function of it.
            fields = {k: v(current) if callable(v) else v for k, v in fields.items()}
            self._apply(current.version, by, status=t.target, **fields)
            if previous == self.Status.IN_REVIEW and name == "publish":
                AuditEntry.record(AuditEntry.Action.APPROVED, article=self, user=by)
            AuditEntry.record(action, article=self, user=by, detail=detail)

    def _record_revision(self, by, message: str, action: str, detail: str) -> Revision:
        revision = self.make_revision(by, message)
        AuditEntry.record(
            action, article=self, user=by, detail=detail or f"revision {revision.number}"
        )
        return revision

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )


class QuoteQuerySet(models.QuerySet):
    def public(self) -> QuoteQuerySet:
        """Quotes reported in published briefings."""
        # Tested on the joined article, not with article__in=published(): the newest-first list
        # then walks the published articles' index from now on, instead of passing the quotes
        # of every scheduled, draft and withdrawn article first.
        return self.filter(published_condition(through="article__"))


class QuoteManager(models.Manager.from_queryset(QuoteQuerySet)):
    def get_by_natural_key(self, uid: str):
        return self.get(uid=uid)


class Quote(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct"
        PARTIAL = "partial", "Partial"
        PARAPHRASE = "paraphrase", "Paraphrase"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(help_text="The quoted words, editorial insertions in [brackets].")
    speaker = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text="Leave empty when the source does not attribute the words.",
    )
    cue = models.CharField(
        max_length=50, blank=True, help_text="said, told, stressed, according to…"
    )
    addressee = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes_received",
        help_text="Who the words were said to, or the medium (e.g. al-Arabiya).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DIRECT)
    said_on = models.DateField(null=True, blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuoteManager()

    class Meta:
        ordering = ["article", "id"]
        indexes = [
            # briefings.cache reads the latest updated_at on every cached page view.
            models.Index(fields=["updated_at"], name="quote_updated"),
        ]

    def __str__(self) -> str:
        words = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"“{words}” — {self.speaker or 'unattributed'}"

    def natural_key(self) -> tuple[str]:
        return (str(self.uid),)


class MentionQuerySet(models.QuerySet):
    def accepted(self) -> MentionQuerySet:
        return self.filter(status=Mention.Status.ACCEPTED)

    def visible(self) -> MentionQuerySet:
        """What readers see annotated: accepted by an editor and still on its words."""
        return self.accepted().exclude(anchor_state=Mention.Anchor.ORPHANED)

    def with_targets(self) -> MentionQuerySet:
        return self.select_related("actor", "event", "quote__speaker", "place")


class MentionManager(models.Manager.from_queryset(MentionQuerySet)):
    def get_by_natural_key(self, uid: str):
        return self.get(uid=uid)


def _one_target(field: str) -> Q:
    others = {f"{name}__isnull": True for name in MENTION_TARGETS if name != field}
    return Q(**{f"{field}__isnull": False}, **others)


class LinksOneTarget:
    """What a mention links to, read from its ``<target>_id`` attributes; shared by the model and
    the lighter rows pages read (briefings.views.PageMention)."""

    TARGETS = MENTION_TARGETS

    @property
    def kind(self) -> str:
        for name in self.TARGETS:
            if getattr(self, f"{name}_id") is not None:
                return name
        return ""

    @property
    def target(self):
        kind = self.kind
        return getattr(self, kind) if kind else None


class Mention(LinksOneTarget, models.Model):
    """A span of an article's body linked to exactly one actor, event, quote or place."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    class Anchor(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        REANCHORED = "reanchored", "Re-anchored"
        ORPHANED = "orphaned", "Orphaned"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField(help_text="Code point offset into the body.")
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions"
    )
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACCEPTED)
    anchor_state = models.CharField(max_length=20, choices=Anchor.choices, default=Anchor.ANCHORED)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was suggested.")
    confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MentionManager()

    class Meta:
        ordering = ["article", "start", "end", "id"]
        indexes = [
            models.Index(fields=["article", "status", "start"], name="mention_article_start"),
            # briefings.cache reads the latest updated_at on every cached page view.
            models.Index(fields=["updated_at"], name="mention_updated"),
            # The briefing filters (briefings.filters.ArticleFilter) ask of each article whether
            # it mentions an actor or a place, or which events it mentions: one index probe each,
            # instead of reading all of an article's mentions; an actor's or a place's articles
            # come from the same index in article order.
            models.Index(
                fields=["actor", "article"],
                condition=Q(status="accepted", actor__isnull=False),
                name="mention_actor_article",
            ),
            models.Index(
                fields=["place", "article"],
                condition=Q(status="accepted", place__isnull=False),
                name="mention_place_article",
            ),
            # Whether an actor is public (Actor.objects.public()) stops at its first visible
            # mention in a published briefing, read from this index alone: with the orphaned
            # ones in the index, the busiest actor's mentions were all gathered first.
            models.Index(
                fields=["actor", "article"],
                condition=Q(status="accepted", actor__isnull=False) & ~Q(anchor_state="orphaned"),
                name="mention_actor_visible",
            ),
            models.Index(
                fields=["article", "event"],
                condition=Q(status="accepted", event__isnull=False),
                name="mention_article_event",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="mention_start_non_negative"),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="mention_start_before_end"
            ),
            models.CheckConstraint(
                condition=_one_target("actor")
                | _one_target("event")
                | _one_target("quote")
                | _one_target("place"),
                name="mention_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exact} [{self.start}:{self.end}] → {self.target}"

    def natural_key(self) -> tuple[str]:
        return (str(self.uid),)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from briefings import anchoring

        targets = [name for name in self.TARGETS if getattr(self, f"{name}_id") is not None]
        if len(targets) != 1:
            raise ValidationError(
                "A mention links to exactly one of actor, event, quote or place "
                f"(this one links to {len(targets) or 'none'})."
            )
        if self.article_id is not None and self.start is not None and self.end is not None:
            try:
                selector = anchoring.capture(self.article.body, self.start, self.end)
            except anchoring.SpanError as exc:
                raise ValidationError({"start": str(exc)}) from exc
            if self.exact and self.exact != selector.exact:
                raise ValidationError(
                    {
                        "exact": f"The text at {self.start}–{self.end} is "
                        f"{selector.exact!r}, not {self.exact!r}."
                    }
                )

    def capture(self) -> None:
        """Fill exact, prefix and suffix from the article's body at start/end."""
        from briefings import anchoring

        selector = anchoring.capture(self.article.body, self.start, self.end)
        self.exact, self.prefix, self.suffix = selector.exact, selector.prefix, selector.suffix


class ArticleFacetQuerySet(models.QuerySet):
    def public_articles(self, now=None) -> models.QuerySet:
        """The ids of the public articles filed here, newest first as the lists show them, one
        per article: read from the facets' publication index alone (a range of it for one place
        or kind), never from the articles."""
        ids = (
            self.filter(public_from__lte=now or timezone.now())
            .order_by("-public_from", "-article_id")
            .values_list("article_id", flat=True)
        )
        # By the order's columns: an article's rows are adjacent in the index. DISTINCT ON
        # (PostgreSQL) returns the ids alone; a plain DISTINCT would also return each one's
        # time, and reading a thousand times costs more than the query.
        if connection.features.can_distinct_on_fields:
            return ids.distinct("public_from", "article_id")
        return ids.distinct()


class ArticleFacet(models.Model):
    """What an article's accepted mentions file it under, for the briefing filters: a place it
    mentions (place ``event_kind`` blank), or the place (or none) and kind of an event it
    mentions. One row per distinct combination.

    Derived data, written by the database alone: triggers on mentions and events (migration
    0009) rebuild an article's rows whenever one of its mentions is added, deleted or changes
    status, target or article, and an event's articles' rows when its kind or place changes, so
    no edit path (the API, the admin, a revert, a bulk insert, loaddata) can leave it stale. The
    filters then ask one index per article ("is this article filed under Cairo?") instead of
    joining its mentions to their events, and find a place's or a kind's articles in one index
    without reading every event there. Not in backups: a restore rebuilds it. Edits of one
    article queue on its row lock (Article.editing()); an event edited at the same moment may
    leave a duplicate row until the article's next change, which the filters (EXISTS) ignore.

    Each row also carries its article's publication (``public_from``: its ``publish_at`` while
    it is published, else null), copied by triggers on articles (migration 0012) whatever
    changes its status or time, so that a place's or a kind's public articles are one range of
    an index, newest first (``public_articles()``), however large the archive.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    # Indexed with the article (below), not alone.
    place = models.ForeignKey(
        Place, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event_kind = models.CharField(max_length=30, blank=True)
    public_from = models.DateTimeField(null=True, editable=False)

    objects = ArticleFacetQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["place", "article"],
                condition=Q(place__isnull=False),
                name="facet_place_article",
            ),
            models.Index(
                fields=["event_kind", "article"],
                condition=~Q(event_kind=""),
                name="facet_kind_article",
            ),
            # A place's or a kind's public articles newest first, due ones tested in the index
            # (public_from <= now implies the condition, whatever the parameters).
            models.Index(
                fields=["place", "-public_from", "-article"],
                condition=Q(public_from__isnull=False),
                name="facet_place_public",
            ),
            models.Index(
                fields=["event_kind", "-public_from", "-article"],
                condition=Q(public_from__isnull=False),
                name="facet_kind_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: place {self.place_id}, event kind {self.event_kind or '-'}"


class SuggestionQuerySet(models.QuerySet):
    def pending(self) -> SuggestionQuerySet:
        return self.filter(status=Suggestion.Status.PENDING)


class Suggestion(models.Model):
    """A machine proposal for an annotation, waiting for an editor (briefings.suggest).

    Kept apart from Mention and Quote on purpose: nothing public reads this table, so an
    unaccepted proposal can never reach a page, feed or API response, and revisions (which
    snapshot mentions and quotes) hold only what editors decided. Accepting one creates the
    Mention (and for a quote the Quote); a rejected one is kept so that running the suggestions
    again does not propose it again.
    """

    class Kind(models.TextChoices):
        ACTOR = "actor", "Actor"
        QUOTE = "quote", "Quote"
        DATE = "date", "Date"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start = models.PositiveIntegerField(help_text="Code point offset into the body.")
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    # The actor proposed for an actor mention, or the speaker of a quote. A deleted actor takes
    # its pending proposals with it: they are machine output, recomputed on the next run.
    actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # For a date: the event mentioned in the same sentence, whose date it may fill.
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    value = models.JSONField(
        default=dict, blank=True, help_text="What is proposed: cue and kind, date and precision…"
    )
    reason = models.CharField(max_length=300, blank=True)
    confidence = models.FloatField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    mention = models.ForeignKey(
        Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end", "kind"]
        indexes = [
            models.Index(fields=["article", "status", "start"], name="suggestion_article_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="suggestion_start_before_end"
            ),
            models.CheckConstraint(
                condition=~Q(kind="actor") | Q(actor__isnull=False),
                name="suggestion_actor_has_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} suggestion {self.exact!r} [{self.start}:{self.end}]"


class RevisionManager(models.Manager):
    def get_by_natural_key(self, article_slug: str, number: int):
        return self.get(article__slug=article_slug, number=number)


class Revision(models.Model):
    """A snapshot of an article's fields and its annotations, for history, compare and revert."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    data = models.JSONField(help_text="Article fields and mentions at this revision.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RevisionManager()

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article} — revision {self.number}"

    def natural_key(self) -> tuple[str, int]:
        return (self.article.slug, self.number)

    natural_key.dependencies = ["briefings.article"]


class AuditEntry(models.Model):
    """Who did what to which article, and when."""

    class Action(models.TextChoices):
        IMPORTED = "imported", "Imported"
        EDITED = "edited", "Edited"
        ANNOTATED = "annotated", "Annotated"
        ANNOTATION_CHANGED = "annotation_changed", "Annotation changed"
        ANNOTATION_DELETED = "annotation_deleted", "Annotation deleted"
        SUGGESTION_ACCEPTED = "suggestion_accepted", "Suggestion accepted"
        SUGGESTION_REJECTED = "suggestion_rejected", "Suggestion rejected"
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back to draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        REVERTED = "reverted", "Reverted"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    article_title = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UidManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["article", "-created_at"], name="audit_article_time")]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.user or 'system'} {self.get_action_display()}"
        )

    def natural_key(self) -> tuple[str]:
        return (str(self.uid),)

    @classmethod
    def record(cls, action: str, *, article: Article | None = None, user=None, detail: str = ""):
        return cls.objects.create(
            action=action,
            article=article,
            article_title=article.title if article else "",
            user=user if user is not None and user.is_authenticated else None,
            detail=detail,
        )
