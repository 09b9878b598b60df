"""The public API: published content only, filters, paging, caching, throttling, query budgets."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.utils import timezone

from briefings.api import AnonReadThrottle
from briefings.models import Actor, Article, Event, EventParticipant, Mention, Place, Quote

SEED = "blinken-cairo-israeli-palestinian-violence"
_counter = itertools.count(1)

# Factories ---------------------------------------------------------------------------------------


def make_article(
    status: str = "published", *, days_ago: int = 1, body: str | None = None, **fields
):
    n = next(_counter)
    now = timezone.now()
    publish_at = {
        "published": now - datetime.timedelta(days=days_ago),
        "scheduled": now + datetime.timedelta(days=1),
        "unpublished": now - datetime.timedelta(days=days_ago),
    }.get(status)
    defaults = {
        "title": f"Briefing {n}",
        "slug": f"briefing-{n}",
        "body": body or f"Alpha Person met Beta Person in Gamma City on Monday. Story {n}.",
        "dateline": datetime.date(2023, 1, 30),
        "status": "published" if status == "scheduled" else status,
        "publish_at": publish_at,
    }
    defaults.update(fields)
    return Article.objects.create(**defaults)


def make_actor(name: str | None = None, **fields) -> Actor:
    n = next(_counter)
    name = name or f"Actor {n}"
    return Actor.objects.create(
        name=name,
        slug=fields.pop("slug", f"actor-{n}"),
        kind=fields.pop("kind", "person"),
        **fields,
    )


def make_event(title: str | None = None, **fields) -> Event:
    n = next(_counter)
    defaults = {"title": title or f"Event {n}", "slug": f"event-{n}", "kind": "meeting"}
    defaults.update(fields)
    if defaults.get("date") and not defaults.get("date_precision"):
        defaults["date_precision"] = "day"
    return Event.objects.create(**defaults)


def mention(article: Article, start: int, end: int, **target) -> Mention:
    status = target.pop("status", "accepted")
    anchor_state = target.pop("anchor_state", "anchored")
    m = Mention(article=article, start=start, end=end, status=status, anchor_state=anchor_state)
    for name, value in target.items():
        setattr(m, name, value)
    m.capture()
    m.save()
    return m


def annotated_article(status: str = "published", **fields):
    """An article mentioning its own actor, event (with a participant and a place) and quote."""
    article = make_article(status, **fields)
    actor = make_actor()
    place = Place.objects.create(name=f"Place {article.pk}", slug=f"place-{article.pk}")
    event = make_event(date=datetime.date(2023, 1, 30), place=place)
    EventParticipant.objects.create(event=event, actor=actor, role="host")
    quote = Quote.objects.create(article=article, text="Monday", speaker=actor)
    mention(article, 0, 12, actor=actor)  # Alpha Person
    mention(article, 13, 16, event=event)  # met
    mention(article, 32, 42, place=place)  # Gamma City
    mention(article, 46, 52, quote=quote)  # Monday
    return article, actor, event, quote, place


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def slugs(response) -> list[str]:
    return [item["slug"] for item in items(response)]


# Lists, filters, paging --------------------------------------------------------------------------


@pytest.mark.django_db
def test_briefings_list_only_published_newest_first_with_total(client):
    """The list holds published, due briefings only, newest first, with the total count."""
    old = make_article(days_ago=5)
    new = make_article(days_ago=1)
    middle = make_article(days_ago=3)
    for status in ("draft", "review", "scheduled", "unpublished"):
        make_article(status)
    response = client.get("/api/briefings")
    data = response.json()
    assert data["count"] == 3 and data["count_capped"] is False
    assert [i["slug"] for i in data["items"]] == [new.slug, middle.slug, old.slug]
    assert set(data["items"][0]) >= {"slug", "title", "standfirst", "dateline", "published_at"}
    assert data["items"][0]["url"] == f"http://testserver/briefings/{new.slug}/"


@pytest.mark.django_db
def test_briefings_list_pages_with_limit_and_offset(client):
    """limit and offset page through the list; count stays the total."""
    made = [make_article(days_ago=d) for d in range(1, 6)]
    response = client.get("/api/briefings?limit=2&offset=2")
    data = response.json()
    assert data["count"] == 5 and data["limit"] == 2 and data["offset"] == 2
    assert [i["slug"] for i in data["items"]] == [made[2].slug, made[3].slug]


@pytest.mark.django_db
def test_counts_stop_at_the_limit_and_say_so(client):
    """Matches are counted up to 1,000; past that the count says so and pages still go on."""
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Briefing {n}",
            slug=f"many-{n}",
            body="Words.",
            dateline=datetime.date(2023, 1, 30),
            status="published",
            publish_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(1, 1001)
    )
    data = client.get("/api/briefings").json()
    assert (data["count"], data["count_capped"]) == (1000, False)
    oldest = make_article(days_ago=30, body="A harbour reopened.")
    data = client.get("/api/briefings?offset=1000").json()
    assert (data["count"], data["count_capped"]) == (1000, True)
    assert [item["slug"] for item in data["items"]] == [oldest.slug]
    data = client.get("/api/briefings?q=words").json()
    assert (data["count"], data["count_capped"]) == (1000, False)
    data = client.get("/api/briefings?q=briefing").json()
    assert (data["count"], data["count_capped"]) == (1000, True)
    data = client.get("/api/briefings?q=harbour").json()
    assert (data["count"], data["count_capped"]) == (1, False)


@pytest.mark.django_db
def test_search_pages_newest_first_within_and_past_the_count(client):
    """A search's pages are its published matches newest first, whether the page lies among
    the counted matches or past them; briefings not public never count nor show."""
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Harbour {n}",
            slug=f"harbour-{n}",
            body="The harbour reopened.",
            dateline=datetime.date(2023, 1, 30),
            status="published",
            publish_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(1, 1006)
    )
    for status in ("draft", "review", "scheduled", "unpublished"):
        make_article(status, days_ago=0, body="The harbour closed.")
    newest_first = [f"harbour-{n}" for n in range(1, 1006)]

    def page(offset: int, limit: int = 20) -> dict:
        return client.get(f"/api/briefings?q=harbour&offset={offset}&limit={limit}").json()

    for offset in (0, 980, 990, 1000):
        data = page(offset)
        assert (data["count"], data["count_capped"]) == (1000, True), offset
        assert slugs_of(data) == newest_first[offset : offset + 20], offset
    Article.objects.filter(slug__in=newest_first[:10]).update(status="unpublished")
    data = page(980)
    assert (data["count"], data["count_capped"]) == (995, False)
    assert slugs_of(data) == newest_first[990:]
    assert page(995)["items"] == []


def slugs_of(data: dict) -> list[str]:
    return [item["slug"] for item in data["items"]]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/briefings", "/api/actors", "/api/events", "/api/quotes"])
def test_every_list_says_whether_its_count_is_capped(client, path):
    """Every public list answers with the same paging fields."""
    annotated_article()
    data = client.get(path).json()
    assert (data["count"], data["count_capped"], data["limit"], data["offset"]) == (1, False, 20, 0)


@pytest.mark.django_db
def test_briefings_filters_select_matching_briefings(client):
    """Each filter of the shared ArticleFilter narrows the list to matching briefings."""
    first, actor, event, _, place = annotated_article(dateline=datetime.date(2023, 1, 30))
    second = make_article(dateline=datetime.date(2022, 6, 1), title="Harbour talks")
    mention(second, 0, 5, actor=make_actor())
    assert slugs(client.get(f"/api/briefings?actor={actor.slug}")) == [first.slug]
    assert slugs(client.get("/api/briefings?event_kind=meeting")) == [first.slug]
    assert slugs(client.get("/api/briefings?event_kind=airstrike")) == []
    assert slugs(client.get(f"/api/briefings?place={place.slug}")) == [first.slug]
    assert slugs(client.get("/api/briefings?date_to=2022-12-31")) == [second.slug]
    assert slugs(client.get("/api/briefings?date_from=2023-01-01")) == [first.slug]
    assert slugs(client.get("/api/briefings?q=harbour")) == [second.slug]


@pytest.mark.django_db
def test_place_filter_finds_the_place_itself_or_an_event_there(client):
    """A briefing is at a place when it mentions the place, an event there, or both; mentions
    that are only suggested, and unpublished briefings, never count."""
    place = Place.objects.create(name="Harbour Town", slug="harbour-town")
    elsewhere = Place.objects.create(name="Inland", slug="inland")
    by_name = make_article(days_ago=1)
    mention(by_name, 32, 42, place=place)
    by_event = make_article(days_ago=2)
    mention(by_event, 13, 16, event=make_event(place=place))
    both = make_article(days_ago=3)
    mention(both, 32, 42, place=place)
    mention(both, 13, 16, event=make_event(place=place))
    suggested = make_article(days_ago=4)
    mention(suggested, 32, 42, place=place, status="suggested")
    mention(suggested, 13, 16, event=make_event(place=place), status="suggested")
    unrelated = make_article(days_ago=5)
    mention(unrelated, 32, 42, place=elsewhere)
    mention(unrelated, 13, 16, event=make_event(place=elsewhere))
    for status in ("draft", "review", "scheduled", "unpublished"):
        hidden = make_article(status)
        mention(hidden, 32, 42, place=place)
        mention(hidden, 13, 16, event=make_event(place=place))
    data = client.get("/api/briefings?place=harbour-town").json()
    assert [item["slug"] for item in data["items"]] == [by_name.slug, by_event.slug, both.slug]
    assert (data["count"], data["count_capped"]) == (3, False)
    both_ways = client.get("/api/briefings?place=harbour-town&event_kind=meeting").json()
    assert [item["slug"] for item in both_ways["items"]] == [by_event.slug, both.slug]


@pytest.mark.django_db
def test_actor_and_event_kind_filters_count_accepted_mentions_of_published_briefings(client):
    """Actor and event-kind filters select published briefings with an accepted mention, each
    once however many mentions it has."""
    actor = make_actor()
    twice = make_article(days_ago=1)
    mention(twice, 0, 5, actor=actor)
    mention(twice, 6, 12, actor=actor)
    mention(twice, 13, 16, event=make_event(kind="airstrike"))
    mention(twice, 17, 20, event=make_event(kind="airstrike"))
    suggested = make_article(days_ago=2)
    mention(suggested, 0, 5, actor=actor, status="suggested")
    mention(suggested, 13, 16, event=make_event(kind="airstrike"), status="rejected")
    hidden = make_article("draft")
    mention(hidden, 0, 5, actor=actor)
    mention(hidden, 13, 16, event=make_event(kind="airstrike"))
    for query in (f"actor={actor.slug}", "event_kind=airstrike"):
        data = client.get(f"/api/briefings?{query}").json()
        assert [item["slug"] for item in data["items"]] == [twice.slug], query
        assert (data["count"], data["count_capped"]) == (1, False), query


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/briefings?date_from=2023-02-30", "date_from"),
        ("/api/briefings?date_to=yesterday", "date_to"),
        ("/api/briefings?event_kind=picnic", "event_kind"),
        ("/api/briefings?actor=not%20a%20slug", "actor"),
        ("/api/briefings?place=%2F", "place"),
        ("/api/briefings?q=" + "x" * 201, "q"),
        ("/api/briefings?limit=0", "limit"),
        ("/api/briefings?limit=101", "limit"),
        ("/api/briefings?offset=-1", "offset"),
        ("/api/actors?kind=planet", "kind"),
        ("/api/events?date_from=1.1.2023", "date_from"),
        ("/api/events?kind=party", "kind"),
        ("/api/quotes?speaker=a%00b", "speaker"),
        ("/api/quotes?date_to=2023-13-01", "date_to"),
    ],
)
def test_malformed_filter_values_are_refused_naming_the_field(client, url, field):
    """A malformed filter value is a 422 whose error names the parameter, never a full list."""
    make_article()
    response = client.get(url)
    assert response.status_code == 422, response.content
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["query", field] in locations


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "actor=no-such-actor",
        "place=no-such-place",
        "date_from=2023-02-01&date_to=2023-01-01",
    ],
)
def test_well_formed_values_naming_nothing_select_nothing(client, query):
    """An unknown slug or an empty date range is a valid question with an empty answer."""
    annotated_article()
    response = client.get(f"/api/briefings?{query}")
    assert response.json() == {
        "count": 0,
        "count_capped": False,
        "limit": 20,
        "offset": 0,
        "items": [],
    }


@pytest.mark.django_db
def test_actor_event_and_quote_lists_and_filters(client):
    """Actors, events and quotes list public items and filter them through their FilterSets."""
    article, actor, event, quote, place = annotated_article()
    other, other_actor, other_event, other_quote, _ = annotated_article()
    Actor.objects.filter(pk=other_actor.pk).update(kind="country")
    Event.objects.filter(pk=other_event.pk).update(date=datetime.date(2020, 5, 1), kind="attack")
    Quote.objects.filter(pk=other_quote.pk).update(said_on=datetime.date(2020, 5, 1))

    assert set(slugs(client.get("/api/actors"))) == {actor.slug, other_actor.slug}
    assert slugs(client.get("/api/actors?kind=country")) == [other_actor.slug]
    assert slugs(client.get(f"/api/actors?q={actor.name.split()[-1]}")) == [actor.slug]
    assert slugs(client.get("/api/events?kind=attack")) == [other_event.slug]
    assert slugs(client.get(f"/api/events?place={place.slug}")) == [event.slug]
    assert slugs(client.get(f"/api/events?actor={actor.slug}")) == [event.slug]
    assert slugs(client.get("/api/events?date_to=2021-01-01")) == [other_event.slug]

    def quote_uids(query: str) -> list[str]:
        return [q["uid"] for q in items(client.get(f"/api/quotes?{query}"))]

    assert set(quote_uids("")) == {str(quote.uid), str(other_quote.uid)}
    assert quote_uids(f"speaker={actor.slug}") == [str(quote.uid)]
    assert quote_uids(f"briefing={other.slug}") == [str(other_quote.uid)]
    assert quote_uids("date_from=2020-01-01&date_to=2020-12-31") == [str(other_quote.uid)]
    listed = items(client.get(f"/api/quotes?briefing={article.slug}"))[0]
    assert listed["speaker"]["slug"] == actor.slug
    assert listed["briefing"]["slug"] == article.slug


# Details -----------------------------------------------------------------------------------------


def test_seed_briefing_detail_has_resolved_events_quotes_and_exact_mentions(seed, client):
    """The seed briefing's detail carries dated events, attributed quotes and exact mentions."""
    response = client.get(f"/api/briefings/{SEED}")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == seed.title and data["body"] == seed.body
    assert data["version"] == seed.version
    events = {e["slug"]: e for e in data["events"]}
    attack = events["east-jerusalem-attack-2023-01-27"]
    assert (attack["date"], attack["date_precision"], attack["date_text"]) == (
        "2023-01-27",
        "day",
        "on Friday",
    )
    assert attack["fatalities"] == 7
    assert attack["place"]["slug"] == "east-jerusalem"
    assert events["israeli-occupation-of-the-west-bank"]["date_precision"] == "year"
    assert events["netanyahu-white-house-visit-2023-02"]["date"] == "2023-02-01"
    meeting = events["blinken-al-sisi-meeting-cairo-2023-01-30"]
    assert {p["actor"]["slug"] for p in meeting["participants"]} >= {
        "antony-blinken",
        "abdel-fattah-al-sisi",
    }
    dates = [e["date"] for e in data["events"] if e["date"]]
    assert dates == sorted(dates)

    quotes = {q["text"]: q for q in data["quotes"]}
    assert quotes["appalling"]["speaker"]["slug"] == "united-states"
    assert quotes["important"]["speaker"]["name"] == "Ned Price"
    assert len(data["quotes"]) == seed.quotes.count()

    actors = {a["slug"]: a for a in data["actors"]}
    assert actors["antony-blinken"]["role"] == "US Secretary of State"
    assert data["mentions"], "the seed is annotated"
    for m in data["mentions"]:
        assert seed.body[m["start"] : m["end"]] == m["exact"]
    assert (
        len(data["mentions"])
        == seed.mentions.filter(status="accepted").exclude(anchor_state="orphaned").count()
    )


