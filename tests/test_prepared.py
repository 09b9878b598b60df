"""Queries compiled once and run with fresh values (briefings.prepared), and the briefing page's
rows read through them (briefings.views.BriefingRows)."""

import datetime

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings import prepared, views
from briefings.models import Actor, Article, Event, Quote
from briefings.prepared import Prepared

SEED_SLUG = "blinken-cairo-israeli-palestinian-violence"


def published_by_slug(now, slug):
    return Article.objects.published(now=now).filter(slug=slug).values_list("pk", "title")


@pytest.mark.django_db
def test_a_prepared_query_gives_what_the_orm_gives_for_each_value(seed):
    other = Article.objects.create(
        title="Second",
        slug="second",
        body="Text.",
        dateline=datetime.date(2023, 1, 30),
        status=Article.Status.DRAFT,
    )
    query = Prepared(published_by_slug, now=prepared.NOW, slug=prepared.SLUG)
    assert query.rows(slug=SEED_SLUG) == [(seed.pk, seed.title)]
    # A draft, then the same draft published an hour from now, then due.
    assert query.row(slug="second") is None
    later = timezone.now() + datetime.timedelta(hours=1)
    Article.objects.filter(pk=other.pk).update(status=Article.Status.PUBLISHED, publish_at=later)
    assert query.row(slug="second") is None
    assert query.row(slug="second", now=later) == (other.pk, "Second")
    assert list(published_by_slug(later, "second")) == [(other.pk, "Second")]


@pytest.mark.django_db
def test_a_prepared_query_is_counted_like_any_other_when_queries_are_watched(seed):
    query = Prepared(published_by_slug, now=prepared.NOW, slug=prepared.SLUG)
    query.row(slug=SEED_SLUG)
    with CaptureQueriesContext(connection) as captured:
        assert query.row(slug=SEED_SLUG) is not None
    assert len(captured) == 1
    assert SEED_SLUG in captured[0]["sql"]


@pytest.mark.django_db
def test_a_stand_in_the_query_does_not_use_is_refused():
    query = Prepared(lambda slug: Article.objects.filter(title="fixed"), slug=prepared.SLUG)
    with pytest.raises(RuntimeError, match="does not use 'slug'"):
        query.rows(slug="anything")


@pytest.mark.django_db
def test_converted_rows_are_what_the_orm_returns(seed):
    """Dates, datetimes and UUIDs come back as Python values on every database."""
    columns = ("uid", "said_on", "updated_at")
    query = Prepared(
        lambda article: (
            Quote.objects.filter(article_id=article).order_by("pk").values_list(*columns)
        ),
        article=prepared.ID,
    )
    rows = query.convert(query.rows(article=seed.pk))
    expected = list(Quote.objects.filter(article=seed).order_by("pk").values_list(*columns))
    assert rows == expected and len(rows) == 8


@pytest.mark.django_db
def test_the_page_rows_build_the_same_objects_as_the_orm(seed):
    rows = views.BriefingRows(seed)
    page = rows.page
    orm = list(
        seed.mentions.accepted()
        .exclude(anchor_state="orphaned")
        .order_by("start", "end", "id")
        .select_related("actor", "event__place", "quote__speaker", "quote__addressee", "place")
    )
    assert [m.id for m in page.mentions] == [m.id for m in orm]
    for mine, theirs in zip(page.mentions, orm, strict=True):
        assert mine.kind == theirs.kind
        assert mine.target == theirs.target
    for event in page.events.values():
        real = Event.objects.select_related("place").get(pk=event.pk)
        assert (event.title, event.date, event.updated_at) == (
            real.title,
            real.date,
            real.updated_at,
        )
        assert event.place == real.place and (
            event.place is None or event.place.name == real.place.name
        )
    for quote in page.quotes.values():
        real = Quote.objects.select_related("speaker").get(pk=quote.pk)
        assert (quote.uid, quote.text, quote.speaker_id) == (real.uid, real.text, real.speaker_id)
        if quote.speaker_id:
            # Loaded with the quote: reading it costs no query.
            with CaptureQueriesContext(connection) as captured:
                assert quote.speaker.name == real.speaker.name
            assert len(captured) == 0


@pytest.mark.django_db
def test_the_page_digest_follows_a_change_no_version_sees(seed):
    before = views.BriefingRows(seed).digest
    assert views.BriefingRows(seed).digest == before
    Actor.objects.filter(slug="antony-blinken").update(role="Envoy")
    assert views.BriefingRows(seed).digest != before


def test_page_fields_are_listed_in_model_order():
    """Model.from_db() takes loaded fields in the model's own order."""
    for model, fields, related in views.TARGET_FIELDS.values():
        for each, names in [(model, fields), *related.values()]:
            order = [f.attname for f in each._meta.concrete_fields]
            assert list(names) == sorted(names, key=order.index), each.__name__


# -- the first statement of a request stands for the connection's health check ----------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a server connection can die while kept idle"
)


def as_at_the_start_of_a_request():
    """A kept connection, to be checked before its first statement (CONN_HEALTH_CHECKS)."""
    connection.ensure_connection()
    connection.health_check_enabled = True
    connection.health_check_done = False


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_kept_connection_that_died_is_replaced_and_the_lookup_answered(seed, monkeypatch):
    import psycopg

    from briefings import cache as render_cache

    render_cache.briefing_state(SEED_SLUG)  # compiled on this connection
    as_at_the_start_of_a_request()
    dead = connection.connection.info.backend_pid
    from briefings import changes

    with psycopg.connect(**changes.driver_params(connection)) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dead])
    runs = spy_on_runs(monkeypatch)
    state = render_cache.briefing_state(SEED_SLUG)
    assert state is not None and state.pk == seed.pk
    assert connection.connection.info.backend_pid != dead
    assert runs == [1, 1]  # failed on the dead connection, answered on the new one


