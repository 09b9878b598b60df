"""Revisions: every save makes one; compare any two; revert restores one, annotations included."""

import datetime

import pytest
from django.contrib.messages import get_messages

from briefings import workflow
from briefings.models import Actor, Article, Event, Mention, Quote, Revision, WorkflowError
from tests.test_workflow import admin_url, make_article

# Snapshot keys that describe the moment, not the content a revert restores.
MOMENT_KEYS = ("version", "status", "publish_at")


def content(data: dict) -> dict:
    """A snapshot without the moment-keys; quotes referred to by uid (a recreated quote has a
    new id)."""
    data = {k: v for k, v in data.items() if k not in MOMENT_KEYS}
    data["mentions"] = [{k: v for k, v in m.items() if k != "quote"} for m in data["mentions"]]
    return data


def edit_everything(article: Article, editor) -> None:
    """Body edit, deleted, added, moved and re-targeted mentions, a changed and a deleted quote."""
    body = article.body.replace("Secretary of Condition", "Secretary of State")
    body = "Cairo (AFP) - " + body
    article.save_content(editor, expected_version=article.version, body=body, title="Edited")
    mentions = list(article.mentions.order_by("start"))
    mentions[0].delete()
    moved = mentions[1]
    moved.start, moved.end = moved.start + 1, moved.end
    moved.capture()
    moved.save()
    retargeted = next(m for m in mentions[2:] if m.actor_id)
    retargeted.actor = Actor.objects.exclude(pk=retargeted.actor_id).first()
    retargeted.note = "wrong person?"
    retargeted.save()
    added = Mention(article=article, start=0, end=5, actor=Actor.objects.first())
    added.capture()
    added.save()
    quotes = list(article.quotes.order_by("id"))
    quotes[0].speaker = Actor.objects.exclude(pk=quotes[0].speaker_id).first()
    quotes[0].save()
    quotes[-1].delete()  # its mentions go with it
    article.touch(editor, expected_version=article.version, message="Annotation changes")


@pytest.mark.django_db
def test_revert_round_trip_restores_body_and_every_annotation(seed, editor):
    """Revert to revision N gives N's body and N's mentions: offsets, targets, statuses, notes."""
    first = seed.make_revision(message="As published")
    edit_everything(seed, editor)
    assert content(seed.snapshot()) != content(first.data)

    new = seed.revert(first, editor, expected_version=seed.version, message="Undo")
    assert new.number == first.number + 3
    assert new.message == "Reverted to revision 1: Undo"
    assert content(seed.snapshot()) == content(first.data)
    assert content(new.data) == content(first.data)
    seed.refresh_from_db()
    assert seed.body == first.data["body"] and seed.title == first.data["title"]
    assert seed.status == "published"
    restored = {str(m.uid): (m.start, m.end, m.kind) for m in seed.mentions.all()}
    assert restored == {
        m["uid"]: (m["start"], m["end"], next(k for k in Mention.TARGETS if m[k]))
        for m in first.data["mentions"]
    }
    for mention in seed.mentions.all():
        assert seed.body[mention.start : mention.end] == mention.exact


@pytest.mark.django_db
def test_revert_to_a_revision_whose_target_was_deleted_names_it(seed, editor):
    """A revision linking to an actor deleted since cannot be restored; nothing changes."""
    first = seed.make_revision()
    mention = seed.mentions.filter(actor__isnull=False).first()
    actor, actor_pk = mention.actor, mention.actor_id
    Mention.objects.filter(actor=actor).delete()
    Quote.objects.filter(speaker=actor).update(speaker=None)
    Quote.objects.filter(addressee=actor).update(addressee=None)
    actor.participations.all().delete()
    actor.delete()
    seed.touch(editor, expected_version=seed.version)
    version = seed.version
    with pytest.raises(
        WorkflowError, match=rf"links “{mention.exact}” to actor #{actor_pk}, which no longer"
    ):
        seed.revert(first, editor)
    seed.refresh_from_db()
    assert seed.version == version


@pytest.mark.django_db
def test_revert_refuses_another_articles_revision(seed, editor):
    """A revision of one article cannot be applied to another."""
    other = make_article()
    with pytest.raises(WorkflowError, match="belongs to another article"):
        seed.revert(other.revisions.get(), editor)


@pytest.mark.django_db
def test_compare_lists_text_and_annotation_changes(seed, editor):
    """Compare shows the word diff and added, removed, moved and re-targeted mentions."""
    first = seed.make_revision()
    edit_everything(seed, editor)
    last = seed.revisions.first()
    result = workflow.compare_revisions(first, last)
    assert ("delete", "Condition") in result.body
    assert ("insert", "State") in result.body
    assert [c.label for c in result.fields] == ["Title"]
    counts = result.counts()
    assert counts["added"] == 1
    assert counts["removed"] >= 2  # the deleted one and the deleted quote's mentions
    # One re-placed by hand, one whose words were edited; the rest only shifted with the text.
    moved = sorted(c.exact for c in result.mentions if c.kind == "moved")
    assert moved == ["Secretary of State", "ntony Blinken"]
    assert counts["shifted"] >= 80  # the body grew at its start: every later mention shifted
    assert all(c.kind != "shifted" for c in result.listed_mentions)
    assert counts["retargeted"] == 1
    assert counts["note"] == 1
    assert any("speaker" in line and "→" in line for line in result.quotes)
    assert any(line.endswith("removed") for line in result.quotes)
    retarget = next(c for c in result.mentions if c.kind == "retargeted")
    assert retarget.what.startswith("re-targeted from actor ")