@pytest.mark.django_db
def test_briefing_detail_lists_only_accepted_anchored_mentions(client):
    """Suggested, rejected and orphaned mentions stay out of the public detail."""
    article, actor, *_ = annotated_article()
    hidden_actor = make_actor()
    mention(article, 17, 21, actor=hidden_actor, status="suggested")
    mention(article, 22, 28, actor=hidden_actor, status="rejected")
    mention(article, 22, 31, actor=hidden_actor, anchor_state="orphaned")
    data = client.get(f"/api/briefings/{article.slug}").json()
    assert len(data["mentions"]) == 4
    assert hidden_actor.slug not in {a["slug"] for a in data["actors"]}
    by_kind = {m["target"]["kind"]: m for m in data["mentions"]}
    assert by_kind["actor"]["target"] == {"kind": "actor", "id": actor.slug, "label": actor.name}
    assert by_kind["quote"]["target"]["label"] == f"“Monday” — {actor.name}"


def test_actor_and_event_details_of_the_seed(seed, client):
    """An actor's detail lists its briefings, events and quotes; an event's its participants."""
    actor = client.get("/api/actors/ned-price").json()
    assert [b["slug"] for b in actor["briefings"]] == [SEED]
    assert {q["text"] for q in actor["quotes"]} >= {"important", "promoting stability regional"}
    event = client.get("/api/events/east-jerusalem-attack-2023-01-27").json()
    assert event["fatalities"] == 7 and event["date"] == "2023-01-27"
    assert [b["slug"] for b in event["briefings"]] == [SEED]


