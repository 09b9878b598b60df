"""Search over briefings, actors (names and aliases) and quotes, with matches highlighted."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from briefings import search
from briefings.models import Article
from tests.page_data import make_actor, make_article, make_quote, mention
from tests.test_pages import text_of

HOUR = datetime.timedelta(hours=1)


def section(response, heading_id: str) -> str:
    page = response.content.decode()
    if f'id="{heading_id}"' not in page:
        return ""
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_finds_the_seed_briefing_by_words_in_its_text(client, seed):
    """Words from the body find the briefing, and the title's matches are marked."""
    response = client.get("/search/", {"q": "Blinken Cairo"})
    assert response.status_code == 200
    found = section(response, "found-briefings")
    assert f'href="{seed.get_absolute_url()}"' in found
    assert "<mark>Blinken</mark>" in found and "<mark>Cairo</mark>" in found


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("El-Sisi", "abdel-fattah-al-sisi"),
        ("Choukri", "sameh-shoukry"),
        ("Netanyahu", "benjamin-netanyahu"),
    ],
)
def test_finds_actors_by_name_or_alias(client, seed, query, slug):
    """An alias finds the actor, shown under its name, with the alias marked."""
    found = section(client.get("/search/", {"q": query}), "found-actors")
    assert f'href="/actors/{slug}/"' in found
    assert f"<mark>{query}</mark>" in found


def test_finds_an_actor_by_part_of_a_name(client, seed):
    """A partial name ("Netan") still finds the actor."""
    found = section(client.get("/search/", {"q": "Netan"}), "found-actors")
    assert 'href="/actors/benjamin-netanyahu/"' in found


def test_finds_quotes_with_their_speaker_and_place_in_the_briefing(client, seed):
    """Words of a quote find it, linked to its anchor in the briefing."""
    quote = seed.quotes.get(text__contains="want to be able to hear")
    found = section(client.get("/search/", {"q": "hear affected"}), "found-quotes")
    assert f'href="{seed.get_absolute_url()}#quote-{quote.uid}"' in found
    assert quote.speaker.name in found
    assert "<mark>hear</mark>" in found and "<mark>affected</mark>" in found


@pytest.mark.django_db
def test_results_are_escaped_with_marks_only_around_matches(client):
    """Stored markup in titles and quotes is shown as text; only <mark> is added."""
    article = make_article(title="Talks <b>bold</b> & more", body="Talks went on.")
    actor = make_actor("Ann <i>Talks</i>")
    mention(article, "Talks", actor)
    quote = make_quote(article, "Talks <script>x</script>", actor)
    mention(article, "went", quote)
    response = client.get("/search/", {"q": "talks"})
    page = response.content.decode()
    assert "<b>bold</b>" not in page and "<i>" not in page and "<script>x" not in page
    assert "<mark>Talks</mark> &lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    assert "Ann &lt;i&gt;<mark>Talks</mark>&lt;/i&gt;" in page


@pytest.mark.django_db
def test_only_public_content_is_found(client):
    """Drafts, and quotes or actors only drafts carry, are never found."""
    draft = make_article(published=False, title="Zebra draft", body="Zebra Person spoke.")
    zebra = make_actor("Zebra Person")
    mention(draft, "Zebra Person", zebra)
    quote = make_quote(draft, "Zebra words", zebra)
    mention(draft, "spoke", quote)
    public = make_article(body="Someone spoke.")
    suggested = make_quote(public, "Zebra suggestion", None)
    mention(public, "spoke", suggested, status="suggested")
    text = text_of(client.get("/search/", {"q": "zebra"}))
    assert "Nothing found" in text and "Zebra Person" not in text


def test_ranking_puts_title_matches_first_on_postgresql(client, db):
    """On PostgreSQL a title match ranks above a body match; elsewhere the newest comes first."""
    now = timezone.now()
    in_title = make_article(title="Gaza ceasefire", body="Nothing else.", publish_at=now - HOUR)
    body_only = make_article(title="Other news", body="Gaza " * 3, publish_at=now - HOUR / 2)
    text = text_of(client.get("/search/", {"q": "gaza"}))
    if connection.vendor == "postgresql":
        assert text.index(in_title.title) < text.index(body_only.title)
    else:
        assert text.index(body_only.title) < text.index(in_title.title)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
@pytest.mark.django_db
def test_a_common_word_ranks_its_newest_matches_only(client):
    """A word with more matches than are ranked ranks the newest of them: an older title match
    is left out, a newer one still comes first."""
    now = timezone.now()
    older = make_article(title="Gaza ceasefire", body="Nothing else.", publish_at=now - 9 * HOUR)
    Article.objects.bulk_create(
        Article(
            title=f"Other news {n}",
            slug=f"other-news-{n}",
            body="Gaza again.",
            dateline=datetime.date(2023, 1, 30),
            status=Article.Status.PUBLISHED,
            publish_at=now - 2 * HOUR - n * datetime.timedelta(seconds=1),
        )
        for n in range(search.ARTICLE_CANDIDATES)
    )
    newer = make_article(title="Gaza talks", body="Nothing else.", publish_at=now - HOUR)
    found = section(client.get("/search/", {"q": "gaza"}), "found-briefings")
    assert found.index(newer.get_absolute_url()) < found.index("/briefings/other-news-0/")
    assert older.get_absolute_url() not in found


def test_stemming_on_postgresql_and_substring_on_sqlite(client, db):
    """PostgreSQL matches word forms ("killing" finds "killed"); SQLite matches the letters."""
    article = make_article(title="Raid", body="Ten people were killed in the raid.")
    found = section(client.get("/search/", {"q": "killing"}), "found-briefings")
    if connection.vendor == "postgresql":
        assert article.get_absolute_url() in found
    else:
        assert found == ""
        assert article.get_absolute_url() in section(
            client.get("/search/", {"q": "kill"}), "found-briefings"
        )


def test_empty_and_overlong_searches(client, db):
    """No query shows the form; a query over 200 characters is refused with a message."""
    empty = client.get("/search/")
    assert empty.status_code == 200 and "found" not in text_of(empty).lower()
    long = client.get("/search/", {"q": "x" * 201})
    assert long.status_code == 400
    assert "The search is 201 characters long; it can be at most 200." in text_of(long)
    null = client.get("/search/?q=a%00b")
    assert null.status_code == 400 and "null character" in text_of(null)
    assert client.get("/?q=a%00b").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 25])
def test_search_runs_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    """One query per kind of result, however many match."""
    actor = make_actor("Walrus Keeper", aliases=["Walrus"])
    for _ in range(size):
        article = make_article(title="Walrus news", body="Walrus Keeper said walrus things.")
        mention(article, "Walrus Keeper", actor)
        quote = make_quote(article, "walrus things", actor)
        mention(article, "walrus things", quote)
    with django_assert_num_queries(3):
        response = client.get("/search/", {"q": "walrus"})
    assert response.status_code == 200
    assert "<mark>Walrus</mark>" in response.content.decode()


@pytest.mark.django_db
def test_snippet_comes_from_the_text_when_the_standfirst_lacks_the_words(client):
    """The result shows the words where they are: the standfirst if there, else the body."""
    make_article(title="Talks", standfirst="A visit.", body="Long story. " * 50 + "Walrus seen.")
    found = section(client.get("/search/", {"q": "walrus"}), "found-briefings")
    assert "<mark>Walrus</mark> seen." in found and "A visit." not in found
    make_article(title="More talks", standfirst="A walrus visit.", body="Nothing.")
    found = section(client.get("/search/", {"q": "walrus"}), "found-briefings")
    assert "A <mark>walrus</mark> visit." in found
