"""The indexes that keep search and the render cache's check flat as the corpus grows.

PostgreSQL uses an expression index only for the very expression it was built on, so these tests
plan the conditions the code builds with plain and index scans disabled (the test tables are
tiny; the question is whether the index *can* serve the condition, and with only bitmap scans
left, nothing else can) and name the index that must appear.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from briefings import cache as render_cache
from briefings import search, views
from briefings.filters import ArticleFilter
from briefings.models import Actor, Article, Quote
from tests.conftest import make_user
from tests.page_data import make_actor, make_article, make_event, make_place, mention

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text indexes exist on PostgreSQL only"
)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql
@pytest.mark.django_db
def test_article_search_uses_the_gin_index():
    """The filter of search.articles (page search, ?q= on the home page and the API) is served
    by the GIN index built on the same vector expression."""
    queryset = search.articles(Article.objects.order_by(), "ceasefire talks", ranked=False)
    assert "article_search" in plan(queryset)
    ranked = search.articles(Article.objects.published(), "ceasefire")
    assert '"briefings_article"."search_headline"' in str(ranked.query)


@postgresql
@pytest.mark.django_db
def test_quote_and_actor_search_use_their_indexes():
    """Quotes are found through the stored words' index and speakers through the name index;
    actors by name, alias or part of a name through theirs."""
    quotes = plan(search.quotes(Quote.objects.order_by(), "appalling Blinken"))
    assert "quote_search" in quotes and "actor_name_search" in quotes
    actors = plan(search.actors(Actor.objects.order_by(), "Netan"))
    assert "actor_name_trigram" in actors and "actor_aliases_trigram" in actors


@postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "indexes"),
    [
        ({"actor": "{actor}"}, ["mention_actor_article"]),
        ({"event_kind": "meeting"}, ["facet_kind_article"]),
        ({"place": "{place}"}, ["facet_place_article"]),
        (
            {"date_from": "2023-01-01", "date_to": "2023-03-31"},
            ["article_published_dateline", "article_dateline"],
        ),
    ],
)
def test_briefing_filters_use_their_indexes(data, indexes):
    """The ids of a page of filtered briefings (briefings.api.page) come from an index built
    for the filter: the mentions' for actors, the article facets' for places and event kinds,
    the datelines'."""
    article = make_article(body="Blinken met Sisi in Cairo on Monday.")
    actor, place = make_actor("Antony Blinken"), make_place("Cairo")
    mention(article, "Blinken", actor)
    mention(article, "Cairo", place)
    mention(article, "met", make_event("Meeting", place=place))
    data = {k: v.format(actor=actor.slug, place=place.slug) for k, v in data.items()}
    listing = ArticleFilter(data, queryset=Article.objects.published().for_listing()).qs
    text = plan(listing.values("pk")[:20])
    assert any(f" {index} " in text for index in indexes), text
    assert "Seq Scan" not in text


@postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "index"),
    [
        ({"place": "{place}"}, "facet_place_public"),
        ({"event_kind": "meeting"}, "facet_kind_public"),
    ],
)
def test_a_places_briefings_are_counted_in_one_range_of_the_facets_index(data, index):
    """A place's or an event kind's public briefings are counted and paged newest first from
    the facets' publication index alone (ArticleFilter.newest_ids): an index-only range scan in
    the list's order, the publication time tested in the index, no article read, no sort."""
    article = make_article(body="Blinken met Sisi in Cairo on Monday.")
    place = make_place("Cairo")
    mention(article, "Cairo", place)
    mention(article, "met", make_event("Meeting", place=place))
    data = {k: v.format(place=place.slug) for k, v in data.items()}
    filterset = ArticleFilter(data, queryset=Article.objects.published().for_listing())
    assert filterset.is_valid()
    sql, params = filterset.newest_ids().query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_hashagg"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN (COSTS OFF) " + sql + " LIMIT 1001", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Only Scan using {index} " in text, text
    assert "public_from <=" in text.split("Index Cond:")[1], text
    assert "briefings_article " not in text and "Sort" not in text, text


@postgresql
@pytest.mark.django_db
def test_public_actors_are_probed_through_their_visible_mentions_index():
    """Whether an actor is public is answered from the index of its visible (accepted, not
    orphaned) mentions, which stops at the first one, not by gathering all of them."""
    assert "mention_actor_visible" in plan(Actor.objects.public().filter(slug="x"))


@postgresql
@pytest.mark.django_db
def test_the_render_cache_check_reads_indexes_only():
    """The one query of a cached page view finds the article by slug and each generation by
    its updated_at index, never by scanning a table."""
    now = timezone.now()
    for lookup in (render_cache._briefing_lookup(now, "x"), render_cache._actor_lookup(now, "x")):
        text = plan(lookup)
        for index in (
            "article_updated",
            "actor_updated",
            "event_updated",
            "quote_updated",
            "mention_updated",
        ):
            if lookup.model is Article and index == "article_updated":
                continue
            assert index in text, index
        assert "Seq Scan" not in text


@postgresql
@pytest.mark.django_db
def test_a_page_of_an_actors_events_is_read_from_its_participations_index():
    """A page of an actor's events (views.participations_of) is read from the participations'
    index in the page's order (latest first, undated last): only one day's events are sorted
    (by title), never all of the actor's."""
    actor = make_actor("Antony Blinken")
    article = make_article(body="Antony Blinken met Sisi.")
    event = make_event("Meeting")
    mention(article, "met", event)
    event.participations.create(actor=actor, role="host")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = views.participations_of(actor)[20:41].query.sql_with_params()
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "participant_actor_latest" in text, text
    assert "Presorted Key: briefings_eventparticipant.event_date" in text, text


@postgresql
@pytest.mark.django_db
def test_the_changelist_search_reads_the_matches_from_the_full_text_index(client):
    """Each query of a changelist search (the count, the page, the date range) finds the
    matching articles through the full-text index, not by reading the table or by walking the
    list's order and testing every article."""
    for year in (2021, 2022, 2023):
        make_article(
            title=f"Talks in Cairo {year}",
            body="Officials met.",
            dateline=datetime.date(year, 1, 30),
        )
    make_article(title="Raid in Jenin", body="The army entered Jenin.")
    client.force_login(make_user("boss", is_superuser=True))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/briefings/article/", {"q": "Cairo talks"})
    assert len(response.context["cl"].result_list) == 3
    searches = [q["sql"] for q in queries.captured_queries if "search_document" in q["sql"]]
    assert len(searches) == 3
    for sql in searches:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN (COSTS OFF) " + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
        # The list's own table (no alias) is read through the full-text index, or row by row
        # for the matches' ids: never whole, nor walked in the list's order.
        lines = text.splitlines()
        outer = [i for i, line in enumerate(lines) if line.endswith(" on briefings_article")]
        assert outer, text
        for i in outer:
            assert "Bitmap Heap Scan" in lines[i] or "Index Cond: (id = " in lines[i + 1], text
        assert "article_search" in text, text


@pytest.mark.django_db
def test_search_works_on_every_database(seed):
    """Whatever the database, a word of the seed's quotes and its speaker find the quote."""
    found = list(search.quotes(views.public_quotes(), "appalling"))
    assert found
    assert all("appalling" in q.text.lower() for q in found)
