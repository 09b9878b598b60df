"""Article facets (briefings.models.ArticleFacet): the places and event kinds an article's accepted
mentions file it under, kept by the database in step with every change to mentions and events,
and what the briefing filters by place and event kind read."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from briefings.models import Article, ArticleFacet, Event, Mention, Place, Quote
from tests.test_api import make_article, make_event, mention, slugs, slugs_of
from tests.test_api_editor import api_client, mentions_url, send

BODY = "Alpha Person met Beta Person in Gamma City on Monday. Story."


def stored() -> list[tuple]:
    return list(ArticleFacet.objects.values_list("article_id", "place_id", "event_kind"))


def derived() -> set[tuple]:
    """The facets as the filters define them, worked out from the mentions here."""
    rows = set()
    for m in Mention.objects.filter(status=Mention.Status.ACCEPTED).select_related("event"):
        if m.place_id is not None:
            rows.add((m.article_id, m.place_id, ""))
        elif m.event_id is not None:
            rows.add((m.article_id, m.event.place_id, m.event.kind))
    return rows


def assert_in_step() -> None:
    rows = stored()
    assert len(rows) == len(set(rows)), "one row per distinct facet"
    assert set(rows) == derived()
    assert_publication_in_step()


def assert_publication_in_step() -> None:
    """Every facet carries its article's publication: publish_at while published, else null."""
    for facet in ArticleFacet.objects.select_related("article"):
        article = facet.article
        expected = article.publish_at if article.status == Article.Status.PUBLISHED else None
        assert facet.public_from == expected, (article.status, article.publish_at, facet)


def facets(article: Article) -> set[tuple]:
    return {(p, k) for a, p, k in stored() if a == article.pk}


def place(name: str) -> Place:
    return Place.objects.create(name=name, slug=name.lower().replace(" ", "-"))


@pytest.mark.django_db
def test_facets_follow_every_change_of_a_mention():
    """Adding, accepting, rejecting, re-targeting, moving to another article, orphaning and
    deleting a mention, one at a time or in bulk, leaves exactly the facets its article's
    accepted mentions give: the place mentioned, or an event's place and kind."""
    article, other = make_article(body=BODY), make_article(body=BODY)
    gamma, delta = place("Gamma City"), place("Delta")
    meeting = make_event(place=gamma)
    raid = make_event(kind="military_raid")

    at_gamma = mention(article, 32, 42, place=gamma)
    assert facets(article) == {(gamma.pk, "")}
    met = mention(article, 13, 16, event=meeting)
    assert facets(article) == {(gamma.pk, ""), (gamma.pk, "meeting")}

    suggested = mention(article, 17, 21, event=raid, status="suggested")
    assert (None, "military_raid") not in facets(article)
    suggested.status = Mention.Status.ACCEPTED
    suggested.save()
    assert (None, "military_raid") in facets(article)
    suggested.status = Mention.Status.REJECTED
    suggested.save()
    assert (None, "military_raid") not in facets(article)

    at_gamma.place = delta
    at_gamma.save()
    assert facets(article) == {(delta.pk, ""), (gamma.pk, "meeting")}
    met.event = raid
    met.save()
    assert facets(article) == {(delta.pk, ""), (None, "military_raid")}

    # Moved words and orphaned mentions still count, as accepted mentions always have.
    Mention.objects.filter(pk=met.pk).update(start=14, end=16, anchor_state="orphaned")
    assert facets(article) == {(delta.pk, ""), (None, "military_raid")}

    Mention.objects.filter(pk=at_gamma.pk).update(article=other)
    assert facets(article) == {(None, "military_raid")}
    assert facets(other) == {(delta.pk, "")}

    Mention.objects.bulk_create(
        [
            Mention(article=other, start=0, end=5, exact="Alpha", event=meeting),
            Mention(article=other, start=6, end=12, exact="Person", event=meeting),
            Mention(article=article, start=32, end=37, exact="Gamma", place=gamma),
        ]
    )
    assert facets(other) == {(delta.pk, ""), (gamma.pk, "meeting")}
    assert_in_step()

    # One of two mentions giving a facet goes: the facet stays; with the second it goes.
    Mention.objects.filter(article=other, start=0).delete()
    assert (gamma.pk, "meeting") in facets(other)
    Mention.objects.filter(article=other, start=6).delete()
    assert facets(other) == {(delta.pk, "")}
    met.delete()
    assert facets(article) == {(gamma.pk, "")}
    assert_in_step()

    quote = Quote.objects.create(article=article, text="Monday")
    mention(article, 46, 52, quote=quote)
    quote.delete()
    assert_in_step()
    article.delete()
    assert facets(article) == set()
    assert_in_step()


