"""Lookups kept per process on PostgreSQL until the database announces a change
(briefings.changes): kept while nothing changes, dropped at once by any committed write, by
whoever makes it, and by time when a scheduled briefing goes live."""

import datetime
import time

import psycopg
import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings import cache as render_cache
from briefings import changes
from briefings.models import Article

SEED_SLUG = "blinken-cairo-israeli-palestinian-violence"
PAGE = f"/briefings/{SEED_SLUG}/"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL announces changes; SQLite runs in process",
    ),
    # Writes are committed, so the database announces them; the data the migrations made (the
    # editors' groups) is put back afterwards for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def other_connection() -> psycopg.Connection:
    """A connection of its own, as another worker, a command or a psql session would have."""
    return psycopg.connect(**changes.driver_params(connection), autocommit=True)


def until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


@pytest.fixture
def listening(settings):
    """Notifications on, and this process listening (stopped before the database goes)."""
    settings.BRIEFINGS_CHANGE_NOTIFICATIONS = True
    changes.watching(connection)  # starts the thread
    assert until(lambda: changes.watching(connection) is not None), "never started listening"
    yield changes.watching(connection)
    changes.stop()


def queries_for_state() -> int:
    with CaptureQueriesContext(connection) as captured:
        render_cache.briefing_state(SEED_SLUG)
    return len(captured)


@pytest.mark.django_db
def test_every_table_of_the_app_announces_its_changes():
    tables = {
        model._meta.db_table
        for model in apps.get_app_config("briefings").get_models(include_auto_created=True)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'briefings_announce_change'"
        )
        announced = {name for (name,) in cursor.fetchall()}
    assert tables - announced == set()


def test_a_lookup_is_kept_while_nothing_changes(seed, listening):
    assert queries_for_state() == 2  # the lookup, and when the next scheduled briefing is due
    assert queries_for_state() == 0
    assert render_cache.briefing_state(SEED_SLUG).pk == seed.pk


def test_a_write_by_another_connection_is_seen_at_once(seed, client, listening):
    assert client.get(PAGE).status_code == 200
    assert queries_for_state() == 0
    with other_connection() as other:
        other.execute("UPDATE briefings_article SET status = 'draft' WHERE slug = %s", [SEED_SLUG])
    # The announcement comes at commit, as the writer hears it succeeded: within milliseconds.
    started = time.monotonic()
    assert until(lambda: render_cache.briefing_state(SEED_SLUG) is None, seconds=1.0)
    assert time.monotonic() - started < 0.5
    assert client.get(PAGE).status_code == 404
    with other_connection() as other:
        other.execute(
            "UPDATE briefings_article SET status = 'published' WHERE slug = %s", [SEED_SLUG]
        )
    assert until(lambda: client.get(PAGE).status_code == 200, seconds=1.0)


def test_a_write_in_this_process_is_seen_without_waiting_for_the_database(seed, client, listening):
    assert client.get(PAGE).status_code == 200
    seed.status = Article.Status.DRAFT
    seed.save()
    assert client.get(PAGE).status_code == 404


def test_a_write_not_yet_committed_changes_nothing_kept_until_it_is(seed, listening):
    assert render_cache.briefing_state(SEED_SLUG) is not None
    with other_connection() as other:
        with other.transaction():
            other.execute("UPDATE briefings_article SET title = 'Changed' WHERE id = %s", [seed.pk])
            assert queries_for_state() == 0
            version = render_cache.briefing_state(SEED_SLUG)
        assert until(lambda: queries_for_state() > 0)
    assert render_cache.briefing_state(SEED_SLUG) == version  # the title is not in the state


def test_a_scheduled_briefing_goes_live_on_time_without_any_write(seed, listening):
    due = timezone.now() + datetime.timedelta(seconds=1.5)
    Article.objects.filter(pk=seed.pk).update(publish_at=due)
    # Kept as "not public" once the update's announcement is counted…
    assert until(lambda: queries_for_state() == 0)
    assert render_cache.briefing_state(SEED_SLUG) is None
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.05)
    assert render_cache.briefing_state(SEED_SLUG) is not None  # …until it is due


def test_nothing_is_kept_inside_a_transaction(seed, listening):
    assert render_cache.briefing_state(SEED_SLUG) is not None
    with transaction.atomic():
        assert queries_for_state() == 1
        Article.objects.filter(pk=seed.pk).update(status=Article.Status.DRAFT)
        assert render_cache.briefing_state(SEED_SLUG) is None  # its own write, seen
    assert until(lambda: render_cache.briefing_state(SEED_SLUG) is None, seconds=1.0)


def test_nothing_is_kept_while_the_listening_connection_is_lost(seed, listening, caplog):
    assert render_cache.briefing_state(SEED_SLUG) is not None
    with other_connection() as other:
        other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [changes.APPLICATION_NAME],
        )
        assert until(lambda: changes.watching(connection) is None)
        other.execute("UPDATE briefings_article SET status = 'draft' WHERE id = %s", [seed.pk])
        assert queries_for_state() == 1
        assert render_cache.briefing_state(SEED_SLUG) is None
    # Listening again: kept again. Both are said once in the log.
    assert until(lambda: changes.watching(connection) is not None)
    said = [r.getMessage() for r in caplog.records if r.name == "briefings.changes"]
    assert said[0].startswith("Not listening for changes (") and said[-1] == (
        "Listening for changes again."
    )
    assert len(said) == 2
    render_cache.briefing_state(SEED_SLUG)
    assert queries_for_state() == 0


def test_nothing_is_kept_when_turned_off(seed, settings):
    settings.BRIEFINGS_CHANGE_NOTIFICATIONS = False
    assert changes.watching(connection) is None
    assert queries_for_state() == 1
    assert queries_for_state() == 1
