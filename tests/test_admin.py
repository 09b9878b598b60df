"""The article changelist: its cost does not grow with the number of articles."""

import datetime
import html
import re
import warnings

import pytest
from django.core.cache import cache
from django.core.paginator import UnorderedObjectListWarning
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from tests.page_data import make_article, make_quote, mention

CHANGELIST = reverse("admin:briefings_article_changelist")


@pytest.fixture
def boss(db):
    return make_user("boss", is_superuser=True)


def filter_choices(response, title: str) -> list[str]:
    """The choices of the changelist filter with this title, as shown."""
    for spec in response.context["cl"].filter_specs:
        if spec.title == title:
            return [str(c["display"]) for c in spec.choices(response.context["cl"])]
    raise AssertionError(f"no filter {title!r}")


@pytest.mark.django_db
@pytest.mark.parametrize("articles", [3, 30])
def test_article_changelist_runs_a_fixed_number_of_queries(
    client, boss, django_assert_num_queries, articles
):
    """Session and user, count, page, the date range and years, the sources and languages (read
    once, then from the cache), and the session saved: however many articles there are."""
    for i in range(articles):
        article = make_article(source=f"Source {i % 3}")
        mention(article, "Antony Blinken", make_quote(article, "talks"))
    client.force_login(boss)
    with django_assert_num_queries(11):
        assert client.get(CHANGELIST).status_code == 200
    with django_assert_num_queries(9):
        assert client.get(CHANGELIST).status_code == 200
    # A one-word search first looks for an article with that slug.
    with django_assert_num_queries(10):
        assert client.get(CHANGELIST, {"q": "Briefing"}).status_code == 200
    with django_assert_num_queries(9):
        assert client.get(CHANGELIST, {"q": "Briefing Blinken"}).status_code == 200


@pytest.mark.django_db
def test_source_and_language_filters_list_the_values_in_use(client, boss):
    """The source and language filters offer the values articles have; one that first appears
    is offered once the remembered list expires; choosing one filters the list."""
    make_article(title="From France 24", source="France 24")
    make_article(title="From Reuters", source="Reuters", language="fr")
    client.force_login(boss)
    response = client.get(CHANGELIST)
    assert filter_choices(response, "source") == ["All", "France 24", "Reuters"]
    assert filter_choices(response, "language") == ["All", "en", "fr"]
    make_article(title="From AP", source="AP")
    assert "AP" not in filter_choices(client.get(CHANGELIST), "source")
    cache.clear()
    assert "AP" in filter_choices(client.get(CHANGELIST), "source")
    page = client.get(CHANGELIST, {"source": "Reuters"}).content.decode()
    assert "From Reuters" in page and "From France 24" not in page
    page = client.get(CHANGELIST, {"language": "en"}).content.decode()
    assert "From France 24" in page and "From Reuters" not in page


@pytest.mark.django_db
def test_article_changelist_does_not_read_the_texts(client, boss):
    """The list shows no article text, so its page query does not read any."""
    make_article(body="A body that the list never shows.")
    client.force_login(boss)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(CHANGELIST).content.decode()
    assert "Briefing" in page
    selected = [q["sql"].split(" FROM ")[0] for q in queries.captured_queries]
    assert not [s for s in selected if '"briefings_article"."body"' in s]


@pytest.mark.django_db
def test_article_search_finds_words_of_the_headline_standfirst_or_text_and_slugs(client, boss):
    """The changelist search is the site's article search (every word, anywhere in the
    article), and a slug pasted whole finds its article."""
    make_article(title="Talks in Cairo", slug="talks-in-cairo", body="Officials met.")
    make_article(title="Raid in Jenin", standfirst="Ten killed.", body="The army entered Jenin.")
    make_article(title="Other news", body="Nothing about the ceasefire talks here.")
    client.force_login(boss)

    def titles(term: str) -> set[str]:
        response = client.get(CHANGELIST, {"q": term})
        return {a.title for a in response.context["cl"].result_list}

    assert titles("Cairo") == {"Talks in Cairo"}
    assert titles("army Jenin") == {"Raid in Jenin"}
    assert titles("talks") == {"Talks in Cairo", "Other news"}
    assert titles("talks-in-cairo") == {"Talks in Cairo"}
    assert titles("nowhere") == set()


@pytest.mark.django_db
def test_date_hierarchy_offers_the_periods_between_the_first_and_last_datelines(client, boss):
    """Years from the first dateline's to the last's; in a year, its months from the first to
    the last; found without reading every article (no SELECT DISTINCT)."""
    for day in ("2019-05-02", "2021-03-04", "2021-07-30"):
        make_article(title=f"Story of {day}", dateline=datetime.date.fromisoformat(day))
    client.force_login(boss)

    def periods(query: dict) -> list[str]:
        page = client.get(CHANGELIST, query).content.decode()
        nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S).group(1)
        return [html.unescape(t).strip() for t in re.findall(r">([^<>]+)</a>", nav)]

    client.get(CHANGELIST)  # the source and language choices, read once
    with CaptureQueriesContext(connection) as queries:
        assert periods({}) == ["2019", "2020", "2021"]
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"]]
    assert periods({"dateline__year": "2021"}) == [
        "‹ All dates", "March 2021", "April 2021", "May 2021", "June 2021", "July 2021"
    ]  # fmt: skip
    page = client.get(CHANGELIST, {"dateline__year": "2020"}).content.decode()
    assert "0 articles" in page
    days = periods({"dateline__year": "2021", "dateline__month": "7"})
    assert days == ["‹ 2021", "30 July"]


@pytest.mark.django_db
def test_article_changelist_pages_are_ordered_whatever_the_sort(client, boss):
    """Every sort, search and filter of the changelist paginates an ordered list."""
    for _ in range(3):
        make_article()
    client.force_login(boss)
    queries = [{}, {"q": "Briefing"}, {"status__exact": "published"}, {"dateline__year": "2023"}]
    queries += [{"o": str(column)} for column in range(1, 9)]
    queries += [{"o": f"-{column}.1"} for column in range(2, 9)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        for query in queries:
            assert client.get(CHANGELIST, query).status_code == 200, query
