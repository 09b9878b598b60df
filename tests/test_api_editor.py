"""Editor endpoints: session + CSRF, permissions, optimistic versions, spans, workflow moves."""

from __future__ import annotations

import datetime
import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from briefings.models import (
    Actor,
    Article,
    AuditEntry,
    Event,
    EventParticipant,
    Mention,
    Quote,
    Revision,
)
from tests.conftest import make_user
from tests.test_api import annotated_article, make_actor, make_article, make_event, mention

BODY = "Alpha Person met Beta Person in Gamma City on Monday. Story."


def api_client(user=None) -> Client:
    """A browser-like client: CSRF enforced, logged in, sending the token like the workspace."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    # What an admin page gives the workspace: a CSRF cookie and the token to send back.
    client.csrf = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = client.csrf
    return client


def send(client: Client, method: str, url: str, body: dict | None = None, *, csrf: bool = True):
    headers = {"X-CSRFToken": client.csrf} if csrf else {}
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def annie(annotator) -> Client:
    return api_client(annotator)


@pytest.fixture
def eddie(editor) -> Client:
    return api_client(editor)


@pytest.fixture
def draft(db) -> Article:
    return make_article("draft", body=BODY)


def mentions_url(article: Article, uid=None, action: str = "") -> str:
    url = f"/api/editor/briefings/{article.slug}/mentions"
    if uid is not None:
        url += f"/{uid}"
    return url + (f"/{action}" if action else "")


# Authentication, CSRF, permissions -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/editor/briefings/{slug}"),
        ("post", "/api/editor/briefings/{slug}/mentions"),
        ("post", "/api/editor/briefings/{slug}/publish"),
        ("post", "/api/editor/actors"),
        ("patch", "/api/editor/events/some-event"),
        ("delete", "/api/editor/actors/someone"),
    ],
)
def test_anonymous_callers_get_401_even_without_a_csrf_token(draft, method, path):
    """Anonymous → 401 (not a CSRF 403): there is no session to protect."""
    client = api_client()
    response = send(client, method, path.format(slug=draft.slug), {"version": 1}, csrf=False)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.django_db
def test_logged_in_writes_need_the_csrf_token(annotator, draft):
    """A logged-in session without the CSRF header is refused with 403 and changes nothing."""
    client = api_client(annotator)
    actor = make_actor()
    body = {"version": 1, "start": 0, "end": 12, "target": {"kind": "actor", "id": actor.slug}}
    response = send(client, "post", mentions_url(draft), body, csrf=False)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not draft.mentions.exists()
    assert send(client, "post", mentions_url(draft), body).status_code == 201


@pytest.mark.django_db
def test_users_without_the_model_permission_get_403(reader, annotator, draft):
    """A logged-in user without the permission gets 403 naming it; annotators cannot delete."""
    actor = make_actor()
    body = {"version": 1, "start": 0, "end": 12, "target": {"kind": "actor", "id": actor.slug}}
    response = send(api_client(reader), "post", mentions_url(draft), body)
    assert response.status_code == 403
    assert "add_mention" in response.json()["detail"]
    assert send(api_client(reader), "get", f"/api/editor/briefings/{draft.slug}").status_code == 403
    m = mention(draft, 0, 12, actor=actor)
    response = send(api_client(annotator), "delete", mentions_url(draft, m.uid) + "?version=1")
    assert response.status_code == 403
    assert "delete_mention" in response.json()["detail"]
    assert Mention.objects.filter(pk=m.pk).exists()
    response = send(api_client(annotator), "delete", f"/api/editor/actors/{actor.slug}")
    assert response.status_code == 403


@pytest.mark.django_db
def test_editor_responses_are_never_cached(eddie, draft):
    response = send(eddie, "get", f"/api/editor/briefings/{draft.slug}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")


# Mentions ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_mention_captures_the_span_and_bumps_the_version(annie, annotator, draft):
    """A new mention is captured from the body; the reply has it, its target and the version."""
    actor = make_actor("Alpha Person")
    body = {
        "version": draft.version,
        "start": 0,
        "end": 12,
        "exact": "Alpha Person",
        "target": {"kind": "actor", "id": actor.slug},
    }
    response = send(annie, "post", mentions_url(draft), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version"] == draft.version + 1
    m = data["mention"]
    assert (m["start"], m["end"], m["exact"], m["prefix"]) == (0, 12, "Alpha Person", "")
    assert m["suffix"] == BODY[12:44]
    assert m["target"] == {"kind": "actor", "id": actor.slug, "label": "Alpha Person"}
    assert (m["status"], m["anchor_state"], m["author"]) == ("accepted", "anchored", "annie")
    saved = Mention.objects.get(uid=m["uid"])
    assert saved.actor == actor and saved.author == annotator
    draft.refresh_from_db()
    assert draft.version == data["version"]
    revision = draft.revisions.order_by("-number").first()
    assert [x["uid"] for x in revision.data["mentions"]] == [m["uid"]]
    assert AuditEntry.objects.filter(article=draft, action="annotated").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": 5, "end": 5}, "end"),
        ({"start": 10, "end": 4}, "end"),
        ({"start": 0, "end": len(BODY) + 1}, "end"),
        ({"start": 0, "end": 5, "exact": "Beta "}, "exact"),
        ({"target": {"kind": "actor", "id": "nobody"}}, "target"),
        ({"target": {"kind": "quote", "id": "not-a-uid"}}, "target"),
        ({"target": {"kind": "planet", "id": "mars"}}, "target"),
        ({"start": -1}, "start"),
        ({"version": 0}, "version"),
    ],
)
def test_invalid_mentions_are_422_naming_the_field(annie, draft, change, field):
    """A span that does not fit the body, or a target that does not exist, is a 422 naming it."""
    actor = make_actor()
    body = {"version": draft.version, "start": 0, "end": 5}
    body["target"] = {"kind": "actor", "id": actor.slug}
    body.update(change)
    response = send(annie, "post", mentions_url(draft), body)
    assert response.status_code == 422, response.content
    locs = [e["loc"] for e in response.json()["detail"]]
    assert any(loc[:2] == ["body", field] for loc in locs), locs
    assert not draft.mentions.exists()
    draft.refresh_from_db()
    assert draft.version == 1


@pytest.mark.django_db
def test_quote_targets_must_belong_to_the_briefing(annie, draft):
    other, *_ = annotated_article()
    foreign = Quote.objects.get(article=other)
    body = {"version": 1, "start": 0, "end": 5, "target": {"kind": "quote", "id": str(foreign.uid)}}
    response = send(annie, "post", mentions_url(draft), body)
    assert response.status_code == 422
    own = Quote.objects.create(article=draft, text="Alpha")
    body["target"]["id"] = str(own.uid)
    response = send(annie, "post", mentions_url(draft), body)
    assert response.status_code == 201
    assert response.json()["mention"]["target"]["label"] == "“Alpha” — unattributed"


@pytest.mark.django_db
def test_stale_version_is_409_with_the_current_version(annie, eddie, draft):
    """Two editors from the same version: the second change is refused with 409 and the news."""
    actor = make_actor()
    body = {"version": 1, "start": 0, "end": 12, "target": {"kind": "actor", "id": actor.slug}}
    assert send(annie, "post", mentions_url(draft), body).status_code == 201
    response = send(eddie, "post", mentions_url(draft), {**body, "start": 13, "end": 16})
    assert response.status_code == 409
    data = response.json()
    assert data["current_version"] == 2
    assert "version 1" in data["detail"] and data["changes"]
    assert draft.mentions.count() == 1


@pytest.mark.django_db
def test_update_mention_moves_retargets_and_notes(annie, draft):
    """PATCH moves a mention (captured again, anchored), retargets it and sets its note."""
    actor, other = make_actor(), make_actor("Beta Person")
    m = mention(draft, 0, 12, actor=actor, anchor_state="orphaned")
    body = {
        "version": 1,
        "start": 17,
        "end": 28,
        "target": {"kind": "actor", "id": other.slug},
        "note": "surname only",
    }
    response = send(annie, "patch", mentions_url(draft, m.uid), body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 2
    assert data["mention"]["exact"] == "Beta Person"
    assert data["mention"]["anchor_state"] == "anchored"
    assert data["mention"]["target"]["id"] == other.slug
    m.refresh_from_db()
    assert (m.start, m.end, m.actor, m.note, m.prefix) == (17, 28, other, "surname only", BODY[:17])
    response = send(annie, "patch", mentions_url(draft, m.uid), {"version": 2, "start": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "start"]


@pytest.mark.django_db
def test_accept_and_reject_suggestions(annie, draft):
    """Accept and reject change the status, bump the version and record the decision."""
    actor = make_actor()
    first = mention(draft, 0, 12, actor=actor, status="suggested")
    second = mention(draft, 17, 28, actor=actor, status="suggested")
    response = send(annie, "post", mentions_url(draft, first.uid, "accept"), {"version": 1})
    assert response.status_code == 200
    assert response.json()["mention"]["status"] == "accepted"
    response = send(annie, "post", mentions_url(draft, second.uid, "reject"), {"version": 2})
    assert response.json()["mention"]["status"] == "rejected"
    assert response.json()["version"] == 3
    actions = set(AuditEntry.objects.filter(article=draft).values_list("action", flat=True))
    assert {"suggestion_accepted", "suggestion_rejected"} <= actions
    # Accepting what is accepted changes nothing.
    again = send(annie, "post", mentions_url(draft, first.uid, "accept"), {"version": 3})
    assert again.status_code == 200 and again.json()["version"] == 3
    stale = send(annie, "post", mentions_url(draft, first.uid, "reject"), {"version": 1})
    assert stale.status_code == 409


@pytest.mark.django_db
def test_delete_mention_needs_the_version(eddie, draft):
    m = mention(draft, 0, 12, actor=make_actor())
    assert send(eddie, "delete", mentions_url(draft, m.uid)).status_code == 422
    assert send(eddie, "delete", mentions_url(draft, m.uid) + "?version=7").status_code == 409
    response = send(eddie, "delete", mentions_url(draft, m.uid) + "?version=1")
    assert response.json() == {"id": str(m.uid), "version": 2}
    assert not Mention.objects.filter(pk=m.pk).exists()
    assert send(eddie, "delete", mentions_url(draft, m.uid) + "?version=2").status_code == 404


@pytest.mark.django_db
def test_editor_briefing_shows_every_mention_and_allowed_moves(annie, draft):
    """The workspace's view: any status, every mention, and the moves open to this user."""
    actor = make_actor()
    mention(draft, 0, 12, actor=actor, status="suggested")
    mention(draft, 17, 28, actor=actor, status="rejected")
    mention(draft, 32, 42, actor=actor, anchor_state="orphaned")
    data = send(annie, "get", f"/api/editor/briefings/{draft.slug}").json()
    assert data["status"] == "draft" and data["version"] == 1 and data["body"] == BODY
    assert [m["status"] for m in data["mentions"]] == ["suggested", "rejected", "accepted"]
    assert data["mentions"][2]["anchor_state"] == "orphaned"
    assert data["allowed_transitions"] == ["submit_for_review"]


