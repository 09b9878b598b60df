"""The editorial workflow: states, roles, scheduling, audit, locking.

``PERMISSION_MATRIX`` and ``START_STATUS`` are the expected outcome of every role × transition;
the admin tests here and the API tests import them so every interface is held to one table.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from briefings.models import (
    Actor,
    Article,
    AuditEntry,
    Mention,
    StaleVersion,
    WorkflowError,
)
from tests.conftest import make_user

BODY = "Antony Blinken met Abdel Fattah al-Sissi in Cairo on Monday."

ROLES = ("annotator", "editor", "staff", "anonymous")
TRANSITION_NAMES = ("submit", "send_back", "publish", "schedule", "unpublish", "revert")
# The status an article must be in for the transition to be legal.
START_STATUS = {
    "submit": "draft",
    "send_back": "review",
    "publish": "review",
    "schedule": "review",
    "unpublish": "published",
    "revert": "draft",
}
# True: the role may make the move; False: it is refused with a permission error (403).
PERMISSION_MATRIX = {
    "submit": {"annotator": True, "editor": True, "staff": False, "anonymous": False},
    "send_back": {"annotator": False, "editor": True, "staff": False, "anonymous": False},
    "publish": {"annotator": False, "editor": True, "staff": False, "anonymous": False},
    "schedule": {"annotator": False, "editor": True, "staff": False, "anonymous": False},
    "unpublish": {"annotator": False, "editor": True, "staff": False, "anonymous": False},
    "revert": {"annotator": False, "editor": True, "staff": False, "anonymous": False},
}
# Status after the move succeeds.
END_STATUS = {
    "submit": "review",
    "send_back": "draft",
    "publish": "published",
    "schedule": "published",
    "unpublish": "unpublished",
    "revert": "draft",
}
# Every status each transition may start from; any other start is a WorkflowError.
LEGAL_SOURCES = {
    "submit": {"draft", "unpublished"},
    "send_back": {"review"},
    "publish": {"draft", "review", "unpublished", "scheduled"},
    "schedule": {"draft", "review", "unpublished", "scheduled"},
    "unpublish": {"published", "scheduled"},
}
STATES = ("draft", "review", "published", "scheduled", "unpublished")


def make_article(**fields) -> Article:
    defaults = {
        "title": "Blinken in Cairo",
        "slug": "blinken-in-cairo",
        "body": BODY,
        "dateline": datetime.date(2023, 1, 30),
    }
    article = Article.objects.create(**{**defaults, **fields})
    article.make_revision(message="Imported")
    return article


def put_in_state(article: Article, state: str) -> Article:
    """Set the status directly, as a fixture would, bypassing the workflow."""
    now = timezone.now()
    values = {
        "draft": {"status": "draft"},
        "review": {"status": "review"},
        "published": {"status": "published", "publish_at": now - datetime.timedelta(hours=1)},
        "scheduled": {"status": "published", "publish_at": now + datetime.timedelta(days=1)},
        "unpublished": {"status": "unpublished", "publish_at": now - datetime.timedelta(days=1)},
    }[state]
    Article.objects.filter(pk=article.pk).update(**values)
    article.refresh_from_db()
    return article


def make_role_user(role: str):
    """A user for one of ROLES (anonymous is an AnonymousUser)."""
    if role == "annotator":
        return make_user("annie", "Annotators")
    if role == "editor":
        return make_user("eddie", "Editors")
    if role == "staff":
        return make_user("stan")
    return AnonymousUser()


def apply_transition(article: Article, name: str, user, **kwargs) -> None:
    """Call the model method behind a transition name of the matrix."""
    if name == "submit":
        article.submit_for_review(user, **kwargs)
    elif name == "send_back":
        article.send_back(user, "Check the casualty figures.", **kwargs)
    elif name == "publish":
        article.publish(user, **kwargs)
    elif name == "schedule":
        article.publish(user, at=timezone.now() + datetime.timedelta(days=2), **kwargs)
    elif name == "unpublish":
        article.unpublish(user, "Wrong dateline.", **kwargs)
    elif name == "revert":
        article.revert(article.revisions.get(number=1), user, **kwargs)
    else:
        raise AssertionError(f"unknown transition {name}")


@pytest.fixture
def blinken(db) -> Actor:
    return Actor.objects.create(name="Antony Blinken", slug="antony-blinken", kind="person")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", TRANSITION_NAMES)
def test_permission_matrix_through_model_methods(name, role):
    """Each role may make exactly the moves the matrix allows; others raise PermissionDenied."""
    article = put_in_state(make_article(), START_STATUS[name])
    user = make_role_user(role)
    version = article.version
    if PERMISSION_MATRIX[name][role]:
        apply_transition(article, name, user)
        article.refresh_from_db()
        assert article.status == END_STATUS[name]
        assert article.version == version + 1
    else:
        with pytest.raises(PermissionDenied, match="may not"):
            apply_transition(article, name, user)
        article.refresh_from_db()
        assert article.status == START_STATUS[name]
        assert article.version == version
        assert not AuditEntry.objects.filter(article=article).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", sorted(LEGAL_SOURCES))
def test_illegal_moves_are_refused_with_from_and_to(editor, name, state):
    """A move from a state it does not start from raises WorkflowError naming both states."""
    article = put_in_state(make_article(), state)
    if state in LEGAL_SOURCES[name]:
        apply_transition(article, name, editor)
        return
    before = (article.status, article.version)
    with pytest.raises(WorkflowError) as excinfo:
        apply_transition(article, name, editor)
    message = str(excinfo.value)
    target = Article.Status(END_STATUS[name]).label.lower()
    assert message.startswith("Cannot ")
    assert f"(from {article.status_label().lower()} to {target}): " in message
    article.refresh_from_db()
    assert (article.status, article.version) == before


@pytest.mark.django_db
def test_publish_now_sets_times_and_records_approval(annotator, editor):
    """Submitting then publishing records submitted, approved and published, in order."""
    article = make_article()
    article.submit_for_review(annotator)
    before = timezone.now()
    article.publish(editor)
    article.refresh_from_db()
    assert article.status == "published"
    assert before <= article.publish_at <= timezone.now()
    assert article.published_at == article.publish_at
    assert article.is_public
    actions = list(
        AuditEntry.objects.filter(article=article).order_by("id").values_list("action", "user")
    )
    assert actions == [
        ("submitted", annotator.pk),
        ("approved", editor.pk),
        ("published", editor.pk),
    ]


@pytest.mark.django_db
def test_scheduled_publishing_is_a_query_condition(editor):
    """A briefing scheduled for later is invisible until its time, with no job to run."""
    article = make_article()
    at = timezone.now() + datetime.timedelta(days=1)
    article.publish(editor, at=at)
    article.refresh_from_db()
    assert article.status == "published" and article.publish_at == at
    assert article.is_scheduled
    assert article.status_label().startswith("Scheduled for ")
    assert not Article.objects.published().exists()
    assert not Article.objects.published(now=at - datetime.timedelta(seconds=1)).exists()
    assert list(Article.objects.published(now=at)) == [article]
    entry = AuditEntry.objects.get(article=article)
    assert entry.action == "scheduled"
    assert entry.detail.startswith("for ")


@pytest.mark.django_db
def test_scheduled_article_can_be_published_now_but_a_live_one_cannot_be_republished(editor):
    """Rescheduling is allowed before the time comes; a live article must be unpublished first."""
    article = put_in_state(make_article(), "scheduled")
    article.publish(editor)
    assert article.is_public
    with pytest.raises(WorkflowError, match="only be rescheduled before it goes live"):
        article.publish(editor)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "at",
    [
        datetime.datetime(2030, 1, 1, 12, 0),  # no time zone
        datetime.datetime(2020, 1, 1, 12, 0, tzinfo=datetime.UTC),  # past
    ],
)
def test_schedule_refuses_naive_or_past_times(editor, at):
    """A publication time without a zone or in the past is bad input naming publish_at."""
    article = make_article()
    with pytest.raises(ValidationError) as excinfo:
        article.publish(editor, at=at)
    assert "publish_at" in excinfo.value.message_dict
    article.refresh_from_db()
    assert article.status == "draft"


@pytest.mark.django_db
def test_send_back_needs_a_comment_and_shows_it(editor):
    """Sending back stores the comment for the annotator; an empty one is refused."""
    article = put_in_state(make_article(), "review")
    with pytest.raises(ValidationError, match="comment is required"):
        article.send_back(editor, "   ")
    article.send_back(editor, "Sisi's name is spelled three ways.")
    article.refresh_from_db()
    assert article.status == "draft"
    assert article.review_comment == "Sisi's name is spelled three ways."
    entry = AuditEntry.objects.get(article=article, action="sent_back")
    assert entry.detail == "Sisi's name is spelled three ways."


@pytest.mark.django_db
def test_unpublish_needs_a_reason_and_republishing_clears_it(editor):
    """Unpublishing hides the briefing and keeps the reason; publishing again clears it."""
    article = make_article()
    article.publish(editor)
    with pytest.raises(ValidationError, match="reason is required"):
        article.unpublish(editor, "")
    article.unpublish(editor, "The agency withdrew the story.")
    article.refresh_from_db()
    assert article.status == "unpublished"
    assert article.unpublished_reason == "The agency withdrew the story."
    assert not Article.objects.published().exists()
    first_published = article.published_at
    article.publish(editor)
    article.refresh_from_db()
    assert article.unpublished_reason == ""
    assert article.published_at == first_published


@pytest.mark.django_db
def test_allowed_transitions_follow_role_and_state(annotator, editor):
    """The buttons an interface offers come from one place: role and state together."""
    article = make_article()
    assert article.allowed_transitions(annotator) == ["submit_for_review"]
    assert article.allowed_transitions(editor) == ["submit_for_review", "publish"]
    assert article.allowed_transitions(AnonymousUser()) == []
    put_in_state(article, "review")
    assert article.allowed_transitions(annotator) == []
    assert article.allowed_transitions(editor) == ["send_back", "publish"]
    put_in_state(article, "scheduled")
    assert article.allowed_transitions(editor) == ["publish", "unpublish"]


@pytest.mark.django_db
def test_transition_with_a_stale_version_is_refused(annotator, editor):
    """A move based on an older version raises StaleVersion with what happened meanwhile."""
    article = make_article()
    loaded = article.version
    article.submit_for_review(annotator)
    with pytest.raises(StaleVersion) as excinfo:
        article.publish(editor, expected_version=loaded)
    assert excinfo.value.current_version == loaded + 1
    assert "status Draft → In review" in excinfo.value.summary
    assert "submitted for review by annie" in excinfo.value.summary
    article.refresh_from_db()
    assert article.status == "review"


@pytest.mark.django_db
def test_save_content_bumps_version_makes_revision_and_refuses_stale(annotator, editor):
    """Content saves are versioned: a save based on an old version is refused, not merged."""
    article = make_article()
    v1 = article.version
    revision = article.save_content(
        annotator, expected_version=v1, message="Fix title", title="Blinken visits Cairo"
    )
    assert revision.number == 2 and revision.author == annotator
    assert revision.message == "Fix title"
    assert article.version == v1 + 1
    assert article.updated_by == annotator
    with pytest.raises(StaleVersion) as excinfo:
        article.save_content(editor, expected_version=v1, standfirst="Overwrites?")
    assert "title “Blinken in Cairo” → “Blinken visits Cairo”" in excinfo.value.summary
    article.refresh_from_db()
    assert article.standfirst == ""
    assert article.revisions.count() == 2
    edited = AuditEntry.objects.filter(article=article, action="edited")
    assert [e.user for e in edited] == [annotator]


@pytest.mark.django_db
def test_save_content_refuses_workflow_fields(editor):
    """Status and publication times cannot be changed as content."""
    article = make_article()
    with pytest.raises(ValueError, match="status"):
        article.save_content(editor, expected_version=article.version, status="published")


@pytest.mark.django_db
def test_save_content_needs_change_permission():
    """Plain staff cannot edit."""
    article = make_article()
    with pytest.raises(PermissionDenied, match="change_article"):
        article.save_content(make_user("stan"), expected_version=article.version, title="x")


@pytest.mark.django_db
def test_body_edit_reanchors_mentions(editor, blinken):
    """Changing the body moves mentions with their words and orphans the ones whose words went."""
    article = make_article()
    kept = Mention(article=article, start=0, end=14, actor=blinken)
    kept.capture()
    kept.save()
    cairo = Mention(article=article, start=BODY.index("Cairo"), end=BODY.index("Cairo") + 5,
                    actor=blinken)  # fmt: skip
    cairo.capture()
    cairo.save()
    new_body = "On Monday, US Secretary of State Antony Blinken met Abdel Fattah al-Sissi."
    article.save_content(editor, expected_version=article.version, body=new_body)
    kept.refresh_from_db()
    cairo.refresh_from_db()
    assert new_body[kept.start : kept.end] == "Antony Blinken"
    assert kept.anchor_state == "reanchored"
    assert cairo.anchor_state == "orphaned"
    entry = AuditEntry.objects.get(article=article, action="edited")
    assert "1 orphaned" in entry.detail
    assert article.revisions.first().data["mentions"][0]["start"] == kept.start


@pytest.mark.django_db
def test_touch_records_an_annotation_change(annotator, blinken):
    """Annotation endpoints call touch(): a version bump, a revision, an audit entry."""
    article = make_article()
    v = article.version
    mention = Mention(article=article, start=0, end=14, actor=blinken)
    mention.capture()
    mention.save()
    revision = article.touch(
        annotator, expected_version=v, message="Linked Antony Blinken", action="annotated"
    )
    assert article.version == v + 1
    assert [m["uid"] for m in revision.data["mentions"]] == [str(mention.uid)]
    assert AuditEntry.objects.get(article=article).action == "annotated"
    with pytest.raises(StaleVersion):
        article.touch(annotator, expected_version=v)


@pytest.mark.django_db
def test_every_transition_records_an_audit_entry(annotator, editor):
    """submit, send back, publish, schedule, unpublish and revert each leave an entry."""
    article = make_article()
    article.submit_for_review(annotator)
    article.send_back(editor, "More context please.")
    article.publish(editor, at=timezone.now() + datetime.timedelta(hours=3))
    article.publish(editor)
    article.unpublish(editor, "Legal hold.")
    article.revert(article.revisions.get(number=1), editor)
    actions = list(AuditEntry.objects.filter(article=article).order_by("id").values_list(
        "action", flat=True))  # fmt: skip
    assert actions == [
        "submitted", "sent_back", "scheduled", "published", "unpublished", "reverted",
    ]  # fmt: skip


# Through the admin ----------------------------------------------------------------------------


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:briefings_article_{name}", args=args)


def post_transition(client, article: Article, name: str):
    """POST what the change page's button for a transition posts."""
    data = {"version": article.version}
    if name == "revert":
        return client.post(admin_url("revert", article.pk, 1), data)
    if name == "send_back":
        data["comment"] = "Check the casualty figures."
    elif name == "unpublish":
        data["reason"] = "Wrong dateline."
    elif name == "schedule":
        later = timezone.localtime() + datetime.timedelta(days=2)
        data["publish_at"] = later.strftime("%Y-%m-%dT%H:%M")
    slug = {"send_back": "send-back"}.get(name, name)
    return client.post(admin_url("workflow", article.pk, slug), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", TRANSITION_NAMES)
def test_permission_matrix_through_the_admin(client, name, role):
    """The admin's buttons obey the same matrix; a refusal is a message or a 403, never silent."""
    article = put_in_state(make_article(), START_STATUS[name])
    user = make_role_user(role)
    if role != "anonymous":
        client.force_login(user)
    response = post_transition(client, article, name)
    article.refresh_from_db()
    if PERMISSION_MATRIX[name][role]:
        assert response.status_code == 302
        assert response["Location"] == admin_url("change", article.pk)
        assert article.status == END_STATUS[name]
        assert not any("may not" in m for m in messages_of(response))
        return
    assert article.status == START_STATUS[name]
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif role == "staff" or name == "revert":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert any("may not" in m for m in messages_of(response))


@pytest.mark.django_db
def test_admin_transition_on_a_stale_page_is_refused_with_a_message(client, annotator, editor):
    """A button on a page loaded before someone else's change does not act on the new state."""
    article = make_article()
    client.force_login(editor)
    stale = article.version
    article.submit_for_review(annotator)
    response = client.post(admin_url("workflow", article.pk, "publish"), {"version": stale})
    article.refresh_from_db()
    assert article.status == "review"
    assert any("Someone else changed this article" in m for m in messages_of(response))


@pytest.mark.django_db
def test_admin_change_page_offers_the_steps_open_to_the_user(client, annotator, editor):
    """An annotator sees Submit; an editor also sees Publish and Schedule; both see Preview."""
    article = make_article()
    client.force_login(annotator)
    page = client.get(admin_url("change", article.pk)).content.decode()
    assert 'name="submit-for-review"' in page and 'name="publish-now"' not in page
    assert f'href="/briefings/{article.slug}/?preview=1"' in page
    client.force_login(editor)
    page = client.get(admin_url("change", article.pk)).content.decode()
    assert 'name="submit-for-review"' in page and 'name="publish-now"' in page
    assert 'name="schedule"' in page and 'name="unpublish"' not in page


@pytest.mark.django_db
def test_admin_schedule_shows_scheduled_for_in_changelist_and_change_page(client, editor):
    """Scheduling from the change page shows 'Scheduled for …' in the list and on the page."""
    article = make_article()
    client.force_login(editor)
    at = (timezone.localtime() + datetime.timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(
        admin_url("workflow", article.pk, "schedule"),
        {"version": article.version, "publish_at": at.strftime("%Y-%m-%dT%H:%M")},
    )
    label = f"Scheduled for {at:%Y-%m-%d %H:%M}"
    assert any(m.startswith(f"“{article.title}” scheduled for") for m in messages_of(response))
    article.refresh_from_db()
    assert article.publish_at == at
    assert label in client.get(admin_url("changelist")).content.decode()
    assert label in client.get(admin_url("change", article.pk)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Choose the date and time"), ("next tuesday", "is not a date and time"),
     ("2020-01-01T10:00", "is in the past")],
)  # fmt: skip
def test_admin_schedule_rejects_bad_times_with_a_message(client, editor, value, message):
    """A missing, unreadable or past time is refused with a message naming the problem."""
    article = make_article()
    client.force_login(editor)
    response = client.post(
        admin_url("workflow", article.pk, "schedule"),
        {"version": article.version, "publish_at": value},
    )
    assert any(message in m for m in messages_of(response))
    article.refresh_from_db()
    assert article.status == "draft"


@pytest.mark.django_db
def test_review_comment_and_unpublish_reason_are_shown_escaped(client, annotator, editor):
    """The annotator sees the reviewer's comment; editors see why an article was withdrawn."""
    article = put_in_state(make_article(), "review")
    article.send_back(editor, "Fix <b>Sisi</b>'s name")
    client.force_login(annotator)
    page = client.get(admin_url("change", article.pk)).content.decode()
    assert "Review comment:" in page
    assert "Fix &lt;b&gt;Sisi&lt;/b&gt;&#x27;s name" in page
    article.publish(editor)
    article.unpublish(editor, "Agency <script>withdrew</script> it")
    client.force_login(editor)
    page = client.get(admin_url("change", article.pk)).content.decode()
    assert "Unpublished because:" in page
    assert "Agency &lt;script&gt;withdrew&lt;/script&gt; it" in page


@pytest.mark.django_db
def test_admin_bulk_actions_report_each_refusal(client, editor):
    """Bulk publish publishes what it can and names every article it could not publish."""
    ready = put_in_state(make_article(), "review")
    live = put_in_state(make_article(slug="live", title="Already live"), "published")
    client.force_login(editor)
    response = client.post(
        admin_url("changelist"),
        {"action": "publish_selected_now", "_selected_action": [ready.pk, live.pk]},
        follow=True,
    )
    texts = messages_of(response)
    assert "1 article(s) published." in texts
    assert any(t.startswith("“Already live” not published: Cannot publish") for t in texts)
    ready.refresh_from_db()
    assert ready.is_public


@pytest.mark.django_db
def test_annotator_has_no_bulk_publish_action(client, annotator):
    """The publish action is not offered to a user without publish_article."""
    make_article()
    client.force_login(annotator)
    page = client.get(admin_url("changelist")).content.decode()
    assert "submit_selected" in page
    assert "publish_selected_now" not in page


def change_form_data(article: Article, **changes) -> dict:
    """What the admin change form posts for an article, loaded at its current version."""
    data = {name: getattr(article, name) for name in Article.EDITABLE_FIELDS}
    data["dateline"] = article.dateline.isoformat()
    data["base_version"] = article.version
    data["revision_message"] = ""
    return {**data, **changes}


@pytest.mark.django_db
def test_admin_save_makes_a_revision_with_author_and_message(client, annotator):
    """Saving the change form is a versioned save: a revision with the author and message."""
    article = make_article()
    client.force_login(annotator)
    response = client.post(
        admin_url("change", article.pk),
        change_form_data(article, standfirst="Blinken urges calm.", revision_message="Summary"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.standfirst == "Blinken urges calm."
    revision = article.revisions.first()
    assert (revision.number, revision.author, revision.message) == (2, annotator, "Summary")
    assert revision.data["standfirst"] == "Blinken urges calm."


@pytest.mark.django_db
def test_admin_cannot_change_status_through_the_form(client, annotator):
    """Status is not a form field: posting one does not publish."""
    article = make_article()
    client.force_login(annotator)
    client.post(
        admin_url("change", article.pk),
        change_form_data(article, status="published", publish_at="2023-01-30 10:00"),
    )
    article.refresh_from_db()
    assert article.status == "draft" and article.publish_at is None


# Preview --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "unpublished"])
def test_staff_preview_of_a_non_public_briefing_is_private(client, annotator, state):
    """Staff with view permission preview any state, with a banner, never cached publicly."""
    article = put_in_state(make_article(), state)
    client.force_login(annotator)
    response = client.get(f"/briefings/{article.slug}/?preview=1")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="preview-banner"' in page
    assert article.title in page
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    # The preview link the change page offers is this URL.
    change = client.get(admin_url("change", article.pk)).content.decode()
    assert f'href="/briefings/{article.slug}/?preview=1"' in change


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "reader", "staff without view permission"])
@pytest.mark.parametrize("state", ["draft", "review", "scheduled", "unpublished"])
def test_preview_of_a_non_public_briefing_is_a_404_for_anyone_else(client, who, state):
    """Without the view permission a draft is a 404 (not a 403), preview or not."""
    article = put_in_state(make_article(), state)
    if who == "reader":
        client.force_login(make_user("rita", staff=False))
    elif who != "anonymous":
        client.force_login(make_user("stan"))
    for url in (f"/briefings/{article.slug}/?preview=1", f"/briefings/{article.slug}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert article.title not in response.content.decode()


@pytest.mark.django_db
def test_public_page_of_a_draft_is_a_404_even_for_staff_without_preview(client, annotator):
    """Staff see the public view unless they ask for a preview, so nothing leaks into caches."""
    article = make_article()
    client.force_login(annotator)
    assert client.get(f"/briefings/{article.slug}/").status_code == 404


# Audit trail ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_trail_filters_by_user_article_and_action(client, annotator, editor):
    """The audit admin narrows entries by who, which article and what, and links the article."""
    first = make_article(title="First <briefing>")
    second = make_article(slug="second", title="Second briefing")
    first.submit_for_review(annotator)
    second.submit_for_review(annotator)
    first.publish(editor)
    client.force_login(editor)
    url = reverse("admin:briefings_auditentry_changelist")

    def rows(**params) -> list[tuple]:
        response = client.get(url, params)
        assert response.status_code == 200
        return [
            (entry.user.username, entry.article_title, entry.action)
            for entry in response.context["cl"].result_list
        ]

    assert sorted(rows(user__id__exact=annotator.pk)) == [
        ("annie", "First <briefing>", "submitted"),
        ("annie", "Second briefing", "submitted"),
    ]
    assert sorted(rows(article__id__exact=first.pk)) == [
        ("annie", "First <briefing>", "submitted"),
        ("eddie", "First <briefing>", "approved"),
        ("eddie", "First <briefing>", "published"),
    ]
    assert rows(action="published") == [("eddie", "First <briefing>", "published")]
    page = client.get(url).content.decode()
    change = admin_url("change", first.pk)
    assert f'<a href="{change}">First &lt;briefing&gt;</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["published", "scheduled"])
def test_published_briefing_is_changed_by_editors_only(client, annotator, editor, blinken, state):
    """Edits to a live or scheduled briefing reach readers unreviewed: Editors only."""
    article = put_in_state(make_article(), state)
    with pytest.raises(PermissionDenied, match="change a published or scheduled briefing"):
        article.save_content(annotator, expected_version=article.version, title="Unreviewed")
    with pytest.raises(PermissionDenied), transaction.atomic():
        Mention.objects.create(article=article, start=0, end=6, exact="Antony", actor=blinken)
        article.touch(annotator, expected_version=article.version)
    article.refresh_from_db()
    assert article.title == "Blinken in Cairo" and not article.mentions.exists()
    article.save_content(editor, expected_version=article.version, title="Reviewed")
    # The annotator still sees the page, read-only, and cannot post it.
    client.force_login(annotator)
    page = client.get(admin_url("change", article.pk))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    response = client.post(admin_url("change", article.pk), change_form_data(article, title="x"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Reviewed"


# Visibility across every public surface ------------------------------------------------------

PUBLIC_SURFACES = (
    "/",
    "/search/?q=Quintero",  # the page echoes the query: search for the other name
    "/feeds/briefings/",
    "/sitemap.xml",
    "/sitemap-briefings.xml",
    "/sitemap-actors.xml",
    "/sitemap-events.xml",
    "/api/briefings",
    "/api/briefings?q=Quintero",
    "/api/actors",
    "/api/events",
    "/api/quotes",
)


def moved_to(state: str, article: Article, annotator, editor) -> Article:
    """Bring an article to a state the way the newsroom does, through the workflow."""
    if state in ("review", "unpublished", "scheduled"):
        article.submit_for_review(annotator)
    if state == "scheduled":
        article.publish(editor, at=timezone.now() + datetime.timedelta(hours=1))
    if state == "unpublished":
        article.publish(editor)
        article.unpublish(editor, "Retracted by the agency.")
    if state == "sent back":
        article.submit_for_review(annotator)
        article.send_back(editor, "Not ready.")
    return article


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "review", "sent back", "scheduled", "unpublished"])
def test_nothing_unpublished_appears_on_any_page_feed_sitemap_search_or_api(
    client, annotator, editor, state
):
    """A briefing not public (in any state the workflow leads to) is on no public surface;
    the same briefing published is, so each check can fail."""
    zorblax = Actor.objects.create(name="Zorblax Quintero", slug="zorblax-quintero", kind="person")
    article = make_article(title="Zorblax briefing", slug="zorblax-briefing",
                           body="Zorblax Quintero spoke in Cairo on Monday.")  # fmt: skip
    span = Mention(article=article, start=0, end=16, actor=zorblax)
    span.capture()
    span.save()
    moved_to(state, article, annotator, editor)

    def visible() -> list[str]:
        found = [
            url for url in PUBLIC_SURFACES if "zorblax" in client.get(url).content.decode().lower()
        ]
        for url in (
            f"/briefings/{article.slug}/",
            f"/actors/{zorblax.slug}/",
            f"/api/briefings/{article.slug}",
            f"/api/briefings/{article.slug}/annotations",
            f"/api/actors/{zorblax.slug}",
        ):
            if client.get(url).status_code != 404:
                found.append(url)
        return found

    assert visible() == []
    # Published now (an Editor may publish from any of these states), everything shows it.
    if state == "scheduled":
        article.publish(editor)
    else:
        article.publish(editor, expected_version=article.version)
    # (No events or quotes here, and the sitemap index lists sections, not briefings.)
    unrelated = {"/sitemap.xml", "/sitemap-events.xml", "/api/events", "/api/quotes"}
    assert sorted(visible()) == sorted(
        [url for url in PUBLIC_SURFACES if url not in unrelated]
        + [f"/briefings/{article.slug}/", f"/actors/{zorblax.slug}/",
           f"/api/briefings/{article.slug}", f"/api/briefings/{article.slug}/annotations",
           f"/api/actors/{zorblax.slug}"]
    )  # fmt: skip


@pytest.mark.django_db
def test_admin_add_creates_a_draft_with_a_first_revision(client, annotator):
    """An article added in the admin starts as a draft with revision 1 and an audit entry."""
    client.force_login(annotator)
    data = {
        "title": "Sisi receives Blinken", "slug": "sisi-receives-blinken", "standfirst": "",
        "body": BODY, "source": "France 24", "source_url": "", "agency": "AFP",
        "language": "en", "translated_from": "fr", "dateline": "2023-01-30",
        "revision_message": "", "base_version": "", "loaded_version": "",
        "status": "published",
    }  # fmt: skip
    response = client.post(admin_url("add"), data)
    assert response.status_code == 302
    article = Article.objects.get(slug="sisi-receives-blinken")
    assert article.status == "draft"
    assert article.created_by == annotator
    revision = article.revisions.get()
    assert (revision.number, revision.author, revision.message) == (
        1, annotator, "Created in the admin",
    )  # fmt: skip
    assert AuditEntry.objects.get(article=article).user == annotator


@pytest.mark.django_db
def test_editing_records_one_revision_or_rolls_everything_back(annotator, blinken):
    """editing(): the block's changes, a version bump, a revision and an audit entry, or none."""
    article = make_article()
    v = article.version
    with article.editing(annotator, expected_version=v, action="annotated") as edit:
        mention = Mention(article=article, start=0, end=14, actor=blinken)
        mention.capture()
        mention.save()
        edit.message = f"Linked {mention.exact}"
    assert edit.revision.message == "Linked Antony Blinken"
    assert [m["uid"] for m in edit.revision.data["mentions"]] == [str(mention.uid)]
    assert article.version == v + 1
    with (
        pytest.raises(ValueError, match="changed my mind"),
        article.editing(annotator, expected_version=article.version),
    ):
        article.mentions.all().delete()
        raise ValueError("changed my mind")
    article.refresh_from_db()
    assert article.version == v + 1 and article.mentions.count() == 1
    assert article.revisions.count() == 2
    with pytest.raises(StaleVersion), article.editing(annotator, expected_version=v):
        raise AssertionError("the block must not run on a stale version")
