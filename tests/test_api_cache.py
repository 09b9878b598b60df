"""The API's public details served from the render cache (briefings.cache).

A hit is the same JSON as a fresh render, for one query; every change a reader could see shows
on the next request; nothing withdrawn is ever served from the cache.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from briefings import api, schemas
from briefings import cache as render_cache
from briefings.models import Actor, Article, Event, EventParticipant, Quote
from tests.test_api import annotated_article, make_actor, make_article, mention
from tests.test_api_editor import api_client, mentions_url, send

SEED = "blinken-cairo-israeli-palestinian-violence"
BRIEFING = f"/api/briefings/{SEED}"
ANNOTATIONS = f"/api/briefings/{SEED}/annotations"
ACTOR = "/api/actors/antony-blinken"
EVENT = "/api/events/blinken-al-sisi-meeting-cairo-2023-01-30"
DETAILS = [BRIEFING, ANNOTATIONS, ACTOR, EVENT]


def fresh(settings, client, url: str):
    """The response rendered with the render cache off, as before it existed."""
    settings.BRIEFINGS_RENDER_CACHE = False
    try:
        return client.get(url)
    finally:
        settings.BRIEFINGS_RENDER_CACHE = True


def current(settings, client, url: str) -> dict:
    """What the (cache-enabled) endpoint serves now, checked against a fresh render."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == fresh(settings, client, url).content
    return response.json()


STATES = {
    BRIEFING: (render_cache.api_briefing_state, "api"),
    ANNOTATIONS: (render_cache.briefing_state, "annotations"),
    ACTOR: (render_cache.api_actor_state, "api"),
    EVENT: (render_cache.api_event_state, "api"),
}


def stored_key(url: str, response) -> str:
    """The render cache key a detail of DETAILS is kept under, for the request made."""
    state_of, variant = STATES[url]
    state = state_of(url.split("/")[3])
    return state.key(response.wsgi_request, variant, "")


def cached(client, url: str, django_assert_num_queries):
    """Served from the cache: one query (visibility, version and generations)."""
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("url", DETAILS)
def test_a_hit_is_the_fresh_render_byte_for_byte(seed, client, settings, url):
    """The cached JSON of the seed's details is exactly what a fresh render makes, with the
    same media type; the hit keeps the miss's ETag."""
    miss = client.get(url)
    hit = client.get(url)
    uncached = fresh(settings, client, url)
    assert miss.status_code == hit.status_code == uncached.status_code == 200
    assert hit.content == miss.content == uncached.content
    assert hit["Content-Type"] == uncached["Content-Type"]
    assert hit["ETag"] == miss["ETag"]
    assert hit["Cache-Control"] == uncached["Cache-Control"] == "max-age=60, public"


@pytest.mark.parametrize("url", DETAILS)
def test_a_hit_costs_one_query_and_is_stored_under_the_state_key(
    seed, client, url, django_assert_num_queries
):
    """After the first request the detail is served for one query from the cache entry."""
    first = client.get(url)
    hit = cached(client, url, django_assert_num_queries)
    assert hit.content == first.content
    key = stored_key(url, hit)
    assert cache.get(key)["content"] == hit.content
    assert hit["ETag"] == render_cache.etag_for(key)


@pytest.mark.parametrize("url", DETAILS)
def test_revalidation_is_a_304_without_a_body_until_something_changes(
    seed, client, url, django_assert_num_queries
):
    """A matching If-None-Match is answered from the state query alone (even with the entry
    gone), with the validators and Cache-Control; after a change the old tag gets the body."""
    etag = client.get(url)["ETag"]
    cache.clear()
    with django_assert_num_queries(1):
        again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "max-age=60, public"
    actor = Actor.objects.get(slug="antony-blinken")
    actor.role = "Secretary of State of the United States"
    actor.save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


@pytest.mark.parametrize("url", DETAILS)
def test_a_reader_with_a_session_gets_a_private_copy_of_the_cached_detail(
    seed, client, editor, url
):
    """Hits and revalidations are private for a request with a session cookie, public else."""
    etag = client.get(url)["ETag"]
    client.force_login(editor)
    hit = client.get(url)
    assert hit.status_code == 200 and hit["ETag"] == etag
    assert hit["Cache-Control"] == "max-age=60, private"
    revalidated = client.get(url, headers={"if-none-match": etag})
    assert revalidated.status_code == 304
    assert revalidated["Cache-Control"] == "max-age=60, private"
    client.logout()
    assert client.get(url)["Cache-Control"] == "max-age=60, public"