@pytest.mark.django_db
def test_unknown_and_malformed_slugs(client):
    """An unknown slug is a 404 with a message; a malformed one a 422 naming the slug."""
    for url in ("/api/briefings/nope", "/api/actors/nope", "/api/events/nope"):
        response = client.get(url)
        assert response.status_code == 404
        assert "nope" in response.json()["detail"]
    response = client.get("/api/briefings/not%20a%20slug")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "slug"]


# Visibility --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "review", "scheduled", "unpublished"])
def test_nothing_unpublished_is_reachable_through_any_endpoint(client, status):
    """A non-public briefing, its only-there actors, events and quotes never show anywhere."""
    public, *_ = annotated_article()
    hidden, actor, event, quote, place = annotated_article(status)
    # Linked to a public event too: a draft's participant must not leak through shared events.
    public_event = Event.objects.public().get()
    EventParticipant.objects.create(event=public_event, actor=actor, role="visitor")
    Quote.objects.create(article=public, text="Shared", event=event)

    for url in (
        f"/api/briefings/{hidden.slug}",
        f"/api/briefings/{hidden.slug}/annotations",
        f"/api/actors/{actor.slug}",
        f"/api/events/{event.slug}",
    ):
        assert client.get(url).status_code == 404, url

    lists = {
        "/api/briefings": hidden.slug,
        "/api/actors": actor.slug,
        "/api/events": event.slug,
        "/api/quotes": str(quote.uid),
        f"/api/briefings?actor={actor.slug}": hidden.slug,
        f"/api/briefings?place={place.slug}": hidden.slug,
        f"/api/events?actor={actor.slug}": event.slug,
        f"/api/quotes?speaker={actor.slug}": str(quote.uid),
        f"/api/quotes?briefing={hidden.slug}": str(quote.uid),
    }
    for url, secret in lists.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert secret not in response.content.decode(), url
    everything = "".join(
        client.get(url).content.decode()
        for url in (
            f"/api/briefings/{public.slug}",
            f"/api/briefings/{public.slug}/annotations",
            f"/api/events/{public_event.slug}",
            "/api/quotes",
            "/api/events",
        )
    )
    for secret in (hidden.slug, hidden.title, actor.slug, event.slug, str(quote.uid)):
        assert secret not in everything