def spy_on_runs(monkeypatch) -> list:
    """Count the statements Prepared runs (each still runs)."""
    runs = []
    real = Prepared._run
    monkeypatch.setattr(Prepared, "_run", staticmethod(lambda *a: runs.append(1) or real(*a)))
    return runs


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_healthy_connection_is_not_checked_apart(seed, monkeypatch):
    """One round trip where Django's check would make two."""
    from briefings import cache as render_cache

    render_cache.briefing_state(SEED_SLUG)  # compiled on this connection
    as_at_the_start_of_a_request()
    checks = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real())
    assert render_cache.briefing_state(SEED_SLUG).pk == seed.pk
    assert checks == [] and connection.health_check_done


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_error_of_the_statement_itself_is_raised_not_run_again(seed, monkeypatch):
    from django.db import DataError

    failing = Prepared(
        lambda slug: (
            Article.objects.filter(slug=slug)
            .extra(where=["1 / (length(slug) - length(slug)) = 1"])
            .values_list("pk")
        ),
        slug=prepared.SLUG,
    )
    as_at_the_start_of_a_request()
    runs = spy_on_runs(monkeypatch)
    with pytest.raises(DataError, match="division by zero"):
        failing.rows(slug=SEED_SLUG)
    assert runs == [1]


# -- PostgreSQL: statements prepared on the server, rows given as text ---------------------------


def deallocate_all(forget: bool = True) -> None:
    """Drop every statement prepared on the test's server connection (as a pooler resetting it
    would); ``forget``: and tell the connection, so later tests prepare them again."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    if forget:
        connections["default"].__dict__.pop("_briefings_session", None)


def prepared_statements() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@on_postgresql
@pytest.mark.django_db
def test_a_query_is_prepared_once_with_its_constants_written_in(seed):
    deallocate_all()
    query = Prepared(published_by_slug, now=prepared.NOW, slug=prepared.SLUG)
    assert query.row(slug=SEED_SLUG) == (seed.pk, seed.title)
    (statement,) = prepared_statements().values()
    # The status is in the statement the server plans; the time and slug are parameters.
    assert "= 'published'" in statement and "$1" in statement and "$3" not in statement
    before = len(prepared_statements())
    assert query.row(slug="no-such-briefing") is None
    assert query.row(slug=SEED_SLUG) == (seed.pk, seed.title)
    assert len(prepared_statements()) == before


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_the_server_forgot_is_answered_then_prepared_again(seed):
    query = Prepared(published_by_slug, now=prepared.NOW, slug=prepared.SLUG)
    query.row(slug=SEED_SLUG)
    deallocate_all(forget=False)  # the connection believes it is still prepared
    assert query.row(slug=SEED_SLUG) == (seed.pk, seed.title)
    assert prepared_statements() == {}
    assert query.row(slug=SEED_SLUG) == (seed.pk, seed.title)
    assert len(prepared_statements()) == 1


@on_postgresql
@pytest.mark.django_db
def test_a_query_whose_parameter_has_no_type_of_its_own_runs_as_it_is(seed):
    from django.db.models import CharField, Value

    query = Prepared(
        lambda slug: (
            Article.objects.filter(pk=seed.pk)
            .annotate(echo=Value(slug, output_field=CharField()))
            .values_list("echo")
        ),
        slug=prepared.SLUG,
    )
    assert query.row(slug="first") == ("first",)
    assert query.row(slug="second") == ("second",)  # the transaction is still usable
    assert Article.objects.filter(pk=seed.pk).exists()


@on_postgresql
@pytest.mark.django_db
def test_nothing_is_prepared_when_turned_off(seed, settings):
    settings.BRIEFINGS_PREPARED_STATEMENTS = False
    deallocate_all()
    query = Prepared(published_by_slug, now=prepared.NOW, slug=prepared.SLUG)
    assert query.row(slug=SEED_SLUG) == (seed.pk, seed.title)
    assert prepared_statements() == {}


@on_postgresql
@pytest.mark.django_db
def test_times_and_uuids_come_as_text_until_converted(seed):
    query = Prepared(
        lambda article: (
            Quote.objects.filter(article_id=article)
            .order_by("pk")
            .values_list("uid", "said_on", "updated_at")
        ),
        article=prepared.ID,
    )
    (raw, *_) = query.rows(article=seed.pk)
    assert all(type(value) is str for value in raw if value is not None)
    (converted, *_) = query.convert([raw])
    first = Quote.objects.filter(article=seed).order_by("pk").first()
    assert converted == (first.uid, first.said_on, first.updated_at)


def test_the_page_digest_depends_on_values_not_on_which_values_are_one_object():
    """A worker whose driver gives two equal values as one object makes the same digest (and
    so finds the same kept parts) as one that gives two."""
    word = "".join(["Cai", "ro"])
    shared = (word, word, 7)
    apart = ("Cairo", "".join(["Ca", "iro"]), 7)
    assert shared[0] is shared[1] and apart[0] is not apart[1]
    assert views._exact_bytes([shared]) == views._exact_bytes([apart])
    assert views._exact_bytes([shared]) != views._exact_bytes([("Cairo", "Cairo", 8)])