def test_cached_hits_are_throttled(seed, client, settings):
    """Cached responses count against the anonymous rate like any other read."""
    settings.BRIEFINGS_API_ANON_RATE = "3/min"
    address = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        assert client.get(BRIEFING, **address).status_code == 200
    refused = client.get(BRIEFING, **address)
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests."}
    assert not refused.has_header("ETag") and not refused.has_header("Cache-Control")


def test_links_follow_the_host_asked_for(seed, client):
    """Absolute links are made for the host the request came to: hosts do not share entries."""
    assert client.get(BRIEFING).json()["url"].startswith("http://testserver/")
    other = client.get(BRIEFING, HTTP_HOST="localhost")
    assert other.json()["url"].startswith("http://localhost/")


# Changes show on the next request ----------------------------------------------------------------


def test_an_unpublished_briefing_is_a_404_at_once_though_its_entries_remain(
    seed, client, settings, editor, django_assert_num_queries
):
    """Withdrawing the seed makes its details (and those of actors and events only it names)
    404 on the next request, as without the cache, while the stored entries still exist;
    republishing serves them again."""
    keys = {}
    for url in DETAILS:
        response = client.get(url)
        assert response.status_code == 200
        keys[url] = stored_key(url, response)
    stored = client.get(BRIEFING).content
    seed.unpublish(editor, "Legal review of the casualty figures.")
    for url in DETAILS:
        with django_assert_num_queries(1):
            response = client.get(url)
        assert response.status_code == 404
        assert response.json() == fresh(settings, client, url).json()
        assert not response.has_header("ETag")
        assert cache.get(keys[url]) is not None
    seed.refresh_from_db()
    seed.publish(editor, expected_version=seed.version)
    for url in DETAILS:
        assert current(settings, client, url) != {}
    assert client.get(BRIEFING).content != stored, "the version moved on"


def test_a_scheduled_briefing_appears_on_time(seed, client, editor):
    """A scheduled briefing's details are 404 until its time, then served."""
    seed.unpublish(editor, "Held back.")
    seed.refresh_from_db()
    seed.publish(
        editor, at=timezone.now() + datetime.timedelta(hours=1), expected_version=seed.version
    )
    assert client.get(BRIEFING).status_code == 404
    assert client.get(ACTOR).status_code == 404
    Article.objects.filter(pk=seed.pk).update(publish_at=timezone.now())
    assert client.get(BRIEFING).status_code == 200
    assert client.get(ACTOR).status_code == 200


def test_an_edit_shows_on_the_next_request(seed, client, settings, editor):
    seed_details = [client.get(url) for url in DETAILS]
    assert all(r.status_code == 200 for r in seed_details)
    seed.save_content(editor, expected_version=seed.version, title="Blinken in Cairo, corrected")
    assert current(settings, client, BRIEFING)["title"] == "Blinken in Cairo, corrected"
    assert current(settings, client, ANNOTATIONS)["label"].endswith("Blinken in Cairo, corrected”")
    briefings = current(settings, client, ACTOR)["briefings"]
    assert briefings[0]["title"] == "Blinken in Cairo, corrected"
    assert current(settings, client, EVENT)["briefings"][0]["title"] == briefings[0]["title"]


def test_rejecting_and_accepting_a_mention_shows_on_the_next_request(
    seed, client, settings, editor
):
    """A mention rejected through the editor API leaves the detail and the annotations;
    accepted again, it is back."""
    eddie = api_client(editor)
    target = seed.mentions.filter(actor__slug="antony-blinken").first()
    for url in (BRIEFING, ANNOTATIONS):
        client.get(url)
    rejected = send(eddie, "post", mentions_url(seed, target.uid, "reject"), {"version": 1})
    assert rejected.status_code == 200
    uids = {m["uid"] for m in current(settings, client, BRIEFING)["mentions"]}
    assert str(target.uid) not in uids
    items = current(settings, client, ANNOTATIONS)["first"]["items"]
    assert f"urn:uuid:{target.uid}" not in {i["id"] for i in items}
    accepted = send(eddie, "post", mentions_url(seed, target.uid, "accept"), {"version": 2})
    assert accepted.status_code == 200
    uids = {m["uid"] for m in current(settings, client, BRIEFING)["mentions"]}
    assert str(target.uid) in uids


