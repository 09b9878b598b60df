import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from briefings.models import Actor, Article, Event, EventParticipant, Mention, Place

BODY = "Antony Blinken met Abdel Fattah al-Sissi in Cairo on Monday."


def make_article(**fields) -> Article:
    defaults = {
        "title": "Talks",
        "slug": "talks",
        "body": BODY,
        "dateline": datetime.date(2023, 1, 30),
    }
    return Article.objects.create(**{**defaults, **fields})


@pytest.fixture
def blinken(db):
    return Actor.objects.create(name="Antony Blinken", slug="antony-blinken", kind="person")


@pytest.mark.django_db
def test_published_respects_status_and_publish_at():
    """Only published articles whose publish_at has passed are public."""
    now = timezone.now()
    make_article(slug="draft")
    make_article(slug="review", status="review")
    make_article(slug="live", status="published", publish_at=now - datetime.timedelta(minutes=1))
    make_article(slug="later", status="published", publish_at=now + datetime.timedelta(hours=1))
    make_article(
        slug="retracted", status="unpublished", publish_at=now - datetime.timedelta(days=1)
    )
    assert list(Article.objects.published().values_list("slug", flat=True)) == ["live"]
    later = now + datetime.timedelta(hours=2)
    assert set(Article.objects.published(now=later).values_list("slug", flat=True)) == {
        "live",
        "later",
    }


@pytest.mark.django_db
def test_published_status_requires_publish_at():
    """The database refuses a published article with no publish time."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(status="published", publish_at=None)


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 3)])
def test_span_must_have_start_before_end(blinken, start, end):
    """The database refuses empty and reversed spans."""
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(article=article, start=start, end=end, exact="x", actor=blinken)


@pytest.mark.django_db
def test_mention_needs_exactly_one_target(blinken):
    """No target, or two targets, is refused by the database."""
    article = make_article()
    cairo = Place.objects.create(name="Cairo", slug="cairo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(article=article, start=0, end=6, exact="Antony")
    with pytest.raises(IntegrityError), transaction.atomic():
        Mention.objects.create(
            article=article, start=0, end=6, exact="Antony", actor=blinken, place=cairo
        )


@pytest.mark.django_db
def test_mention_clean_names_the_problem(blinken):
    """Validation explains a span past the body or text that does not match."""
    article = make_article()
    past = Mention(article=article, start=50, end=500, exact="x", actor=blinken)
    with pytest.raises(ValidationError, match="past the end"):
        past.full_clean()
    wrong = Mention(article=article, start=0, end=14, exact="Antony Blinkin", actor=blinken)
    with pytest.raises(ValidationError, match="not 'Antony Blinkin'"):
        wrong.full_clean()


@pytest.mark.django_db
def test_capture_fills_exact_and_context(blinken):
    """A mention captures its exact text and up to 32 characters of context each side."""
    article = make_article()
    start = BODY.index("Cairo")
    mention = Mention(article=article, start=start, end=start + 5, actor=blinken)
    mention.capture()
    assert mention.exact == "Cairo"
    assert mention.prefix == BODY[max(0, start - 32) : start]
    assert mention.suffix == " on Monday."


@pytest.mark.django_db
def test_unknown_casualties_stay_null():
    """An event with no figures stores NULL, not zero."""
    event = Event.objects.create(title="Raid", slug="raid", kind="military_raid")
    event.refresh_from_db()
    assert event.fatalities is None and event.injured is None


@pytest.mark.django_db
def test_event_date_needs_a_precision():
    """A date without a precision is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            title="Raid", slug="raid", kind="attack", date=datetime.date(2023, 1, 26)
        )


@pytest.mark.django_db
def test_wikidata_id_is_validated():
    """A Wikidata id must look like Q42."""
    actor = Actor(name="Egypt", slug="egypt", kind="country", wikidata_id="79")
    with pytest.raises(ValidationError, match="Q42"):
        actor.full_clean()


@pytest.mark.django_db
def test_natural_keys_round_trip(blinken):
    """Fixtures can refer to rows by slug or uid."""
    assert Actor.objects.get_by_natural_key(*blinken.natural_key()) == blinken
    article = make_article()
    mention = Mention.objects.create(
        article=article, start=0, end=14, exact="Antony Blinken", actor=blinken
    )
    assert Mention.objects.get_by_natural_key(*mention.natural_key()) == mention


@pytest.mark.django_db
def test_roles_exist_with_the_right_rights():
    """Annotators cannot publish; Editors can."""
    from django.contrib.auth.models import Group

    annotators = set(
        Group.objects.get(name="Annotators").permissions.values_list("codename", flat=True)
    )
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert "change_mention" in annotators and "publish_article" not in annotators
    assert "publish_article" in editors and "delete_mention" in editors


@pytest.mark.django_db
def test_a_participation_keeps_its_events_date_whoever_writes_it(seed):
    """The database copies an event's date to its participations (the actor pages read an
    actor's events in date order from them): when a participation is added by the ORM, by a
    bulk insert, through the many-to-many relation or from a fixture, and when the event's date
    changes by a save or by an update."""

    def dates_agree() -> bool:
        rows = EventParticipant.objects.values_list("event_date", "event__date")
        return bool(rows) and all(copied == date for copied, date in rows)

    assert dates_agree()  # the seed fixture's
    actor = Actor.objects.create(name="Antony Blinken", slug="blinken-test")
    day = datetime.date(2023, 1, 30)
    one = Event.objects.create(title="One", slug="one", kind="meeting", date=day,
                               date_precision="day")  # fmt: skip
    two = Event.objects.create(title="Two", slug="two", kind="meeting")
    EventParticipant.objects.create(event=one, actor=actor)
    EventParticipant.objects.bulk_create([EventParticipant(event=two, actor=actor, role="host")])
    one.participants.add(actor, through_defaults={"role": "visitor"})
    assert dates_agree()
    assert EventParticipant.objects.get(event=one, role="participant").event_date == day
    assert EventParticipant.objects.get(event=two).event_date is None

    one.date = datetime.date(2023, 2, 1)
    one.save()
    Event.objects.filter(pk=two.pk).update(date=day, date_precision="day")
    assert dates_agree()
    assert EventParticipant.objects.get(event=two).event_date == day
    # A participation saved again from a copy read before the change keeps the event's date.
    stale = EventParticipant.objects.get(event=two)
    stale.event_date = datetime.date(1999, 1, 1)
    stale.save()
    assert dates_agree()
