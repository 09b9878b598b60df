"""No lost updates: two editors saving the same article, through the admin and the model.

The admin test drives two real sessions; the threaded tests run two database connections at once
and check that exactly one of two saves based on the same version wins.
"""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import close_old_connections, connection
from django.test import Client

from briefings.models import Actor, Article, AuditEntry, Mention, StaleVersion
from tests.conftest import make_user
from tests.test_workflow import admin_url, make_article


def loaded_form(client: Client, article: Article) -> dict:
    """The change form as the browser would post it back unchanged."""
    response = client.get(admin_url("change", article.pk))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


@pytest.mark.django_db
def test_second_admin_save_is_refused_with_what_changed_and_keeps_its_input(editor, annotator):
    """Two editors load the form; the second save is refused, shows the diff and keeps its input."""
    article = make_article()
    alice, bob = Client(), Client()
    alice.force_login(editor)
    bob.force_login(annotator)
    alice_form, bob_form = loaded_form(alice, article), loaded_form(bob, article)

    alice_form["standfirst"] = "Blinken calls for calm."
    assert alice.post(admin_url("change", article.pk), alice_form).status_code == 302

    bob_form["title"] = "Blinken in Cairo <as corrected>"
    response = bob.post(admin_url("change", article.pk), bob_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "someone else saved this article while you were editing it" in page
    assert "standfirst “” → “Blinken calls for calm.”" in page
    assert "edited by eddie" in page
    # Bob's input is still in the form, escaped.
    assert 'value="Blinken in Cairo &lt;as corrected&gt;"' in page
    article.refresh_from_db()
    assert article.title == "Blinken in Cairo"
    assert article.standfirst == "Blinken calls for calm."
    assert article.revisions.count() == 2

    # Having seen the conflict, Bob saves again: his edit lands, Alice's is not lost.
    form = response.context["adminform"].form
    resubmit = {
        name: "" if form[name].value() is None else form[name].value() for name in form.fields
    }
    assert bob.post(admin_url("change", article.pk), resubmit).status_code == 302
    article.refresh_from_db()
    assert article.title == "Blinken in Cairo <as corrected>"
    assert article.standfirst == "Blinken calls for calm."
    assert [r.author for r in article.revisions.order_by("number")][1:] == [editor, annotator]


def run_together(*calls):
    """Run the calls in threads released at the same moment; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_saves_of_one_version_let_exactly_one_win():
    """Two connections save edits based on the same version: one wins, one gets StaleVersion."""
    make_user("annie", "Annotators")
    make_user("eddie", "Editors")
    article = make_article()
    version = article.version

    def save(username, standfirst):
        def call():
            copy = Article.objects.get(pk=article.pk)
            user = User.objects.get(username=username)
            return copy.save_content(user, expected_version=version, standfirst=standfirst)

        return call

    results, errors = run_together(
        save("annie", "Annie's summary"), save("eddie", "Eddie's summary")
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], StaleVersion), errors
    article.refresh_from_db()
    assert article.version == version + 1
    assert article.standfirst == results[0].data["standfirst"]
    assert article.revisions.count() == 2
    assert AuditEntry.objects.filter(article=article, action="edited").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_publish_and_send_back_cannot_both_happen():
    """Two editors act on the same page version at once: one move wins, the other is refused."""
    editor = make_user("eddie", "Editors")
    other = make_user("edna", "Editors")
    article = make_article()
    Article.objects.filter(pk=article.pk).update(status="review")
    seen = article.version  # both editors' pages show this version

    def publish():
        return Article.objects.get(pk=article.pk).publish(editor, expected_version=seen)

    def send_back():
        return Article.objects.get(pk=article.pk).send_back(
            other, "Not yet.", expected_version=seen
        )

    results, errors = run_together(publish, send_back)
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], StaleVersion), errors
    article.refresh_from_db()
    assert article.status in ("published", "draft")
    assert AuditEntry.objects.filter(article=article).exclude(action="approved").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_annotation_edits_queue_and_one_is_refused():
    """Two annotators add a mention at the same version at once: one lands, one is stale,
    and the refused one leaves nothing behind."""
    make_user("annie", "Annotators")
    make_user("andy", "Annotators")
    article = make_article()
    actor = Actor.objects.create(name="Antony Blinken", slug="antony-blinken", kind="person")
    version = article.version

    def annotate(username, start, end):
        def call():
            copy = Article.objects.get(pk=article.pk)
            user = User.objects.get(username=username)
            with copy.editing(user, expected_version=version, message=f"by {username}") as edit:
                mention = Mention(article=copy, start=start, end=end, actor=actor)
                mention.capture()
                mention.save()
            return edit.revision

        return call

    results, errors = run_together(annotate("annie", 0, 6), annotate("andy", 7, 14))
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], StaleVersion), errors
    article.refresh_from_db()
    assert article.version == version + 1
    assert article.mentions.count() == 1
    assert [m["uid"] for m in results[0].data["mentions"]] == [str(article.mentions.get().uid)]