@pytest.mark.django_db
def test_compare_reports_changed_event_dates_and_counts(seed, editor):
    """An event the article mentions that changed date or casualties shows in the compare."""
    first = seed.make_revision()
    event = Event.objects.filter(mentions__article=seed, date__isnull=False).first()
    event.date = event.date - datetime.timedelta(days=1)
    event.date_precision = "day"
    event.fatalities = 11
    event.save()
    second = seed.make_revision()
    lines = workflow.compare_revisions(first, second).events
    assert any(f"“{event.title}”: date " in line for line in lines)
    assert any(f"“{event.title}”: fatalities " in line and "→ 11" in line for line in lines)


def test_body_diff_is_word_level_and_cuts_unchanged_runs():
    """Only changed words are marked; long unchanged stretches become a gap."""
    old = " ".join(f"w{i}" for i in range(100)) + "\n\nSecretary of Condition said."
    new = " ".join(f"w{i}" for i in range(100)) + "\n\nSecretary of State said."
    pieces = workflow.body_diff(old, new)
    assert ("delete", "Condition") in pieces and ("insert", "State") in pieces
    assert ("gap", "…") in pieces
    assert "w0 " not in "".join(text for _, text in pieces)
    assert workflow.body_diff(old, old) == []


@pytest.mark.django_db
def test_history_lists_revisions_with_author_time_and_message(client, annotator, editor):
    """The admin history shows each revision's author and message, newest first."""
    article = make_article()
    article.save_content(annotator, expected_version=article.version, message="Fix <i>title</i>",
                         title="Blinken visits Cairo")  # fmt: skip
    client.force_login(annotator)
    response = client.get(admin_url("history", article.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fix &lt;i&gt;title&lt;/i&gt;" in page
    assert ">annie<" in page and ">system<" in page
    assert page.index("Fix &lt;i&gt;") < page.index("Imported")
    assert "Revert to" not in page  # annotators cannot revert
    client.force_login(editor)
    assert "Revert to 1" in client.get(admin_url("history", article.pk)).content.decode()


@pytest.mark.django_db
def test_compare_view_escapes_text_and_shows_annotation_changes(client, seed, editor):
    """The compare page marks insertions and deletions and escapes the stored text."""
    first = seed.make_revision()
    body = seed.body.replace("Secretary of Condition", "Secretary of <script>State</script>")
    seed.save_content(editor, expected_version=seed.version, body=body)
    seed.mentions.order_by("start").first().delete()
    last = seed.touch(editor, expected_version=seed.version, message="Removed one")
    client.force_login(editor)
    response = client.get(admin_url("compare", seed.pk), {"a": first.number, "b": last.number})
    page = response.content.decode()
    assert "<del>Condition</del>" in page
    assert "<ins>&lt;script&gt;State&lt;/script&gt;</ins>" in page
    assert "<script>State" not in page
    assert "removed (was → actor" in page


@pytest.mark.django_db
def test_compare_view_names_a_missing_revision(client, editor):
    """Asking for a revision that does not exist redirects with a message saying so."""
    article = make_article()
    client.force_login(editor)
    response = client.get(admin_url("compare", article.pk), {"a": 1, "b": 9})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["This article has no revision 9."]


@pytest.mark.django_db
def test_admin_revert_confirms_then_makes_a_new_revision(client, editor):
    """Revert shows what will change, then restores the revision as a new one."""
    article = make_article()
    article.save_content(editor, expected_version=article.version, title="Changed title")
    client.force_login(editor)
    confirm = client.get(admin_url("revert", article.pk, 1))
    assert confirm.status_code == 200
    assert "Changed title" in confirm.content.decode()
    response = client.post(
        admin_url("revert", article.pk, 1), {"version": article.version, "message": "bad edit"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Blinken in Cairo"
    latest = article.revisions.first()
    assert (latest.number, latest.message, latest.author) == (
        3, "Reverted to revision 1: bad edit", editor,
    )  # fmt: skip


@pytest.mark.django_db
def test_admin_revert_is_for_editors_only(client, annotator):
    """An annotator gets a 403 from the revert page, and nothing changes."""
    article = make_article()
    article.save_content(annotator, expected_version=article.version, title="Changed title")
    client.force_login(annotator)
    assert client.get(admin_url("revert", article.pk, 1)).status_code == 403
    assert client.post(admin_url("revert", article.pk, 1), {"version": 2}).status_code == 403
    article.refresh_from_db()
    assert article.title == "Changed title"
    assert Revision.objects.filter(article=article).count() == 2