@pytest.mark.django_db
def test_facets_follow_an_events_place_and_kind():
    """An event moved to another place or given another kind files every article that mentions
    it (accepted) under the new place and kind, and no longer under the old."""
    first, second, unrelated = (make_article(body=BODY) for _ in range(3))
    gamma, delta = place("Gamma City"), place("Delta")
    event = make_event(place=gamma)
    mention(first, 13, 16, event=event)
    mention(second, 13, 16, event=event)
    mention(unrelated, 13, 16, event=event, status="rejected")
    mention(second, 32, 42, place=gamma)

    event.place = delta
    event.save()
    assert facets(first) == {(delta.pk, "meeting")}
    assert facets(second) == {(delta.pk, "meeting"), (gamma.pk, "")}
    Event.objects.filter(pk=event.pk).update(kind="airstrike", place=None)
    assert facets(first) == {(None, "airstrike")}
    assert facets(unrelated) == set()
    assert_in_step()


@pytest.mark.django_db
def test_filters_follow_the_editors_changes(client, editor):
    """Through the editor API: a mention added, an event's place changed, a suggestion rejected,
    a mention deleted and a revert each change what the place and event kind filters find."""
    eddie = api_client(editor)
    article = make_article(body=BODY)
    gamma = place("Gamma City")
    place("Delta")
    event = make_event(place=gamma, slug="the-meeting")
    article.make_revision(message="Before annotating")

    def found(query: str) -> list[str]:
        return slugs(client.get(f"/api/briefings?{query}"))

    def version() -> int:
        article.refresh_from_db()
        return article.version

    added = send(
        eddie,
        "post",
        mentions_url(article),
        {"start": 13, "end": 16, "target": {"kind": "event", "id": event.slug}, "version": 1},
    )
    assert added.status_code == 201, added.content
    uid = added.json()["mention"]["uid"]
    assert found("place=gamma-city") == found("event_kind=meeting") == [article.slug]

    moved = send(eddie, "patch", "/api/editor/events/the-meeting", {"place": "delta"})
    assert moved.status_code == 200, moved.content
    assert found("place=gamma-city") == []
    assert found("place=delta") == [article.slug]

    rejected = send(eddie, "post", mentions_url(article, uid, "reject"), {"version": version()})
    assert rejected.status_code == 200, rejected.content
    assert found("place=delta") == found("event_kind=meeting") == []
    accepted = send(eddie, "post", mentions_url(article, uid, "accept"), {"version": version()})
    assert accepted.status_code == 200, accepted.content
    assert found("event_kind=meeting") == [article.slug]

    deleted = send(eddie, "delete", mentions_url(article, uid) + f"?version={version()}")
    assert deleted.status_code == 200, deleted.content
    assert found("event_kind=meeting") == []

    mention(article, 32, 42, place=gamma)
    article.touch(editor, expected_version=version(), message="Gamma City")
    assert found("place=gamma-city") == [article.slug]
    reverted = send(
        eddie,
        "post",
        f"/api/editor/briefings/{article.slug}/revert",
        {"revision": 1, "version": version()},
    )
    assert reverted.status_code == 200, reverted.content
    assert found("place=gamma-city") == []
    assert_in_step()


@pytest.mark.django_db
def test_revert_restores_the_facets_of_the_revision(seed, editor):
    """Reverting the seed after deleting, adding and re-targeting mentions gives back the
    revision's facets."""
    before = facets(seed)
    assert before, "the seed mentions places and events"
    first = seed.make_revision(message="As published")
    seed.mentions.filter(place__isnull=False).delete()
    seed.mentions.filter(event__isnull=False).update(event=make_event(kind="blockade"))
    seed.touch(editor, expected_version=seed.version, message="Changed")
    assert facets(seed) != before
    seed.revert(first, editor, expected_version=seed.version)
    assert facets(seed) == before
    assert_in_step()


@pytest.mark.django_db
def test_loaded_fixtures_and_restored_backups_have_their_facets(seed, tmp_path):
    """loaddata saves rows without the models' save(): the facets come with the mentions."""
    assert_in_step()
    path = tmp_path / "backup.json"
    call_command("backup", str(path), verbosity=0)
    assert "briefings.articlefacet" not in path.read_text()
    ArticleFacet.objects.all().delete()
    Mention.objects.all().delete()
    call_command("loaddata", str(path), verbosity=0)
    assert facets(Article.objects.get(pk=seed.pk))
    assert_in_step()