@pytest.mark.django_db
def test_actor_with_only_suggested_mentions_is_not_public(client):
    """An actor only suggested (not accepted) in a published briefing is not public."""
    article = make_article()
    actor = make_actor()
    mention(article, 0, 5, actor=actor, status="suggested")
    assert client.get(f"/api/actors/{actor.slug}").status_code == 404
    assert actor.slug not in client.get("/api/actors").content.decode()


@pytest.mark.django_db
def test_event_whose_mentions_are_all_orphaned_is_public_nowhere(client):
    """An event named only by orphaned mentions is in neither the API nor the pages (one
    definition, Event.objects.public()), until its mention sits on its words again."""
    article, _, event, *_ = annotated_article()
    orphan = make_event("Orphan Event", date=datetime.date(2023, 1, 29))
    mention(article, 17, 21, event=orphan, anchor_state="orphaned")
    assert client.get(f"/api/events/{orphan.slug}").status_code == 404
    assert slugs(client.get("/api/events")) == [event.slug]
    assert client.get(f"/events/{orphan.slug}/").status_code == 404

    Mention.objects.filter(event=orphan).update(anchor_state="reanchored")
    cache.clear()
    assert client.get(f"/api/events/{orphan.slug}").status_code == 200
    assert set(slugs(client.get("/api/events"))) == {event.slug, orphan.slug}
    assert client.get(f"/events/{orphan.slug}/").status_code == 200