# Actors, events, quotes ----------------------------------------------------------------------


@pytest.mark.django_db
def test_create_update_search_and_delete_actors(annie, eddie):
    """Actors are created with a slug from the name, changed, found, and deleted when unused."""
    response = send(
        annie,
        "post",
        "/api/editor/actors",
        {"name": "Sameh Shoukry", "kind": "person", "aliases": ["Choukri"]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "sameh-shoukry"
    twin = send(annie, "post", "/api/editor/actors", {"name": "Sameh Shoukry", "kind": "person"})
    assert twin.json()["slug"] == "sameh-shoukry-2"
    taken = send(
        annie,
        "post",
        "/api/editor/actors",
        {"name": "X", "kind": "person", "slug": "sameh-shoukry"},
    )
    assert taken.status_code == 409
    bad = send(
        annie, "post", "/api/editor/actors", {"name": "X", "kind": "person", "wikidata_id": "42"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "wikidata_id"]
    response = send(
        annie, "patch", "/api/editor/actors/sameh-shoukry", {"role": "Egyptian Foreign Minister"}
    )
    assert response.json()["role"] == "Egyptian Foreign Minister"
    found = send(annie, "get", "/api/editor/actors?q=choukri").json()
    assert [a["slug"] for a in found] == ["sameh-shoukry"]
    article = make_article("draft")
    mention(article, 0, 5, actor=Actor.objects.get(slug="sameh-shoukry"))
    assert send(eddie, "delete", "/api/editor/actors/sameh-shoukry").status_code == 409
    assert send(eddie, "delete", "/api/editor/actors/sameh-shoukry-2").status_code == 200
    assert not Actor.objects.filter(slug="sameh-shoukry-2").exists()


@pytest.mark.django_db
def test_create_and_update_events_with_participants(annie, eddie):
    """Events take a date with precision, a place and participants; PATCH replaces participants."""
    host, guest = make_actor(), make_actor()
    place = annotated_article()[4]
    body = {
        "title": "Talks in Cairo",
        "kind": "meeting",
        "date": "2023-01-30",
        "place": place.slug,
        "fatalities": 0,
        "participants": [{"actor": host.slug, "role": "host"}, {"actor": guest.slug}],
    }
    response = send(annie, "post", "/api/editor/events", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["slug"], data["date"], data["date_precision"]) == (
        "talks-in-cairo",
        "2023-01-30",
        "day",
    )
    assert data["place"]["slug"] == place.slug and data["fatalities"] == 0
    assert {(p["actor"]["slug"], p["role"]) for p in data["participants"]} == {
        (host.slug, "host"),
        (guest.slug, "participant"),
    }
    # Replacing participants removes rows: annotators may add but not delete them.
    patch = {"participants": [{"actor": guest.slug, "role": "visitor"}], "date": None}
    assert send(annie, "patch", "/api/editor/events/talks-in-cairo", patch).status_code == 403
    response = send(eddie, "patch", "/api/editor/events/talks-in-cairo", patch)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["date"] is None and data["date_precision"] == ""
    assert [(p["actor"]["slug"], p["role"]) for p in data["participants"]] == [
        (guest.slug, "visitor")
    ]
    bad = send(
        eddie, "patch", "/api/editor/events/talks-in-cairo", {"participants": [{"actor": "nobody"}]}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "participants", 0, "actor"]
    assert EventParticipant.objects.filter(event__slug="talks-in-cairo").count() == 1
    precision_only = send(
        eddie,
        "post",
        "/api/editor/events",
        {"title": "Y", "kind": "other", "date_precision": "year"},
    )
    assert precision_only.status_code == 422
    assert precision_only.json()["detail"][0]["loc"] == ["body", "date_precision"]


@pytest.mark.django_db
def test_quotes_are_created_changed_and_deleted_with_the_article_version(annie, eddie, draft):
    """Quotes belong to one briefing: each change bumps its version; deleting drops mentions."""
    speaker, event = make_actor(), make_event()
    body = {
        "version": 1,
        "text": "Monday",
        "speaker": speaker.slug,
        "cue": "said",
        "event": event.slug,
        "said_on": "2023-01-30",
    }
    response = send(annie, "post", f"/api/editor/briefings/{draft.slug}/quotes", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version"] == 2
    quote = data["quote"]
    assert quote["speaker"]["slug"] == speaker.slug and quote["event"]["slug"] == event.slug
    assert quote["briefing"]["slug"] == draft.slug
    url = f"/api/editor/briefings/{draft.slug}/quotes/{quote['uid']}"
    response = send(annie, "patch", url, {"version": 2, "speaker": None, "kind": "partial"})
    assert response.status_code == 200
    assert response.json()["quote"]["speaker"] is None
    assert response.json()["quote"]["kind"] == "partial"
    bad = send(annie, "patch", url, {"version": 3, "addressee": "nobody"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "addressee"]
    mention(draft, 46, 52, quote=Quote.objects.get(uid=quote["uid"]))
    assert send(annie, "delete", f"{url}?version=3").status_code == 403
    response = send(eddie, "delete", f"{url}?version=3")
    assert response.json()["version"] == 4
    assert not draft.mentions.exists() and not draft.quotes.exists()


# Workflow --------------------------------------------------------------------------------------


def move(client, article, name, body):
    return send(client, "post", f"/api/editor/briefings/{article.slug}/{name}", body)


@pytest.mark.django_db
def test_annotator_cannot_publish_through_the_api(annie, draft):
    """An annotator's publish (or unpublish, send back, revert) is 403 and nothing changes."""
    assert move(annie, draft, "publish", {"version": 1}).status_code == 403
    assert move(annie, draft, "unpublish", {"version": 1, "reason": "x"}).status_code == 403
    assert move(annie, draft, "send-back", {"version": 1, "comment": "x"}).status_code == 403
    draft.make_revision()
    assert move(annie, draft, "revert", {"version": 1, "revision": 1}).status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.version, draft.is_public) == ("draft", 1, False)
    client = Client()
    assert client.get(f"/api/briefings/{draft.slug}").status_code == 404


@pytest.mark.django_db
def test_full_workflow_through_the_api(annie, eddie, draft):
    """Submit, send back, resubmit, publish (then public), unpublish (then gone), revert."""
    response = move(annie, draft, "submit", {"version": 1})
    assert response.status_code == 200
    assert response.json()["status"] == "review" and response.json()["version"] == 2
    response = move(eddie, draft, "send-back", {"version": 2, "comment": "Check the dates."})
    assert response.json()["review_comment"] == "Check the dates."
    assert move(annie, draft, "submit", {"version": 3}).status_code == 200
    response = move(eddie, draft, "publish", {"version": 4})
    assert response.status_code == 200
    assert response.json()["status"] == "published" and response.json()["is_public"]
    assert Client().get(f"/api/briefings/{draft.slug}").status_code == 200
    response = move(eddie, draft, "unpublish", {"version": 5, "reason": "Wrong photo."})
    assert response.json()["status"] == "unpublished"
    assert Client().get(f"/api/briefings/{draft.slug}").status_code == 404

    later = timezone.now() + datetime.timedelta(days=2)
    response = move(eddie, draft, "publish", {"version": 6, "at": later.isoformat()})
    assert response.json()["status"] == "published" and not response.json()["is_public"]
    assert Client().get(f"/api/briefings/{draft.slug}").status_code == 404

    revision = Revision.objects.filter(article=draft).order_by("number").first()
    if revision is None:
        revision = draft.make_revision(message="first")
    response = move(eddie, draft, "revert", {"version": 7, "revision": revision.number})
    assert response.status_code == 200, response.content
    assert move(eddie, draft, "revert", {"version": 8, "revision": 999}).status_code == 422


@pytest.mark.django_db
def test_workflow_refusals(annie, eddie, draft):
    """Illegal moves are 409 saying why; missing comments and past times are 422 naming them."""
    response = move(eddie, draft, "send-back", {"version": 1, "comment": "No"})
    assert response.status_code == 409 and "draft" in response.json()["detail"].lower()
    response = move(eddie, draft, "unpublish", {"version": 1, "reason": "   "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    response = move(eddie, draft, "publish", {"version": 1, "at": past})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "at"]
    response = move(annie, draft, "submit", {"version": 9})
    assert response.status_code == 409 and response.json()["current_version"] == 1
    assert (
        send(eddie, "post", "/api/editor/briefings/nope/submit", {"version": 1}).status_code == 404
    )


@pytest.mark.django_db
def test_malformed_json_is_400(eddie, draft):
    response = eddie.post(
        mentions_url(draft),
        data="{",
        content_type="application/json",
        headers={"X-CSRFToken": eddie.csrf},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_editor_requests_are_not_throttled(settings, editor):
    """The anonymous read limit does not count logged-in editors."""
    settings.BRIEFINGS_API_ANON_RATE = "2/min"
    from django.core.cache import cache

    cache.clear()
    client = api_client(editor)
    for _ in range(4):
        assert send(client, "get", "/api/editor/actors").status_code == 200
    cache.clear()


@pytest.mark.django_db
def test_a_user_made_by_hand_with_the_right_permissions_can_annotate(draft):
    """Permissions decide, not groups: add_mention with change_article is enough to annotate."""
    from django.contrib.auth.models import Permission

    user = make_user("pat")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_mention", "change_article"])
    )
    actor = make_actor()
    body = {"version": 1, "start": 0, "end": 5, "target": {"kind": "actor", "id": actor.slug}}
    assert send(api_client(user), "post", mentions_url(draft), body).status_code == 201
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_any_span_is_either_annotated_exactly_or_refused_naming_the_field(seed, editor):
    """Property: for any offsets, a mention on the seed is stored on exactly those words, or the
    request is a 422 naming start, end or exact; never a server error or a shifted span."""
    client = api_client(editor)
    length = len(seed.body)
    offsets = st.integers(min_value=0, max_value=length + 5)

    @hypothesis_settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(start=offsets, end=offsets, with_exact=st.booleans())
    def check(start, end, with_exact):
        version = Article.objects.get(pk=seed.pk).version
        body = {"version": version, "start": start, "end": max(end, 1)}
        body["target"] = {"kind": "actor", "id": "antony-blinken"}
        if with_exact:
            body["exact"] = seed.body[start:end] or "x"
        response = send(client, "post", mentions_url(seed), body)
        if response.status_code == 201:
            m = response.json()["mention"]
            assert seed.body[m["start"] : m["end"]] == m["exact"]
            assert (m["start"], m["end"]) == (start, body["end"])
            assert seed.body[: m["start"]].endswith(m["prefix"])
        else:
            assert response.status_code == 422, response.content
            loc = response.json()["detail"][0]["loc"]
            assert loc[0] == "body" and loc[1] in {"start", "end", "exact"}

    check()


@pytest.mark.django_db
def test_refused_changes_leave_nothing_behind(annie, draft):
    """A stale quote or mention is refused before anything is written."""
    speaker = make_actor()
    send(
        annie,
        "post",
        mentions_url(draft),
        {"version": 1, "start": 0, "end": 5, "target": {"kind": "actor", "id": speaker.slug}},
    )
    stale_quote = {"version": 1, "text": "Monday", "speaker": speaker.slug}
    response = send(annie, "post", f"/api/editor/briefings/{draft.slug}/quotes", stale_quote)
    assert response.status_code == 409
    assert not draft.quotes.exists()
    assert draft.mentions.count() == 1


@pytest.mark.django_db
def test_annotating_a_published_briefing_needs_publish_rights(annie, eddie):
    """Changes to a live briefing's annotations go public at once: annotators get 403."""
    article, actor, *_ = annotated_article()
    body = {
        "version": article.version,
        "start": 17,
        "end": 28,
        "target": {"kind": "actor", "id": actor.slug},
    }
    assert send(annie, "post", mentions_url(article), body).status_code == 403
    assert send(eddie, "post", mentions_url(article), body).status_code == 201