def test_a_revert_shows_on_the_next_request(seed, client, settings, editor):
    original = seed.title
    before_edit = seed.make_revision(editor, "As loaded")
    seed.save_content(editor, expected_version=seed.version, title="A headline to undo")
    assert current(settings, client, BRIEFING)["title"] == "A headline to undo"
    seed.refresh_from_db()
    seed.revert(before_edit, editor, expected_version=seed.version)
    assert current(settings, client, BRIEFING)["title"] == original


def test_renaming_an_actor_shows_everywhere_it_appears(seed, client, settings):
    """An actor's save changes the content generation: every detail naming it is rebuilt."""
    for url in DETAILS:
        client.get(url)
    actor = Actor.objects.get(slug="antony-blinken")
    actor.name = "Antony J. Blinken"
    actor.save()
    briefing = current(settings, client, BRIEFING)
    assert "Antony J. Blinken" in {a["name"] for a in briefing["actors"]}
    items = current(settings, client, ANNOTATIONS)["first"]["items"]
    labels = {body.get("value") for item in items for body in item["body"]}
    assert "Actor: Antony J. Blinken" in labels
    assert current(settings, client, ACTOR)["name"] == "Antony J. Blinken"
    participants = current(settings, client, EVENT)["participants"]
    assert "Antony J. Blinken" in {p["actor"]["name"] for p in participants}


def test_an_event_change_shows_on_the_next_request(seed, client, settings, editor):
    """An event edited through the editor API changes the briefing, actor and event details."""
    for url in DETAILS:
        client.get(url)
    slug = EVENT.rsplit("/", 1)[1]
    patch = {"title": "Blinken and al-Sisi meet in Cairo"}
    assert send(api_client(editor), "patch", f"/api/editor/events/{slug}", patch).status_code == 200
    titles = {e["title"] for e in current(settings, client, BRIEFING)["events"]}
    assert "Blinken and al-Sisi meet in Cairo" in titles
    assert current(settings, client, EVENT)["title"] == "Blinken and al-Sisi meet in Cairo"
    events = current(settings, client, ACTOR)["events"]
    assert "Blinken and al-Sisi meet in Cairo" in {e["title"] for e in events}


def test_a_quote_change_shows_on_the_next_request(seed, client, settings, editor):
    """A quote edited through the editor API changes the briefing and speaker details."""
    quote = Quote.objects.filter(article=seed, speaker__isnull=False).first()
    speaker_url = f"/api/actors/{quote.speaker.slug}"
    for url in (BRIEFING, speaker_url):
        client.get(url)
    url = f"/api/editor/briefings/{SEED}/quotes/{quote.uid}"
    response = send(api_client(editor), "patch", url, {"version": 1, "text": "Corrected words"})
    assert response.status_code == 200
    for detail in (BRIEFING, speaker_url):
        quotes = current(settings, client, detail)["quotes"]
        assert "Corrected words" in {q["text"] for q in quotes}


@pytest.mark.django_db
def test_what_other_briefings_publish_shows_on_the_next_request(client, settings, editor):
    """An event's participant is public only while some published briefing names it: when the
    only such briefing is withdrawn, the participant leaves the cached details of briefings
    and events that merely list it; when it goes live again, it is back."""
    article, _, event, *_ = annotated_article()
    outsider = make_actor()
    EventParticipant.objects.create(event=event, actor=outsider, role="visitor")
    other = make_article(body="Delta Person arrived.")
    mention(other, 0, 12, actor=outsider)
    urls = [f"/api/briefings/{article.slug}", f"/api/events/{event.slug}"]

    def participants(url: str) -> set[str]:
        data = current(settings, client, url)
        event_data = data if "events/" in url else data["events"][0]
        return {p["actor"]["slug"] for p in event_data["participants"]}

    assert all(outsider.slug in participants(url) for url in urls)
    other.unpublish(editor, "Not yet.")
    assert not any(outsider.slug in participants(url) for url in urls)
    other.refresh_from_db()
    other.publish(editor, expected_version=other.version)
    assert all(outsider.slug in participants(url) for url in urls)
    assert Event.objects.public().filter(pk=event.pk).exists()