@pytest.mark.django_db
def test_actor_whose_mentions_are_all_orphaned_is_public_nowhere(client):
    """An actor named only by orphaned mentions (their words are gone from the text) is not
    public: not in the API's actor list, detail or an event's participants, and not on the
    site's pages, which go by the same definition (Actor.objects.public())."""
    article, named, event, *_ = annotated_article()
    orphan = make_actor("Orphan Person")
    mention(article, 17, 21, actor=orphan, anchor_state="orphaned")
    EventParticipant.objects.create(event=event, actor=orphan, role="visitor")
    assert client.get(f"/api/actors/{orphan.slug}").status_code == 404
    assert slugs(client.get("/api/actors")) == [named.slug]
    participants = client.get(f"/api/events/{event.slug}").json()["participants"]
    assert [p["actor"]["slug"] for p in participants] == [named.slug]
    assert slugs(client.get(f"/api/briefings?actor={orphan.slug}")) == []
    assert client.get(f"/actors/{orphan.slug}/").status_code == 404

    # Re-anchored, the same mention makes the actor public everywhere again.
    Mention.objects.filter(actor=orphan).update(anchor_state="reanchored")
    cache.clear()
    assert client.get(f"/api/actors/{orphan.slug}").status_code == 200
    assert slugs(client.get("/api/actors")) == sorted(
        [named.slug, orphan.slug], key=lambda s: Actor.objects.get(slug=s).name
    )
    assert client.get(f"/actors/{orphan.slug}/").status_code == 200