def publication(article: Article) -> set:
    return set(ArticleFacet.objects.filter(article=article).values_list("public_from", flat=True))


@pytest.mark.django_db
def test_facets_follow_their_articles_publication(client):
    """Publishing, scheduling, unpublishing, sending back to draft or review and moving the
    publication time, through the ORM (save and queryset update) or a raw UPDATE, give every
    facet of the article its new publication; the place and event kind filters count and list
    the article only while it is published and due."""
    gamma = place("Gamma City")
    article = make_article("draft", body=BODY)
    mention(article, 32, 42, place=gamma)
    mention(article, 13, 16, event=make_event(place=gamma))
    assert publication(article) == {None}
    now = timezone.now()
    earlier, later = now - datetime.timedelta(hours=2), now + datetime.timedelta(hours=2)

    def listed() -> list[tuple]:
        pages = [
            client.get(f"/api/briefings?{q}").json()
            for q in ("place=gamma-city", "event_kind=meeting")
        ]
        return [(data["count"], [i["slug"] for i in data["items"]]) for data in pages]

    public = [(1, [article.slug])] * 2
    hidden = [(0, [])] * 2

    def via_save(status, publish_at):
        article.status, article.publish_at = status, publish_at
        article.save()

    def via_update(status, publish_at):
        Article.objects.filter(pk=article.pk).update(status=status, publish_at=publish_at)

    def via_sql(status, publish_at):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE briefings_article SET status = %s, publish_at = %s WHERE id = %s",
                [status, publish_at, article.pk],
            )

    for change in (via_save, via_update, via_sql):
        for status, publish_at, expected in [
            ("published", earlier, public),
            ("published", later, hidden),  # scheduled
            ("published", earlier - datetime.timedelta(days=1), public),
            ("unpublished", earlier, hidden),
            ("published", earlier, public),
            ("review", earlier, hidden),
            ("draft", None, hidden),
        ]:
            change(status, publish_at)
            assert publication(article) == {publish_at if status == "published" else None}
            assert_publication_in_step()
            assert listed() == expected, (change.__name__, status, publish_at)

    # Facets rebuilt by a mention's change copy the publication too.
    via_sql("published", earlier)
    mention(article, 0, 5, place=place("Delta"))
    assert publication(article) == {earlier}
    assert_in_step()
    assert listed() == public


@pytest.mark.django_db
def test_a_places_briefings_count_and_page_past_the_cap(client):
    """A place's briefings are counted up to 1,000 and paged newest first among and past the
    counted ones; an article filed under the place twice (its own mention and an event's)
    counts once; briefings not public never count nor show."""
    gamma = place("Gamma City")
    meeting = make_event(place=gamma)
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Gamma {n}",
            slug=f"gamma-{n}",
            body=BODY,
            dateline=datetime.date(2023, 1, 30),
            status="published",
            publish_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(1, 1006)
    )
    hidden = [
        make_article(status, days_ago=0, body=BODY)
        for status in ("draft", "review", "scheduled", "unpublished")
    ]
    Mention.objects.bulk_create(
        Mention(article=a, start=start, end=end, exact=BODY[start:end], **target)
        for a in [*articles, *hidden]
        for start, end, target in [(32, 42, {"place": gamma}), (13, 16, {"event": meeting})]
    )
    assert_in_step()
    newest_first = [f"gamma-{n}" for n in range(1, 1006)]

    def page(offset: int, query: str = "place=gamma-city") -> dict:
        return client.get(f"/api/briefings?{query}&offset={offset}&limit=20").json()

    for offset in (0, 980, 990, 1000):
        for query in ("place=gamma-city", "event_kind=meeting"):
            data = page(offset, query)
            assert (data["count"], data["count_capped"]) == (1000, True), (offset, query)
            assert slugs_of(data) == newest_first[offset : offset + 20], (offset, query)
    Article.objects.filter(slug__in=newest_first[:10]).update(status="unpublished")
    data = page(980)
    assert (data["count"], data["count_capped"]) == (995, False)
    assert slugs_of(data) == newest_first[990:]
    assert page(995)["items"] == []
    # With another filter the articles are checked one by one, with the same answer.
    data = client.get("/api/briefings?place=gamma-city&date_from=2023-01-01&offset=980").json()
    assert (data["count"], data["count_capped"]) == (995, False)
    assert slugs_of(data) == newest_first[990:]