def test_the_cache_can_be_turned_off(seed, client, settings, django_assert_num_queries):
    """With BRIEFINGS_RENDER_CACHE off every request builds the detail and nothing is stored;
    the ETag is then a hash of the body."""
    settings.BRIEFINGS_RENDER_CACHE = False
    with django_assert_num_queries(4):
        first = client.get(BRIEFING)
    assert first.content == client.get(BRIEFING).content
    assert cache.get(stored_key(BRIEFING, first)) is None
    assert first["ETag"] != render_cache.etag_for(stored_key(BRIEFING, first))
    again = client.get(BRIEFING, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


# The details' JSON is what their schemas make of the same objects ------------------------------


def validated(request, schema, obj, **options) -> str:
    """The schema's own rendering: validate, dump, and render as the API does."""
    data = schema.model_validate(obj, context={"request": request}).model_dump(**options)
    return api.render_json(request, data)


@pytest.mark.parametrize("site_url", ["", "https://briefings.example.org"])
def test_details_are_exactly_what_their_schemas_make(seed, rf, settings, site_url):
    """Details are built without validating them again (schemas.dump); for the seed and for
    objects with empty values (no coordinates, no date, no speaker) the JSON is byte for byte
    what validating with the response schema gives, annotations included."""
    settings.SITE_URL = site_url
    request = rf.get(ANNOTATIONS)
    article, *_ = annotated_article()
    Event.objects.create(title="Undated", slug="undated", kind="statement")
    Quote.objects.create(article=article, text="Unattributed words")
    cases = [
        (schemas.BriefingDetail, api.with_briefing_lists(a)) for a in Article.objects.published()
    ]
    cases += [(schemas.ActorDetail, api.with_actor_lists(a)) for a in Actor.objects.public()]
    cases += [(schemas.EventDetail, api.with_event_lists(e)) for e in api.public_events()]
    assert len(cases) > 30
    for schema, obj in cases:
        assert api.render_detail(request, schema, obj) == validated(request, schema, obj)
    for published in Article.objects.published():
        collection = api.annotation_collection(request, published)
        expected = validated(
            request, schemas.AnnotationCollection, collection, by_alias=True, exclude_none=True
        )
        assert api.render_json(request, collection) == expected


def test_dump_refuses_a_choice_it_cannot_make():
    """A field that may hold one of several schemas needs validation to tell which: dump()
    says so instead of guessing."""
    with pytest.raises(TypeError, match="cannot choose"):
        schemas.dump(schemas.AnnotationTarget, {"source": "x", "selector": []}, {})


# The list of briefings, kept per validated parameters -------------------------------------------

LIST = "/api/briefings"


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


def test_the_list_is_kept_and_a_hit_is_the_fresh_render(
    seed, client, settings, django_assert_num_queries
):
    """The list's JSON is built once and then served for one query, byte for byte what a
    fresh render makes, with its media type and the key's ETag."""
    miss = client.get(LIST)
    with django_assert_num_queries(1):
        hit = client.get(LIST)
    uncached = fresh(settings, client, LIST)
    assert miss.status_code == hit.status_code == uncached.status_code == 200
    assert hit.content == miss.content == uncached.content
    assert hit["Content-Type"] == uncached["Content-Type"] == "application/json; charset=utf-8"
    assert hit["ETag"] == miss["ETag"] != uncached["ETag"]
    assert hit["Cache-Control"] == "max-age=60, public"
    assert slugs(hit) == [SEED]


def test_the_list_follows_publications_and_edits_at_once(seed, client, settings, editor):
    """Published, scheduled then due, edited, withdrawn: each shows on the next request."""
    assert slugs(client.get(LIST)) == [SEED]
    later = make_article(title="Later")
    assert [i["title"] for i in current(settings, client, LIST)["items"]][0] == "Later"
    later.save_content(editor, expected_version=later.version, title="Later, corrected")
    assert current(settings, client, LIST)["items"][0]["title"] == "Later, corrected"
    later.refresh_from_db()
    later.unpublish(editor, "Not yet.")
    assert [i["slug"] for i in current(settings, client, LIST)["items"]] == [SEED]
    later.refresh_from_db()
    later.publish(
        editor, at=timezone.now() + datetime.timedelta(hours=1), expected_version=later.version
    )
    assert [i["slug"] for i in current(settings, client, LIST)["items"]] == [SEED]
    Article.objects.filter(pk=later.pk).update(publish_at=timezone.now())
    assert [i["slug"] for i in current(settings, client, LIST)["items"]] == [later.slug, SEED]


def test_filtered_lists_follow_annotations(seed, client, settings):
    """A filter by actor reads the mentions: a new briefing naming the actor is listed."""
    url = f"{LIST}?actor=antony-blinken"
    assert slugs(client.get(url)) == [SEED]
    other = make_article(title="Blinken again", body="Antony Blinken spoke.")
    assert [i["slug"] for i in current(settings, client, url)["items"]] == [SEED]
    mention(other, 0, 14, actor=Actor.objects.get(slug="antony-blinken"))
    assert [i["slug"] for i in current(settings, client, url)["items"]] == [other.slug, SEED]


def test_different_parameters_never_share_an_entry(seed, client, django_assert_num_queries):
    """Each page, filter and search is kept apart; the same parameters however written (order,
    defaults, encoding) are one list and share its entry."""
    for n in range(3):
        make_article(title=f"Story {n}")
    urls = [
        LIST,
        f"{LIST}?limit=2",
        f"{LIST}?limit=2&offset=2",
        f"{LIST}?q=Cairo",
        f"{LIST}?q=Gamma",
        f"{LIST}?actor=antony-blinken",
        f"{LIST}?actor=nobody-at-all",
    ]
    lists = {url: client.get(url) for url in urls}
    assert all(r.status_code == 200 for r in lists.values())
    assert len({r["ETag"] for r in lists.values()}) == len(urls)
    assert slugs(lists[f"{LIST}?limit=2"]) == slugs(lists[LIST])[:2]
    assert slugs(lists[f"{LIST}?limit=2&offset=2"]) == slugs(lists[LIST])[2:]
    assert slugs(lists[f"{LIST}?q=Gamma"]) == slugs(lists[LIST])[:3]
    assert slugs(lists[f"{LIST}?actor=nobody-at-all"]) == []
    same = {
        f"{LIST}?offset=2&limit=2": f"{LIST}?limit=2&offset=2",
        f"{LIST}?limit=20&offset=0": LIST,
        f"{LIST}?q=%43airo&utm_source=feed": f"{LIST}?q=Cairo",
    }
    for url, kept in same.items():
        with django_assert_num_queries(1):
            response = client.get(url)
        assert response.content == lists[kept].content


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=abc", "offset=-1", "date_from=yesterday", "actor=Not%20a%20slug"],
)
def test_malformed_filters_are_the_same_422_and_never_kept(seed, client, settings, query):
    url = f"{LIST}?{query}"
    uncached = fresh(settings, client, url)
    assert uncached.status_code == 422
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 422
        assert response.json() == uncached.json()
        assert not response.has_header("ETag")