# W3C annotations ---------------------------------------------------------------------------------


def test_seed_annotations_are_a_w3c_annotation_collection(seed, client):
    """The export is JSON-LD in the W3C Web Annotation model with both selectors per target."""
    response = client.get(f"/api/briefings/{SEED}/annotations")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    )
    data = response.json()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["id"] == f"http://testserver/api/briefings/{SEED}/annotations"
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert data["total"] == len(page["items"]) > 0
    source = f"http://testserver/briefings/{SEED}/"
    ids = set()
    for item in page["items"]:
        assert item["type"] == "Annotation"
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", item["id"])
        ids.add(item["id"])
        assert item["motivation"] in {"identifying", "describing"}
        assert item["body"] and all(
            b["type"] in {"SpecificResource", "TextualBody"} for b in item["body"]
        )
        assert None not in [v for b in item["body"] for v in b.values()]
        assert item["target"]["source"] == source
        selectors = {s["type"]: s for s in item["target"]["selector"]}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        assert seed.body[position["start"] : position["end"]] == quote["exact"]
        assert seed.body[: position["start"]].endswith(quote["prefix"])
        assert seed.body[position["end"] :].startswith(quote["suffix"])
    assert len(ids) == len(page["items"])
    identifying = [b for i in page["items"] for b in i["body"] if b["type"] == "SpecificResource"]
    assert "http://testserver/actors/antony-blinken/" in {b["source"] for b in identifying}


# Caching -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/briefings/{slug}", "/api/briefings/{slug}/annotations"])
def test_detail_etag_and_conditional_get(client, path):
    """Details carry an ETag; a matching If-None-Match gets 304, a changed briefing a new tag."""
    article, actor, *_ = annotated_article()
    url = path.format(slug=article.slug)
    first = client.get(url)
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first["Cache-Control"] == "max-age=60, public"
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    actor.name = "Renamed Person"
    actor.save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.django_db
