"""The annotation workspace (briefings.workspace) and its editor endpoints
(briefings.api_workspace)."""

import datetime
import html
import json
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from briefings import annotations
from briefings.models import (
    Actor,
    Article,
    AuditEntry,
    Event,
    Mention,
    Place,
    Quote,
    Suggestion,
)
from tests.conftest import make_user
from tests.test_annotations import BODY, CONDEMN, make_actors, make_article, mention

SEED = "blinken-cairo-israeli-palestinian-violence"


def workspace(article: Article) -> str:
    return reverse("admin:briefings_article_workspace", args=[article.pk])


def pieces(content: str) -> list[tuple[int, str]]:
    """The text pieces of the rendered body: (offset, text)."""
    body = content.split('id="ws-body"', 1)[1].split("</div>", 1)[0]
    return [
        (int(start), html.unescape(text))
        for start, text in re.findall(r'<span class="ws-t" data-s="(\d+)">(.*?)</span>', body, re.S)
    ]


def page_data(content: str) -> dict:
    raw = content.split('<script id="ws-data" type="application/json">', 1)[1].split("</script>")[0]
    return json.loads(raw)


def api_client(user) -> Client:
    """Logged in, CSRF enforced, sending the token as the workspace's script does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.csrf = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = client.csrf
    return client


def post_json(client: Client, url: str, data: dict | None = None):
    return client.post(
        url, json.dumps(data or {}), content_type="application/json", HTTP_X_CSRFTOKEN=client.csrf
    )


@pytest.fixture
def draft(db):
    article = make_article()
    make_actors()
    return article


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# The page ------------------------------------------------------------------------------------


def test_seed_workspace_draws_every_mention_by_kind_and_the_text_exactly(seed, editor):
    """Every accepted mention is drawn with its kind's class and letter; the text pieces put
    together are the body, with subheadings as headings."""
    response = logged_in(editor).get(workspace(seed))
    assert response.status_code == 200
    content = response.content.decode()
    found = pieces(content)
    for start, text in found:
        assert seed.body[start : start + len(text)] == text
    text_offsets = {start for start, _ in found}
    assert "".join(text for _, text in found) == "".join(
        p[3:] if p.startswith("## ") else p for p in seed.body.split("\n\n")
    )
    assert '<h3 class="ws-h"><span class="ws-t" data-s=' in content
    assert ">The fear of further escalation</span></h3>" in content
    for m in seed.mentions.all():
        key = f'data-key="m-{m.uid}"'
        assert key in content, m.exact
        assert f'class="ws-m ws-{m.kind}"' in content
        assert m.start in text_offsets
    assert content.count('<span aria-hidden="true">A</span>') >= 45
    assert "[Actor: Antony Blinken] " in content  # read out by screen readers
    assert 'id="ws-read-only"' not in content


def test_panel_lists_actors_events_quotes_and_places_with_counts(seed, editor):
    """The side panel counts targets and their mentions, with a button to light them up."""
    content = logged_in(editor).get(workspace(seed)).content.decode()
    blinken = seed.mentions.filter(actor__slug="antony-blinken").count()
    assert (
        f'data-target="actor:antony-blinken" aria-pressed="false">Antony Blinken '
        f'<span class="ws-count">×{blinken}</span>' in content
    )
    actors = Actor.objects.filter(mentions__article=seed).distinct().count()
    assert f'Actors <span class="ws-count">({actors}; 45 mentions)</span>' in content
    assert 'Quotes <span class="ws-count">(8; 8 mentions)</span>' in content
    assert "Note: Machine-translation slip: &#x27;secrétaire d&#x27;État&#x27;" in content
    for key in ("ws-legend-heading", "ws-keys-heading", "ws-orphans-heading"):
        assert f'id="{key}"' in content


def test_page_data_carries_body_version_and_mentions(seed, editor):
    """The script reads its data from a json_script block, never from inline code."""
    content = logged_in(editor).get(workspace(seed)).content.decode()
    data = page_data(content)
    assert data["body"] == seed.body and data["version"] == seed.version
    assert len(data["mentions"]) == seed.mentions.count()
    assert data["canDelete"] is True and data["readOnly"] is False
    assert "<script>" not in content.replace('<script id="ws-data" type="application/json">', "")
    assert 'type="module" src="/static/briefings/workspace/workspace.js"' in content
    assert " onclick=" not in content and " onload=" not in content


def test_workspace_query_count_does_not_grow_with_mentions(seed, editor, django_assert_num_queries):
    """The page runs a fixed number of queries, however many mentions the article has."""
    client = logged_in(editor)
    client.get(workspace(seed))
    with django_assert_num_queries(10) as first:
        client.get(workspace(seed))
    for m in list(seed.mentions.all()[:10]):
        m.pk, m.uid = None, uuid.uuid4()
        m.save()
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(workspace(seed))


def test_stored_text_is_escaped_in_text_panel_and_data(db, editor):
    """Markup in the body, names or notes is shown as text and cannot end the data block."""
    hostile = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{ x }}'
    article = make_article(body=f"Blinken met {hostile} in Cairo.")
    actor = Actor.objects.create(name=hostile, slug="hostile", kind="person")
    mention(article, "Blinken", actor=actor).__class__.objects.filter(article=article).update(
        note=hostile
    )
    content = logged_in(editor).get(workspace(article)).content.decode()
    assert "<script>alert(1)" not in content
    assert "<img src=x" not in content
    assert page_data(content)["body"] == article.body


def test_pending_suggestions_are_drawn_dashed_and_listed_with_their_reason(draft, annotator):
    """After Suggest, pending suggestions show dashed in the text and in the panel."""
    client = logged_in(annotator)
    response = client.post(workspace(draft), {"action": "suggest"}, follow=True)
    content = response.content.decode()
    assert "new suggestion(s)" in content
    blinken = draft.suggestions.get(kind="actor", exact="Antony Blinken")
    assert f'class="ws-m ws-actor ws-pending" data-key="s-{blinken.uid}"' in content
    assert "name match: Antony Blinken · confidence 0.95" in content
    assert 'class="button ws-accept-all" data-kind="actor"' in content
    assert f'value="{draft.version}"' in content


def test_pending_suggestions_never_show_on_the_public_page(draft, annotator, client):
    """A published briefing with pending suggestions shows none of them to readers."""
    annotations.run_suggestions(draft, annotator)
    Article.objects.filter(pk=draft.pk).update(
        status="published", publish_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "ws-pending" not in page
    assert 'href="/actors/antony-blinken/"' not in page
    assert "No quotes are annotated in this briefing." in page
    assert not Quote.objects.public().exists()


def test_accept_and_reject_forms_work_without_javascript(draft, annotator):
    """Accept, reject and accept-all are plain forms too."""
    annotations.run_suggestions(draft, annotator)
    client = logged_in(annotator)
    s = draft.suggestions.get(kind="actor", exact="Antony Blinken")
    client.post(workspace(draft), {"action": "accept", "suggestion": s.uid, "version": 1})
    assert Mention.objects.get().actor.slug == "antony-blinken"
    r = draft.suggestions.get(kind="quote", exact="restraint")
    client.post(workspace(draft), {"action": "reject", "suggestion": r.uid, "version": 2})
    r.refresh_from_db()
    assert r.status == Suggestion.Status.REJECTED
    response = client.post(
        workspace(draft), {"action": "accept_all", "kind": "actor", "version": 2}, follow=True
    )
    assert "Accepted 3 actor suggestion(s)." in response.content.decode()


def test_stale_form_is_refused_and_keeps_the_edited_text(draft, editor):
    """Editing the text on an old version answers 409, names the conflict and keeps the input."""
    client = logged_in(editor)
    draft.save_content(editor, expected_version=1, title="New title")
    response = client.post(
        workspace(draft),
        {"action": "edit_body", "version": 1, "body": "My new text.\r\n\r\nSecond."},
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed this article" in content
    assert ">My new text.\n\nSecond.</textarea>" in content
    draft.refresh_from_db()
    assert draft.body == BODY


def test_edit_body_in_workspace_reanchors_and_lists_orphans(draft, editor):
    """Saving the text moves every annotation; one whose words went is listed as an orphan with
    its old words and context, and the change is a revision with an audit entry."""
    sisi = mention(draft, "El-Sisi", actor=Actor.objects.get(slug="abdel-fattah-al-sisi"))
    blinken = mention(draft, "Antony Blinken", actor=Actor.objects.get(slug="antony-blinken"))
    new = "Update: talks went on.\n\n" + draft.body.replace("El-Sisi then met", "He then met")
    client = logged_in(editor)
    response = client.post(
        workspace(draft),
        {"action": "edit_body", "version": 1, "body": new, "message": "Fix names"},
        follow=True,
    )
    content = response.content.decode()
    assert "1 could not be placed and are listed under Orphans: “El-Sisi”" in content
    blinken.refresh_from_db()
    sisi.refresh_from_db()
    assert new[blinken.start : blinken.end] == "Antony Blinken"
    assert sisi.anchor_state == Mention.Anchor.ORPHANED
    assert "Orphans (1)" in content
    assert '<mark class="ws-old">El-Sisi</mark> then met the Secretary of Condi' in content
    assert f'data-key="m-{sisi.uid}"' in content
    draft.refresh_from_db()
    assert draft.revisions.order_by("-number").first().message == "Fix names"
    assert AuditEntry.objects.filter(action="edited", detail__contains="orphaned").exists()


def test_admin_change_form_edit_reanchors_too(draft, editor):
    """The article's own change form saves through the same path: annotations follow."""
    blinken = mention(draft, "Antony Blinken", actor=Actor.objects.get(slug="antony-blinken"))
    client = logged_in(editor)
    url = reverse("admin:briefings_article_change", args=[draft.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: form[name].value() or "" for name in form.fields if form[name].value() is not None
    }
    data.update(body="Breaking news.\n\n" + draft.body, base_version=1, loaded_version=1)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    blinken.refresh_from_db()
    draft.refresh_from_db()
    assert draft.body[blinken.start : blinken.end] == "Antony Blinken"
    assert blinken.start == len("Breaking news.\n\n") + BODY.index("Antony Blinken")


# Who may annotate ----------------------------------------------------------------------------


def test_annotate_link_only_for_users_who_may_annotate(draft, annotator):
    """Annotators see the Annotate link on the change page and the changelist; view-only staff
    do not, and get 403 from the workspace."""
    changelist = reverse("admin:briefings_article_changelist")
    change = reverse("admin:briefings_article_change", args=[draft.pk])
    client = logged_in(annotator)
    assert workspace(draft) in client.get(changelist).content.decode()
    assert f'href="{workspace(draft)}" id="annotate-link"' in client.get(change).content.decode()
    viewer = make_user("vera")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = logged_in(viewer)
    assert workspace(draft) not in client.get(changelist).content.decode()
    assert workspace(draft) not in client.get(change).content.decode()
    assert client.get(workspace(draft)).status_code == 403
    assert client.post(workspace(draft), {"action": "suggest"}).status_code == 403
    assert not Suggestion.objects.exists()


def test_annotator_reads_a_published_briefing_but_cannot_change_it(seed, annotator):
    """On a published briefing an Annotator's workspace is read-only: no forms, refusals."""
    client = logged_in(annotator)
    content = client.get(workspace(seed)).content.decode()
    assert 'id="ws-read-only"' in content
    assert 'id="ws-suggest"' not in content and 'id="ws-edit"' not in content
    assert page_data(content)["readOnly"] is True
    response = client.post(workspace(seed), {"action": "suggest"})
    assert response.status_code == 400
    assert "publish_article" in response.content.decode()


def test_anonymous_users_are_sent_to_the_login(draft, client):
    """The workspace is an admin page."""
    response = client.get(workspace(draft))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# The endpoints -------------------------------------------------------------------------------


def suggestions_url(article: Article, *rest: str) -> str:
    return "/".join([f"/api/editor/briefings/{article.slug}/suggestions", *rest])


def test_api_run_lists_pending_and_keeps_the_version(draft, annotator):
    """POST …/suggestions stores proposals and answers with them."""
    client = api_client(annotator)
    response = post_json(client, suggestions_url(draft))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["created"]["actor"] == 4
    by_text = {(s["kind"], s["exact"]): s for s in data["pending"]}
    assert by_text[("actor", "Antony Blinken")]["actor"]["slug"] == "antony-blinken"
    assert by_text[("date", "Friday")]["value"] == {"date": "2023-01-27", "precision": "day"}
    listed = client.get(suggestions_url(draft)).json()
    assert [s["uid"] for s in listed] == [s["uid"] for s in data["pending"]]
    draft.refresh_from_db()
    assert draft.version == 1


def test_api_accept_actor_quote_and_date(draft, annotator):
    """Accepting answers with the new mention and the new version; quote speakers and event
    dates can be chosen."""
    annotations.run_suggestions(draft, annotator)
    client = api_client(annotator)
    actor = draft.suggestions.get(kind="actor", exact="Antony Blinken")
    response = post_json(client, suggestions_url(draft, str(actor.uid), "accept"), {"version": 1})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["mention"]["target"]["id"] == "antony-blinken"
    assert body["suggestion"]["status"] == "accepted"

    quote = draft.suggestions.get(kind="quote", exact=CONDEMN)
    response = post_json(
        client,
        suggestions_url(draft, str(quote.uid), "accept"),
        {"version": 2, "speaker": None, "cue": "said", "quote_kind": "partial"},
    )
    assert response.status_code == 200, response.content
    q = Quote.objects.get()
    assert (q.speaker, q.kind) == (None, "partial")

    attack = Event.objects.create(title="Attack", slug="attack", kind="attack")
    date = draft.suggestions.get(kind="date", exact="Friday")
    response = post_json(client, suggestions_url(draft, str(date.uid), "accept"), {"version": 3})
    assert response.status_code == 422
    assert "Pick the event" in response.json()["detail"][0]["msg"]
    response = post_json(
        client, suggestions_url(draft, str(date.uid), "accept"), {"version": 3, "event": "attack"}
    )
    assert response.status_code == 200 and response.json()["event_dated"] is True
    attack.refresh_from_db()
    assert attack.date == datetime.date(2023, 1, 27)


def test_api_reject_and_accept_all(draft, annotator):
    """Reject keeps the version; accept-all reports what it left."""
    annotations.run_suggestions(draft, annotator)
    client = api_client(annotator)
    s = draft.suggestions.get(kind="actor", exact="El-Sisi")
    response = post_json(client, suggestions_url(draft, str(s.uid), "reject"))
    assert response.status_code == 200 and response.json()["version"] == 1
    assert post_json(client, suggestions_url(draft, str(s.uid), "reject")).status_code == 409
    response = post_json(
        client, suggestions_url(draft, "accept-all"), {"version": 1, "kind": "quote"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert [m["exact"] for m in data["accepted"]] == [CONDEMN]
    assert [x["exact"] for x in data["skipped"]] == ["restraint"]
    assert data["version"] == 2


def test_api_refuses_stale_versions_anonymous_users_and_missing_permissions(draft, annotator):
    """409 with the current version, 401 without a session, 403 without the permission or the
    CSRF token."""
    annotations.run_suggestions(draft, annotator)
    s = draft.suggestions.get(kind="actor", exact="Antony Blinken")
    url = suggestions_url(draft, str(s.uid), "accept")
    response = post_json(api_client(annotator), url, {"version": 7})
    assert response.status_code == 409 and response.json()["current_version"] == 1
    anonymous = Client()
    assert anonymous.post(url, "{}", content_type="application/json").status_code == 401
    staff = api_client(make_user("stan"))
    assert post_json(staff, url, {"version": 1}).status_code == 403
    assert post_json(staff, suggestions_url(draft)).status_code == 403
    no_token = Client(enforce_csrf_checks=True)
    no_token.force_login(annotator)
    response = no_token.post(url, json.dumps({"version": 1}), content_type="application/json")
    assert response.status_code == 403
    s.refresh_from_db()
    assert s.status == "pending"


def test_api_event_and_place_lookups(draft, annotator):
    """Events and places are found by words of their names, public or not; places can be made."""
    Event.objects.create(title="Jenin raid", slug="jenin-raid", kind="military_raid")
    Place.objects.create(name="Jenin", slug="jenin", country="Palestine")
    client = api_client(annotator)
    events = client.get("/api/editor/lookup/events?q=jenin").json()
    assert [e["slug"] for e in events] == ["jenin-raid"]
    assert [p["slug"] for p in client.get("/api/editor/lookup/places?q=pales").json()] == ["jenin"]
    response = post_json(client, "/api/editor/places", {"name": "Hebron", "country": "Palestine"})
    assert response.status_code == 201 and response.json()["slug"] == "hebron"
    assert Client().get("/api/editor/lookup/places").status_code == 401