def test_head_on_the_list_is_the_kept_get_without_a_body(seed, client, django_assert_num_queries):
    """HEAD answers as the GET would, from the same entry: headers, length, no body."""
    get = client.get(LIST)
    with django_assert_num_queries(1):
        head = client.head(LIST)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(get.content))
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == get["Content-Type"]
    cache.clear()
    first = client.head(f"{LIST}?limit=1")
    assert first.status_code == 200 and first.content == b""
    with django_assert_num_queries(1):
        assert client.get(f"{LIST}?limit=1")["ETag"] == first["ETag"]


def test_list_revalidation_is_a_304_until_the_list_changes(
    seed, client, editor, django_assert_num_queries
):
    etag = client.get(LIST)["ETag"]
    cache.clear()
    with django_assert_num_queries(1):
        again = client.get(LIST, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["Cache-Control"] == "max-age=60, public"
    seed.save_content(editor, expected_version=seed.version, title="A new headline")
    changed = client.get(LIST, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.json()["items"][0]["title"] == "A new headline"


def test_kept_lists_are_throttled(seed, client, settings):
    """Kept lists count against the anonymous rate like any other read."""
    settings.BRIEFINGS_API_ANON_RATE = "2/min"
    address = {"REMOTE_ADDR": "203.0.113.10"}
    assert [client.get(LIST, **address).status_code for _ in range(3)] == [200, 200, 429]