def test_public_responses_with_cookies_are_private(client, editor):
    """A logged-in reader's response sets a cookie: shared caches must not keep it."""
    article, *_ = annotated_article()
    client.cookies["csrftoken"] = "x" * 32
    assert client.get(f"/api/briefings/{article.slug}")["Cache-Control"] == "max-age=60, public"
    client.force_login(editor)
    response = client.get(f"/api/briefings/{article.slug}")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert response.cookies["sessionid"].value, "the session cookie is refreshed"


@pytest.mark.django_db
def test_errors_are_not_cacheable(client):
    response = client.get("/api/briefings/nope")
    assert response.status_code == 404
    assert not response.has_header("Cache-Control") and not response.has_header("ETag")


# Throttling --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_reads_are_throttled_per_address(client, settings):
    """Past the anonymous rate an address gets 429 with Retry-After; other addresses do not."""
    settings.BRIEFINGS_API_ANON_RATE = "3/min"
    cache.clear()
    address = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(3):
        assert client.get("/api/briefings", **address).status_code == 200
    refused = client.get("/api/briefings", **address)
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests."}
    assert int(refused["Retry-After"]) > 0
    assert client.get("/api/actors", REMOTE_ADDR="203.0.113.8").status_code == 200
    cache.clear()


@pytest.mark.django_db
def test_the_anonymous_rate_comes_back_evenly(client, settings, monkeypatch):
    """An address that used its requests up gets one back every period / rate, is told when,
    and never saves up more than the rate."""
    settings.BRIEFINGS_API_ANON_RATE = "3/min"
    clock = [1_000_000.0]
    monkeypatch.setattr(AnonReadThrottle, "timer", staticmethod(lambda: clock[0]))
    address = {"REMOTE_ADDR": "203.0.113.7"}

    def allowed(n: int) -> str:
        for _ in range(n):
            assert client.get("/api/actors", **address).status_code == 200
        refused = client.get("/api/actors", **address)
        assert refused.status_code == 429
        return refused["Retry-After"]

    assert allowed(3) == "20"
    clock[0] += 10
    assert allowed(0) == "10"
    clock[0] += 10
    assert allowed(1) == "20"
    clock[0] += 3600
    assert allowed(3) == "20"


# Query budgets -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/briefings", 2),
        ("/api/briefings?actor={actor}&event_kind=meeting&q=Alpha", 3),
        ("/api/actors", 2),
        ("/api/events", 3),
        ("/api/quotes", 2),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, url, queries
):
    """A page of 1 and a page of 30 cost the same number of queries. The list of briefings is
    kept in the render cache: built and kept (its query first), then served from it (one)."""
    made = [annotated_article(days_ago=d) for d in range(1, 31)]
    url = url.format(actor=made[0][1].slug)
    budgets = [(False, queries)]
    if url.startswith("/api/briefings"):
        budgets += [(True, queries + 1), (True, 1)]
    for limit in (1, 30):
        for render_cache, budget in budgets:
            settings.BRIEFINGS_RENDER_CACHE = render_cache
            with django_assert_num_queries(budget):
                response = client.get(f"{url}{'&' if '?' in url else '?'}limit={limit}")
            assert response.status_code == 200
            assert len(response.json()["items"]) == (limit if "actor=" not in url else 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "queries"),
    [("/api/briefings/{slug}", 4), ("/api/briefings/{slug}/annotations", 2)],
)
def test_briefing_detail_runs_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, path, queries
):
    """A briefing with 4 mentions and one with 40 cost the same number of queries: built
    without the render cache, built and stored (one more), and served from it (one)."""
    small, *_ = annotated_article()
    large, *_ = annotated_article()
    for _ in range(9):
        actor, event = make_actor(), make_event(date=datetime.date(2023, 1, 1))
        EventParticipant.objects.create(event=event, actor=actor)
        quote = Quote.objects.create(article=large, text="Monday", speaker=actor)
        mention(large, 0, 5, actor=actor)
        mention(large, 6, 12, event=event)
        mention(large, 13, 19, quote=quote)
        mention(large, 20, 25, place=Place.objects.first())
    for article in (small, large):
        assert_detail_queries(client, settings, django_assert_num_queries, path, article, queries)


def assert_detail_queries(client, settings, django_assert_num_queries, path, obj, queries):
    url = path.format(slug=obj.slug)
    for render_cache, budget in ((False, queries), (True, queries + 1), (True, 1)):
        settings.BRIEFINGS_RENDER_CACHE = render_cache
        with django_assert_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "queries"), [("actors", 4), ("events", 4)])
def test_actor_and_event_details_run_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, kind, queries
):
    """An actor or event in one briefing and in ten cost the same number of queries (without
    the render cache, filling it, served from it)."""
    _, actor, event, *_ = annotated_article()
    busy_actor, busy_event = make_actor(), make_event(date=datetime.date(2023, 1, 2))
    for _ in range(10):
        article, *_ = annotated_article()
        mention(article, 0, 5, actor=busy_actor)
        mention(article, 6, 12, event=busy_event)
        Quote.objects.create(article=article, text="Words", speaker=busy_actor, event=busy_event)
        EventParticipant.objects.get_or_create(
            event=busy_event, actor=article.mentions.first().actor
        )
    pairs = {"actors": (actor, busy_actor), "events": (event, busy_event)}[kind]
    for item in pairs:
        path = f"/api/{kind}/{{slug}}"
        assert_detail_queries(client, settings, django_assert_num_queries, path, item, queries)


# Schema and docs ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_declares_every_status_and_operation_id(client):
    """Every operation declares its 422; public reads 304 and 429; editor writes 401/403."""
    schema = client.get("/api/openapi.json").json()
    operations = {
        op["operationId"]: (path, method, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }
    assert {
        "list_briefings",
        "get_briefing",
        "get_briefing_annotations",
        "list_actors",
        "get_actor",
        "list_events",
        "get_event",
        "list_quotes",
    } <= set(operations)
    for op_id, (path, _method, op) in operations.items():
        codes = set(op["responses"])
        assert "422" in codes, op_id
        if path.startswith("/api/editor/"):
            assert {"401", "403"} <= codes, op_id
            assert "429" not in codes, op_id
        else:
            assert {"200", "304", "429"} <= codes, op_id
    annotations = operations["get_briefing_annotations"][2]["responses"]["200"]["content"]
    assert list(annotations) == ['application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"']


@pytest.mark.django_db
def test_docs_page_works_offline_from_local_static_files(client):
    """/api/docs loads Swagger UI from this site's static files only, and they exist."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    for url in urls:
        assert url.startswith("/static/"), f"{url} is not served by this site"
        assert finders.find(url.removeprefix("/static/")), f"{url} is missing"
    assert "cdn" not in html.lower()
    assert '"url": "/api/openapi.json"' in html


@pytest.mark.django_db
def test_links_use_the_configured_site_address(client, settings):
    """With BRIEFINGS_SITE_URL set, links and annotation ids use it, not the request's host."""
    settings.SITE_URL = "https://briefings.example.org"
    article, actor, *_ = annotated_article()
    detail = client.get(f"/api/briefings/{article.slug}").json()
    assert detail["url"] == f"https://briefings.example.org/briefings/{article.slug}/"
    assert detail["actors"][0]["url"] == f"https://briefings.example.org/actors/{actor.slug}/"
    collection = client.get(f"/api/briefings/{article.slug}/annotations").json()
    assert collection["id"] == (
        f"https://briefings.example.org/api/briefings/{article.slug}/annotations"
    )
    target = collection["first"]["items"][0]["target"]
    assert target["source"] == f"https://briefings.example.org/briefings/{article.slug}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/briefings",
        "/api/briefings/blinken-cairo-israeli-palestinian-violence",
        "/api/actors/antony-blinken",
    ],
)
def test_head_is_answered_like_get_without_a_body(client, seed, path):
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(got.content))
    assert head["ETag"] == got["ETag"] if "ETag" in got else "ETag" not in head
    assert head["Content-Type"] == got["Content-Type"] == "application/json; charset=utf-8"
    if "ETag" in got:
        assert client.head(path, HTTP_IF_NONE_MATCH=got["ETag"]).status_code == 304


@pytest.mark.django_db
def test_head_is_refused_where_get_is(client, seed):
    assert client.head("/api/briefings/no-such-briefing").status_code == 404
    # An editor endpoint: HEAD is refused exactly as GET is (signed out: 401).
    refused = client.get("/api/editor/briefings/blinken-cairo-israeli-palestinian-violence")
    assert refused.status_code == 401
    assert client.head(refused.request["PATH_INFO"]).status_code == 401
