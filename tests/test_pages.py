"""The public pages: home, briefing, actor, event; caching, preview, query budgets, validity."""

import datetime
import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from briefings import views
from briefings.models import Actor, Article, Event, Mention
from tests.conftest import make_user
from tests.html_checks import vnu_errors
from tests.page_data import (
    generated_article,
    make_actor,
    make_article,
    make_event,
    make_place,
    make_quote,
    mention,
    participate,
)

SEED_SLUG = "blinken-cairo-israeli-palestinian-violence"
SEED_URL = f"/briefings/{SEED_SLUG}/"


def text_of(response) -> str:
    """The page's visible text with whitespace collapsed, tags removed."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split()).replace(" ,", ",")


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def elements(response) -> Elements:
    parser = Elements()
    parser.feed(response.content.decode())
    return parser


def json_ld(response) -> dict:
    (data,) = [
        json.loads(text)
        for attrs, text in elements(response).scripts
        if attrs.get("type") == "application/ld+json"
    ]
    return data


# -- home -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_published_briefings_newest_first(client):
    """Headline, standfirst, dateline and key actors of published briefings, newest first."""
    old = make_article(title="Older talks", publish_at=timezone.now() - datetime.timedelta(days=2))
    new = make_article(title="Newer talks", standfirst="Talks resumed.")
    blinken = make_actor("Antony Blinken")
    mention(new, "Antony Blinken", blinken)
    make_article(title="Draft talks", published=False)
    response = client.get("/")
    assert response.status_code == 200
    text = text_of(response)
    assert text.index("Newer talks") < text.index("Older talks")
    assert "Talks resumed." in text and "Mon 30 Jan 2023" in text
    assert "Draft talks" not in text
    links = [a["href"] for tag, a in elements(response).found if tag == "a"]
    assert new.get_absolute_url() in links and old.get_absolute_url() in links
    assert blinken.get_absolute_url() in links


@pytest.mark.django_db
def test_home_filters_by_actor_event_kind_place_and_dates(client):
    """Each filter of the shared ArticleFilter narrows the list."""
    cairo = make_place("Cairo", slug="cairo")
    sisi = make_actor("Abdel Fattah al-Sisi", slug="sisi")
    raid = make_event("Raid", kind=Event.Kind.MILITARY_RAID, place=cairo)
    a = make_article(title="Alpha story", dateline=datetime.date(2023, 1, 10))
    b = make_article(title="Beta story", dateline=datetime.date(2023, 2, 10))
    mention(a, "al-Sissi", sisi)
    mention(b, "Monday", raid)

    def titles(query):
        response = client.get("/?" + query)
        assert response.status_code == 200, response.content
        return [t for t in ("Alpha story", "Beta story") if t in text_of(response)]

    assert titles("actor=sisi") == ["Alpha story"]
    assert titles("event_kind=military_raid") == ["Beta story"]
    assert titles("place=cairo") == ["Beta story"]
    assert titles("date_from=2023-02-01") == ["Beta story"]
    assert titles("date_to=2023-01-31") == ["Alpha story"]
    assert titles("q=Blinken+Cairo") == ["Alpha story", "Beta story"]
    assert titles("q=nowhere-to-be-found") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "actor=no-such-actor",
            "Actor: No actor of a published briefing is called “no-such-actor”.",
        ),
        ("actor=a%00b", "Actor: Null characters are not allowed."),
        ("q=a%00b", "Words: Null characters are not allowed."),
        ("event_kind=picnic", "Event kind: Select a valid choice."),
        ("date_from=2023-13-45", "From: Enter a valid date."),
        ("date_from=2023-02-01&date_to=2023-01-01", "To: The end date is before the start date."),
        ("q=" + "x" * 201, "Words: Ensure this value has at most 200 characters"),
    ],
)
def test_invalid_filters_are_explained_not_ignored(client, query, message):
    """A bad filter value answers 400 with a message naming the filter, and lists nothing."""
    make_article(title="Some story")
    response = client.get("/?" + query)
    assert response.status_code == 400
    text = text_of(response)
    assert message in text
    assert "Some story" not in text


@pytest.mark.django_db
def test_filter_does_not_accept_an_actor_only_drafts_mention(client):
    """An actor known only from a draft is not a valid filter value: its slug is not revealed."""
    secret = make_actor("Secret Source", slug="secret-source")
    draft = make_article(published=False, body="Secret Source spoke.")
    mention(draft, "Secret Source", secret)
    response = client.get("/?actor=secret-source")
    assert response.status_code == 400
    assert "Secret Source" not in text_of(response)


@pytest.mark.django_db
def test_home_is_paginated_by_newer_and_older_links(client):
    """Twenty briefings a page, linked by "Newer" and "Older" without counting the whole list;
    a page past the end, or not a page number, is a 404."""
    for i in range(45):
        make_article(title=f"Story {i:02d}", publish_at=timezone.now() - datetime.timedelta(i + 1))
    first = client.get("/")
    assert "Story 00" in text_of(first) and "Story 20" not in text_of(first)
    links = {
        a.get("rel"): a["href"] for tag, a in elements(first).found if tag == "a" and a.get("rel")
    }
    assert links == {"next": "?page=2"}
    second = client.get("/?page=2")
    assert "Story 20" in text_of(second) and "Story 39" in text_of(second)
    assert "Story 19" not in text_of(second) and "Story 40" not in text_of(second)
    assert "Page 2" in text_of(second)
    links = {
        a["rel"]: a["href"] for tag, a in elements(second).found if tag == "a" and a.get("rel")
    }
    assert links == {"prev": "?page=1", "next": "?page=3"}
    third = client.get("/?page=3")
    assert "Story 44" in text_of(third)
    assert 'rel="next"' not in third.content.decode()
    for page in ("4", "0", "-1", "last-one", "2.0", "9" * 30):
        assert client.get("/", {"page": page}).status_code == 404, page


@pytest.mark.django_db
def test_filtered_pages_keep_the_filters_and_say_how_many_were_found(client):
    """Page links carry the filters; the count is exact on the last page, and "more than" the
    briefings seen so far before it (nothing is counted beyond the page)."""
    actor = make_actor("Antony Blinken")
    for i in range(25):
        article = make_article(
            title=f"Story {i:02d}", publish_at=timezone.now() - datetime.timedelta(i + 1)
        )
        mention(article, "Antony Blinken", actor)
    make_article(title="Unrelated story")
    first = client.get("/", {"actor": actor.slug})
    assert "More than 20 briefings mentioning Antony Blinken found." in text_of(first)
    assert f'href="?actor={actor.slug}&amp;page=2"' in first.content.decode()
    second = client.get("/", {"actor": actor.slug, "page": "2"})
    assert "Story 24" in text_of(second) and "Unrelated" not in text_of(second)
    assert "25 briefings mentioning Antony Blinken found." in text_of(second)
    few = client.get("/", {"q": "Unrelated"})
    assert "1 briefing found." in text_of(few)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["Abdel Fattah al-Sisi", "abdel fattah AL-SISI", "El-Sisi",
                                   "  el-sisi ", "Sisi"])  # fmt: skip
def test_actor_filter_takes_a_name_or_an_alias(client, typed):
    """The actor filter is a text field: a public actor's name or alias, in any case, selects
    its briefings, and the page names the actor it understood."""
    sisi = make_actor("Abdel Fattah al-Sisi", aliases=["El-Sisi", "Sisi"], role="President")
    a = make_article(title="Alpha story")
    mention(a, "al-Sissi", sisi)
    make_article(title="Beta story")
    response = client.get("/", {"actor": typed})
    assert response.status_code == 200, text_of(response)
    text = text_of(response)
    assert "Alpha story" in text and "Beta story" not in text
    assert "1 briefing mentioning Abdel Fattah al-Sisi found." in text
    field = next(a for tag, a in elements(response).found if a.get("name") == "actor")
    assert field["type"] == "text" and field["value"] == typed


@pytest.mark.django_db
def test_a_slug_wins_over_another_actors_name(client):
    """Links give slugs: a slug selects its actor even when another actor is called that."""
    first = make_actor("Someone", slug="egypt")
    second = make_actor("egypt", slug="egypt-country")
    a, b = make_article(title="Alpha story"), make_article(title="Beta story")
    mention(a, "Antony Blinken", first)
    mention(b, "Antony Blinken", second)
    text = text_of(client.get("/", {"actor": "egypt"}))
    assert "Alpha story" in text and "Beta story" not in text


@pytest.mark.django_db
def test_an_ambiguous_actor_name_offers_the_public_actors_it_may_mean(client):
    """A name several public actors answer to is a 400 listing them, each a link that keeps the
    other filters; an actor only a draft mentions is neither matched nor named."""
    one = make_actor("Ahmed Haddad", role="Minister of Finance")
    two = make_actor("Sami Haddad", aliases=["Haddad"], role="Envoy")
    three = make_actor("Haddad", aliases=["A. Haddad"])
    hidden = make_actor("Hidden Haddad", aliases=["Haddad"])
    article = make_article(body="Antony Blinken met Haddad and Ahmed Haddad.")
    mention(article, "Ahmed Haddad", one)
    mention(article, "Haddad", two)
    mention(article, "Haddad", three, occurrence=1)
    mention(make_article(published=False), "Antony Blinken", hidden)
    response = client.get("/", {"actor": "haddad", "event_kind": "meeting", "page": "2"})
    assert response.status_code == 400
    text = text_of(response)
    assert "Actor: “haddad” is the name of several actors; choose one below." in text
    assert "Hidden" not in text and "Ahmed" not in text
    links = [a["href"] for tag, a in elements(response).found if tag == "a"]
    assert f"?actor={three.slug}&event_kind=meeting" in links
    assert f"?actor={two.slug}&event_kind=meeting" in links
    assert "Sami Haddad, Envoy" in text


@pytest.mark.django_db
def test_an_unknown_actor_name_says_nothing_matched_or_offers_close_names(client):
    """A name no public actor has is a 400 saying so; names containing it are offered; an actor
    only a draft mentions is never matched, offered or named."""
    blinken = make_actor("Antony Blinken")
    secret = make_actor("Secret Source", slug="secret-source")
    mention(make_article(), "Antony Blinken", blinken)
    mention(make_article(published=False, body="Secret Source spoke."), "Secret Source", secret)

    nothing = client.get("/", {"actor": "Nobody at all"})
    assert nothing.status_code == 400
    assert "Actor: No actor of a published briefing is called “Nobody at all”." in text_of(nothing)

    close = client.get("/", {"actor": "blink"})
    assert close.status_code == 400
    assert "names containing it are below" in text_of(close)
    assert f"?actor={blinken.slug}" in [a["href"] for tag, a in elements(close).found if tag == "a"]

    for typed in ("Secret Source", "secret-source", "Secret"):
        response = client.get("/", {"actor": typed})
        assert response.status_code == 400
        message = f"Actor: No actor of a published briefing is called “{typed}”."
        assert message in text_of(response)
        links = [a["href"] for tag, a in elements(response).found if tag == "a"]
        assert not [link for link in links if "secret" in link]


@pytest.mark.django_db
@pytest.mark.parametrize("articles", [3, 30])
def test_home_runs_a_fixed_number_of_queries(client, settings, django_assert_num_queries, articles):
    """The page, its key actors and the places to choose from; filtered, the actor too (nothing
    is counted); a name resolves in one query, a miss in two. Built without the render cache,
    built and kept (its query first), then served from it (that query alone); rejected filters
    are never kept."""
    actor = make_actor("Antony Blinken")
    for _ in range(articles):
        mention(make_article(), "Antony Blinken", actor)
    budgets = [
        ("/", 3, 200),
        ("/?page=2" if articles > 20 else "/?page=1", 3, 200),
        (f"/?actor={actor.slug}&event_kind=", 4, 200),
        ("/?actor=antony+blinken", 4, 200),
    ]
    for url, queries, status in budgets:
        for render_cache, budget in ((False, queries), (True, queries + 1), (True, 1)):
            settings.BRIEFINGS_RENDER_CACHE = render_cache
            with django_assert_num_queries(budget):
                assert client.get(url).status_code == status
    for render_cache, budget in ((False, 3), (True, 4), (True, 4)):
        settings.BRIEFINGS_RENDER_CACHE = render_cache
        with django_assert_num_queries(budget):
            assert client.get("/?actor=Nobody").status_code == 400


# -- the briefing page ------------------------------------------------------------------------


def test_seed_briefing_shows_its_header(client, seed):
    """Headline, standfirst, dateline, source, agency and the translation note."""
    response = client.get(SEED_URL)
    assert response.status_code == 200
    text = text_of(response)
    assert seed.title in text and seed.standfirst in text
    assert "Monday 30 January 2023 · France 24 · with AFP" in text
    assert "machine-translated from French" in text


def test_seed_key_facts_sum_casualties_with_at_least(client, seed):
    """Killed and injured are summed over the events, 'at least' where a figure is missing."""
    text = text_of(client.get(SEED_URL))
    assert "Killed at least 19" in text
    assert "Injured at least 2" in text
    assert "Places Asia, Cairo, East Jerusalem, Gaza Strip, Hebron, Jenin" in text
    assert "Dates covered 1967 to Feb 2023" in text


@pytest.mark.django_db
def test_key_facts_are_exact_when_every_figure_is_known(client):
    """With every violent event's figure known, the sum carries no 'at least'."""
    article = make_article(body="A raid. An attack. A meeting.")
    mention(article, "A raid", make_event("Raid", kind="military_raid", fatalities=3, injured=1))
    mention(article, "An attack", make_event("Attack", kind="attack", fatalities=2, injured=0))
    mention(article, "A meeting", make_event("Meeting", kind="meeting"))
    text = text_of(client.get(article.get_absolute_url()))
    assert "Killed 5 Injured 1" in text
    assert "at least" not in text


def test_seed_whos_who_lists_actors_with_kind_role_and_mentions(client, seed):
    """Each actor once, most mentioned first, with kind, role, count and a link."""
    response = client.get(SEED_URL)
    section = response.content.decode().split('class="whos-who"')[1].split("</section>")[0]
    blinken = Actor.objects.get(slug="antony-blinken")
    count = Mention.objects.filter(article=seed, actor=blinken, status="accepted").count()
    assert f'href="{blinken.get_absolute_url()}"' in section
    item = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert f"Antony Blinken Person US Secretary of State {count} mentions" in item
    assert item.index("Antony Blinken") < item.index("Ned Price")


def test_seed_timeline_is_in_date_order_with_dates_at_their_precision(client, seed):
    """Events by date, each date written as precisely as it is known, in <time> elements."""
    response = client.get(SEED_URL)
    timeline = response.content.decode().split('class="timeline"')[1].split("</ol>")[0]
    dates = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', timeline)
    assert ("1967", "1967") in dates
    assert ("2023-01-27", "Fri 27 Jan 2023") in dates
    assert ("2023-02", "Feb 2023") in dates
    keys = [iso for iso, _ in dates]
    assert keys == sorted(keys)
    raid = Event.objects.get(title="Israeli raid in Jenin")
    assert f'id="event-{raid.slug}"' in timeline
    assert "10 killed" in timeline


def test_seed_quotes_link_to_their_place_in_the_text(client, seed):
    """Every quote with its speaker and cue, linking to an anchor that exists in the text."""
    response = client.get(SEED_URL)
    page = response.content.decode()
    quotes_section = page.split('class="quotes"')[1].split("</section>")[0]
    text_section = page.split('class="article-text"')[1].split("</section>")[0]
    anchors = re.findall(r'href="#(quote-[0-9a-f-]+)"', quotes_section)
    assert len(anchors) == seed.quotes.count()
    for anchor in anchors:
        assert f'id="{anchor}"' in text_section
    price = seed.quotes.filter(speaker__slug="ned-price").first()
    assert price.text in text_of(response)
    assert re.search(r"Ned Price</a>, said", quotes_section)


def test_seed_text_has_subheadings_links_and_marked_quotes(client, seed):
    """Paragraphs and subheadings; mentions link to actor and event pages; quotes are marked."""
    response = client.get(SEED_URL)
    page = response.content.decode()
    text = page.split('class="article-text"')[1].split("</section>")[0]
    assert "<h3>The fear of further escalation</h3>" in text
    assert re.search(r'<h3>Reconnecting with <a href="/actors/benjamin-netanyahu/"[^>]*>', text)
    assert 'href="/actors/antony-blinken/" class="m m-actor"' in text
    assert re.search(r'href="/events/[^"]+/" class="m m-event"', text)
    assert 'class="m m-quote"' in text
    # Quotes hold names: "...de-escalate tensions between Israelis and Palestinians" etc.
    assert re.search(r'<span class="m m-quote"[^>]*>[^<]*<a ', text)


@pytest.mark.django_db
def test_only_accepted_anchored_mentions_are_drawn(client):
    """Suggested, rejected and orphaned mentions are never shown, nor counted."""
    article = make_article(body="Alpha met Beta and Gamma and Delta.")
    shown = mention(article, "Alpha", make_actor("Alpha"))
    for words, status, anchor in [
        ("Beta", "suggested", "anchored"),
        ("Gamma", "rejected", "anchored"),
        ("Delta", "accepted", "orphaned"),
    ]:
        mention(article, words, make_actor(words), status=status, anchor_state=anchor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="/actors/{shown.actor.slug}/"' in page
    for words in ("Beta", "Gamma", "Delta"):
        assert f"/actors/{Actor.objects.get(name=words).slug}/" not in page


def test_seed_json_ld_describes_article_events_quotes_and_people(client, seed):
    """NewsArticle with about (events), mentions (actors) and hasPart (quotations)."""
    data = json_ld(client.get(SEED_URL))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == seed.title
    assert data["url"].endswith(SEED_URL)
    assert data["datePublished"].startswith("2023-01-30")
    events = {e["name"]: e for e in data["about"]}
    assert events["Israeli raid in Jenin"]["startDate"] == "2023-01-26"
    assert events["Egypt–Israel peace treaty"]["startDate"] == "1979"
    assert all(e["@type"] == "Event" for e in data["about"])
    people = {m["name"]: m for m in data["mentions"]}
    assert people["Antony Blinken"]["@type"] == "Person"
    assert people["Egypt"]["@type"] == "Country"
    assert {q["@type"] for q in data["hasPart"]} == {"Quotation"}
    assert any(q.get("creator", {}).get("name") == "Ned Price" for q in data["hasPart"])


def test_seed_has_canonical_url_and_open_graph(client, seed):
    """A canonical link and OpenGraph tags for sharing."""
    found = elements(client.get(SEED_URL)).found
    links = {a.get("rel"): a.get("href") for tag, a in found if tag == "link"}
    assert links["canonical"] == "http://testserver" + SEED_URL
    meta = {a.get("property"): a.get("content") for tag, a in found if tag == "meta"}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == seed.title
    assert meta["og:url"] == "http://testserver" + SEED_URL
    assert meta["article:published_time"].startswith("2023-01-30T12:00:00")


@pytest.mark.django_db
def test_source_link_is_only_drawn_for_web_addresses(client):
    """A stored javascript: URL is never a link target."""
    safe = make_article(source_url="https://www.france24.com/en/story")
    unsafe = make_article(source_url="javascript:alert(1)")
    assert (
        'href="https://www.france24.com/en/story"'
        in client.get(safe.get_absolute_url()).content.decode()
    )
    assert "javascript:" not in client.get(unsafe.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("mentions", [10, 1000])
def test_briefing_runs_a_fixed_number_of_queries(client, django_assert_num_queries, mentions):
    """Rendering: the render cache's check, the article, its mentions, then each kind of target
    they name (actors, events, quotes, places) once, whether 10 or 1,000 mentions; served from
    the render cache: the check alone."""
    article = generated_article(mentions)
    assert article.mentions.count() == mentions
    with django_assert_num_queries(7):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="m m-') >= mentions
    with django_assert_num_queries(1):
        assert client.get(article.get_absolute_url()).content == response.content


# -- HTTP caching -----------------------------------------------------------------------------


def test_public_briefing_is_cacheable_and_revalidates_with_304(client, seed):
    """ETag and Last-Modified on the page; a matching revalidation is a 304 without a body."""
    response = client.get(SEED_URL)
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" not in response.get("Vary", "")
    etag, modified = response["ETag"], response["Last-Modified"]
    again = client.get(SEED_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(SEED_URL, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(SEED_URL, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_briefing_etag_changes_with_the_article_and_what_it_mentions(client, seed):
    """An edit to the article, or to an actor it mentions, gives a new ETag."""
    first = client.get(SEED_URL)["ETag"]
    Article.objects.filter(pk=seed.pk).update(version=seed.version + 1)
    second = client.get(SEED_URL)["ETag"]
    assert second != first
    blinken = Actor.objects.get(slug="antony-blinken")
    blinken.role = "Former US Secretary of State"
    blinken.save()
    third = client.get(SEED_URL, HTTP_IF_NONE_MATCH=second)
    assert third.status_code == 200 and third["ETag"] != second
    assert "Former US Secretary of State" in text_of(third)


def test_actor_page_revalidates_with_304(client, seed):
    """The actor page has validators too, and a new ETag when the actor changes."""
    url = "/actors/antony-blinken/"
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=60"
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    Actor.objects.filter(slug="antony-blinken").update(
        updated_at=timezone.now() + datetime.timedelta(seconds=5)
    )
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_signed_in_readers_get_private_responses(client, seed, reader):
    """With a session cookie the response may carry a new cookie: shared caches must not keep it."""
    client.force_login(reader)
    response = client.get(SEED_URL)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


# -- preview ----------------------------------------------------------------------------------


@pytest.fixture
def previewer(db):
    user = make_user("paula")
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state",
    [
        {"published": False},
        {"published": False, "status": "review"},
        {"publish_at": timezone.now() + datetime.timedelta(days=1)},
        {"published": False, "status": "unpublished", "publish_at": timezone.now()},
    ],
    ids=["draft", "review", "scheduled", "unpublished"],
)
def test_staff_preview_shows_unpublished_briefings_uncached(client, previewer, state):
    """Staff with view permission see any briefing with ?preview=1, with a banner, never cached."""
    article = make_article(title="Not yet out", **state)
    client.force_login(previewer)
    response = client.get(article.get_absolute_url() + "?preview=1")
    assert response.status_code == 200
    assert "Preview." in text_of(response) and "Not yet out" in text_of(response)
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "ETag" not in response
    assert 'name="robots" content="noindex, nofollow"' in response.content.decode()
    # Without ?preview=1 staff see the public site: no such page.
    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_preview_of_a_published_briefing_is_never_cached(client, previewer):
    """Even a public briefing seen in preview is marked private and no-store."""
    article = make_article()
    client.force_login(previewer)
    response = client.get(article.get_absolute_url() + "?preview=1")
    assert "Preview." in text_of(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_preview_is_a_404_for_everyone_else(client, reader, annotator):
    """Anonymous readers, signed-in readers and staff without view permission get 404, not 403."""
    article = make_article(published=False)
    url = article.get_absolute_url() + "?preview=1"
    assert client.get(url).status_code == 404
    client.force_login(reader)
    assert client.get(url).status_code == 404
    no_view = make_user("stan")
    client.force_login(no_view)
    assert client.get(url).status_code == 404


# -- nothing unpublished ----------------------------------------------------------------------


@pytest.fixture
def hidden_world(db):
    """One article per non-public state, each the only one to mention its actor and event."""
    states = {
        "draft": {"published": False},
        "review": {"published": False, "status": "review"},
        "scheduled": {"publish_at": timezone.now() + datetime.timedelta(hours=3)},
        "unpublished": {"published": False, "status": "unpublished", "publish_at": timezone.now()},
    }
    world = []
    for name, state in states.items():
        body = f"Hidden{name} met people at Hidden{name}Event."
        article = make_article(title=f"Hidden {name} story", body=body, **state)
        actor = make_actor(f"Hidden{name}")
        event = make_event(f"Hidden{name}Event")
        mention(article, f"Hidden{name}", actor)
        mention(article, f"Hidden{name}Event", event)
        participate(event, actor)
        make_quote(article, f"Hidden{name} quote words", actor)
        world.append((article, actor, event))
    return world


def test_nothing_unpublished_is_reachable(client, hidden_world):
    """Drafts, reviews, scheduled and unpublished briefings, and what only they mention: 404,
    and absent from the home page, search, the feed, the sitemap."""
    for article, actor, event in hidden_world:
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(actor.get_absolute_url()).status_code == 404
        assert client.get(event.get_absolute_url()).status_code == 404
    for query in ("Hidden", "quote", "HiddendraftEvent"):
        assert "Nothing found" in text_of(client.get("/search/", {"q": query}))
    pages = [
        client.get("/").content.decode(),
        client.get("/feeds/briefings/").content.decode(),
        *(
            client.get(f"/sitemap-{section}.xml").content.decode()
            for section in ("briefings", "actors", "events")
        ),
    ]
    for page in pages:
        assert "Hidden" not in page


def test_unknown_pages_are_the_custom_404(client, db):
    """An unknown address gets the site's own 404 page with a way back."""
    response = client.get("/briefings/no-such-briefing/")
    assert response.status_code == 404
    text = text_of(response)
    assert "Page not found" in text and "See the latest briefings" in text


def test_server_error_page_renders_without_a_request_context():
    """500.html renders with nothing but the template engine, as Django's handler does."""
    from django.template import loader

    page = loader.get_template("500.html").render()
    assert "Something went wrong" in page and 'href="/"' in page


# -- actor and event pages --------------------------------------------------------------------


def test_seed_actor_page(client, seed):
    """Role, aliases, quotes with a link to their place in the briefing, events, briefings."""
    response = client.get("/actors/abdel-fattah-al-sisi/")
    assert response.status_code == 200
    text = text_of(response)
    assert "President of Egypt" in text
    assert "El-Sisi" in text and "al-Sissi" in text
    assert "Antony Blinken meets Abdel Fattah al-Sisi in Cairo" in text
    assert "Mon 30 Jan 2023" in text
    page = response.content.decode()
    assert f'href="{SEED_URL}"' in page
    assert f'href="{SEED_URL}#event-' in page
    price = client.get("/actors/ned-price/").content.decode()
    quote = Article.objects.get(slug=SEED_SLUG).quotes.filter(speaker__slug="ned-price").first()
    assert f'href="{SEED_URL}#quote-{quote.uid}"' in price


@pytest.mark.django_db
def test_actor_page_links_wikidata(client):
    """A known Wikidata id becomes a link to Wikidata."""
    article = make_article()
    actor = make_actor("Antony Blinken", wikidata_id="Q7294")
    mention(article, "Antony Blinken", actor)
    page = client.get(actor.get_absolute_url()).content.decode()
    assert 'href="https://www.wikidata.org/wiki/Q7294"' in page


def test_seed_event_page(client, seed):
    """Date, place, casualties, participants with roles, the briefing that reports it."""
    event = Event.objects.get(title="Israeli raid in Jenin")
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert "Date Thu 26 Jan 2023" in text and "Place Jenin" in text
    assert "Killed 10" in text and "Injured not reported" in text
    assert "Israeli security forces Perpetrator" in text
    assert f'href="{SEED_URL}#event-{event.slug}"' in response.content.decode()


def page_links(response) -> dict[str, str]:
    """The page's canonical address and its links to the previous and next pages."""
    wanted = {"canonical", "prev", "next"}
    return {a["rel"]: a["href"] for tag, a in elements(response).found if a.get("rel") in wanted}


def busy_actor(size: int, *, published: bool = True):
    """An actor quoted once in each of ``size`` briefings, a day apart (the first newest), each
    reporting one event it took part in; all the quotes are about one shared event."""
    actor = make_actor("Antony Blinken")
    shared = make_event("Talks", date=datetime.date(2022, 1, 1))
    for i in range(size):
        article = make_article(
            title=f"Story {i:02d}",
            body="Antony Blinken said: talks.",
            publish_at=timezone.now() - datetime.timedelta(days=i + 1),
            published=published,
        )
        mention(article, "Antony Blinken", actor)
        mention(article, "talks", shared)
        quote = make_quote(article, f"Words {i:02d}", actor, event=shared)
        mention(article, "talks", quote)
        own = make_event(f"Event {i:02d}", date=datetime.date(2023, 1, 1) - datetime.timedelta(i))
        participate(own, actor)
        mention(article, "said", own)
    participate(shared, actor, "host")
    return actor, shared


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 30])
def test_actor_and_event_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, size
):
    """The actor and event pages and their list pages cost the same whatever the number of
    quotes, events and briefings."""
    actor, event = busy_actor(size)
    # The render cache's check, then the page's own six; served from the cache, the check.
    with django_assert_num_queries(7):
        assert client.get(actor.get_absolute_url()).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(actor.get_absolute_url()).status_code == 200
    # The check, the actor, the page of quotes; of events, their roles and reports too.
    with django_assert_num_queries(3):
        assert client.get(f"/actors/{actor.slug}/quotes/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/actors/{actor.slug}/quotes/").status_code == 200
    with django_assert_num_queries(5):
        assert client.get(f"/actors/{actor.slug}/events/").status_code == 200
    with django_assert_num_queries(4):
        assert client.get(event.get_absolute_url()).status_code == 200
    for section in ("quotes", "briefings"):
        with django_assert_num_queries(2):
            assert client.get(f"/events/{event.slug}/{section}/").status_code == 200


@pytest.mark.django_db
def test_actor_page_shows_the_latest_of_each_list_and_links_to_every_page(client):
    """The actor page shows its latest ten quotes, twenty events and ten briefings; the rest
    are on the lists' pages, twenty a page, linked by Newer/Older (Later/Earlier for events)."""
    actor, _ = busy_actor(45)
    page = client.get(actor.get_absolute_url())
    text = text_of(page)
    assert "Words 00" in text and "Words 09" in text and "Words 10" not in text
    assert "Event 00" in text and "Event 19" in text and "Event 20" not in text
    # Events in date order: the earliest shown first.
    assert text.index("Event 19") < text.index("Event 00")
    links = [a["href"] for tag, a in elements(page).found if tag == "a"]
    assert f"/actors/{actor.slug}/quotes/" in links
    assert f"/actors/{actor.slug}/events/" in links
    assert f"/?actor={actor.slug}" in links
    assert len([link for link in links if link.startswith("/briefings/")]) >= 10

    quotes = client.get(f"/actors/{actor.slug}/quotes/")
    text = text_of(quotes)
    assert "Quotes from Antony Blinken" in text
    assert "Words 00" in text and "Words 19" in text and "Words 20" not in text
    assert page_links(quotes) == {
        "next": "?page=2",
        "canonical": f"http://testserver/actors/{actor.slug}/quotes/",
    }
    second = client.get(f"/actors/{actor.slug}/quotes/?page=2")
    assert "Words 20" in text_of(second) and "Words 39" in text_of(second)
    rels = page_links(second)
    assert rels["prev"] == f"/actors/{actor.slug}/quotes/" and rels["next"] == "?page=3"
    assert rels["canonical"] == f"http://testserver/actors/{actor.slug}/quotes/?page=2"
    third = client.get(f"/actors/{actor.slug}/quotes/?page=3")
    assert "Words 44" in text_of(third) and 'rel="next"' not in third.content.decode()
    for bad in ("4", "0", "x"):
        assert client.get(f"/actors/{actor.slug}/quotes/?page={bad}").status_code == 404

    events = client.get(f"/actors/{actor.slug}/events/?page=2")
    text = text_of(events)
    assert "Events with Antony Blinken" in text
    assert "Event 20" in text and "Event 39" in text and "Event 19" not in text
    assert "Later events" in text and "Earlier events" in text


@pytest.mark.django_db
def test_an_actors_events_are_listed_once_latest_first_undated_last(client):
    """An event the actor took part in under several roles is listed once, with each role;
    events of one day by title, the latest first; undated events last; events it took no part
    in, or that only a draft reports, are not listed."""
    actor = make_actor("Antony Blinken")
    article = make_article(body="Antony Blinken met, visited, spoke, waited, signed, hid.")
    draft = make_article(published=False, body="Antony Blinken hid.")
    day = datetime.date(2023, 1, 30)
    events = {
        "met": make_event("Alpha talks", date=day),
        "visited": make_event("Beta visit", date=day),
        "spoke": make_event("Statement", date=day - datetime.timedelta(days=3)),
        "waited": make_event("Undated wait", date=None, date_precision=""),
        "signed": make_event("Later accord", date=day + datetime.timedelta(days=1)),
    }
    for words, event in events.items():
        mention(article, words, event)
        participate(event, actor)
    participate(events["met"], actor, "host")
    elsewhere = make_event("Not with him", date=day)
    mention(article, "signed", elsewhere)
    hidden = make_event("Draft only", date=day)
    mention(draft, "hid", hidden)
    participate(hidden, actor)
    mention(article, "Antony Blinken", actor)

    text = text_of(client.get(f"/actors/{actor.slug}/events/"))
    order = ["Later accord", "Beta visit", "Alpha talks", "Statement", "Undated wait"]
    # The list shows events in date order, the earliest first, undated ones at the end.
    shown = sorted(order, key=text.index)
    assert shown == ["Statement", "Alpha talks", "Beta visit", "Later accord", "Undated wait"]
    assert text.count("Alpha talks") == 1
    assert "Host" in text and "Participant" in text
    assert "Not with him" not in text and "Draft only" not in text
    assert [p.event.title for p in views.participations_of(actor)] == order


@pytest.mark.django_db
def test_list_pages_show_nothing_unpublished(client):
    """Quotes, events and briefings of drafts are on no list page; an actor or event only drafts
    mention has none (404)."""
    actor, event = busy_actor(3)
    hidden, hidden_event = busy_actor(3, published=False)
    draft = make_article(published=False, title="Draft story", body="Antony Blinken said: talks.")
    make_quote(draft, "Draft words", actor, event=event)
    mention(draft, "talks", draft.quotes.get())
    for path in (
        f"/actors/{actor.slug}/quotes/",
        f"/actors/{actor.slug}/events/",
        f"/events/{event.slug}/quotes/",
        f"/events/{event.slug}/briefings/",
    ):
        text = text_of(client.get(path))
        assert "Words 02" in text or "Event 02" in text or "Story 02" in text, path
        assert "Draft" not in text, path
    for path in (
        f"/actors/{hidden.slug}/quotes/",
        f"/actors/{hidden.slug}/events/",
        f"/events/{hidden_event.slug}/quotes/",
        f"/events/{hidden_event.slug}/briefings/",
    ):
        assert client.get(path).status_code == 404, path


@pytest.mark.django_db
def test_each_list_page_is_cached_under_its_own_key(client, django_assert_num_queries):
    """Served from the render cache, page 2 of an actor's quotes is page 2, not page 1; a new
    quote published makes new pages."""
    actor, _ = busy_actor(25)
    first = client.get(f"/actors/{actor.slug}/quotes/").content
    second = client.get(f"/actors/{actor.slug}/quotes/?page=2").content
    with django_assert_num_queries(2):
        assert client.get(f"/actors/{actor.slug}/quotes/").content == first
        assert client.get(f"/actors/{actor.slug}/quotes/?page=2").content == second
    assert first != second and b"Words 20" in second and b"Words 20" not in first
    assert b"Words 20" not in client.get(actor.get_absolute_url()).content
    article = make_article(title="Newest story", body="Antony Blinken said: talks.")
    mention(article, "Antony Blinken", actor)
    mention(article, "talks", make_quote(article, "Newest words", actor))
    assert b"Newest words" in client.get(f"/actors/{actor.slug}/quotes/").content
    assert b"Words 19" in client.get(f"/actors/{actor.slug}/quotes/?page=2").content


@pytest.mark.django_db
def test_event_page_shows_the_latest_quotes_and_briefings_and_links_to_the_rest(client):
    """An event's page shows ten quotes and ten briefings; its list pages have them all."""
    _, event = busy_actor(25)
    page = client.get(event.get_absolute_url())
    text = text_of(page)
    assert "Words 09" in text and "Words 10" not in text
    assert "Story 09" in text and "Story 10" not in text
    links = [a["href"] for tag, a in elements(page).found if tag == "a"]
    assert f"/events/{event.slug}/quotes/" in links and f"/events/{event.slug}/briefings/" in links
    briefings = client.get(f"/events/{event.slug}/briefings/?page=2")
    assert "Briefings reporting Talks" in text_of(briefings)
    assert "Story 20" in text_of(briefings) and "Story 24" in text_of(briefings)
    assert "Story 19" not in text_of(briefings)
    hrefs = [a["href"] for tag, a in elements(briefings).found if tag == "a"]
    assert any(h.endswith(f"#event-{event.slug}") for h in hrefs)
    quotes = client.get(f"/events/{event.slug}/quotes/")
    assert "Words 19" in text_of(quotes) and "Words 20" not in text_of(quotes)


# -- crawlers ---------------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_out_of_admin_and_points_to_the_sitemap(client, db):
    """robots.txt disallows /admin/ and names the sitemap by absolute URL."""
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert "Disallow: /api/editor/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_public_pages(client, seed):
    """The index names each section; sections list the briefing, its actors and its events."""
    index = client.get("/sitemap.xml").content.decode()
    for section in ("home", "briefings", "actors", "events"):
        assert f"http://testserver/sitemap-{section}.xml" in index
    assert f"http://testserver{SEED_URL}" in client.get("/sitemap-briefings.xml").content.decode()
    actors = client.get("/sitemap-actors.xml").content.decode()
    assert "http://testserver/actors/antony-blinken/" in actors
    events = client.get("/sitemap-events.xml").content.decode()
    assert events.count("<url>") == Event.objects.count()


# -- validity ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_type_is_valid_html(client, seed, previewer):
    """The Nu HTML Checker finds no error on any page type, the stylesheets included."""
    event = Event.objects.get(title="Israeli raid in Jenin")
    pages = {
        "home": client.get("/"),
        "home-filtered": client.get("/?actor=antony-blinken&event_kind=meeting"),
        "home-invalid": client.get("/?actor=nobody&date_from=yesterday"),
        "home-actor-choices": client.get("/?actor=Blink"),
        "home-page-2": client.get("/?actor=Egypt&page=1"),
        "briefing": client.get(SEED_URL),
        "actor": client.get("/actors/antony-blinken/"),
        "actor-country": client.get("/actors/israel/"),
        "actor-quotes": client.get("/actors/antony-blinken/quotes/"),
        "actor-events": client.get("/actors/antony-blinken/events/"),
        "event": client.get(event.get_absolute_url()),
        "event-quotes": client.get(f"/events/{event.slug}/quotes/"),
        "event-briefings": client.get(f"/events/{event.slug}/briefings/"),
        "search": client.get("/search/?q=Blinken+Cairo"),
        "search-empty": client.get("/search/"),
        "search-none": client.get("/search/?q=zzzzqqq"),
        "not-found": client.get("/actors/nobody/"),
    }
    client.force_login(previewer)
    pages["preview"] = client.get(SEED_URL + "?preview=1")
    from django.template import loader

    documents = {name: r.content for name, r in pages.items()}
    documents["server-error"] = loader.get_template("500.html").render()
    assert vnu_errors(documents) == {}
    from pathlib import Path

    static = Path(__file__).resolve().parent.parent / "briefings" / "static" / "briefings"
    sheets = {path.stem: path.read_bytes() for path in static.glob("*.css")}
    assert vnu_errors(sheets, css=True) == {}


def test_last_modified_is_an_http_date(client, seed):
    """Last-Modified is the newest change among the article and what it mentions."""
    response = client.get(SEED_URL)
    newest = max(
        [seed.updated_at]
        + [m.updated_at for m in seed.mentions.all()]
        + [a.updated_at for a in Actor.objects.all()]
    )
    assert response["Last-Modified"] == http_date(int(newest.timestamp()))


def test_page_urls_match_the_contract(db):
    """The addresses other parts of the product rely on."""
    assert reverse("briefings:home") == "/"
    assert reverse("briefings:briefing", args=["x"]) == "/briefings/x/"
    assert reverse("briefings:actor", args=["x"]) == "/actors/x/"
    assert reverse("briefings:event", args=["x"]) == "/events/x/"
    assert reverse("briefings:actor-quotes", args=["x"]) == "/actors/x/quotes/"
    assert reverse("briefings:actor-events", args=["x"]) == "/actors/x/events/"
    assert reverse("briefings:event-quotes", args=["x"]) == "/events/x/quotes/"
    assert reverse("briefings:event-briefings", args=["x"]) == "/events/x/briefings/"
    assert reverse("briefings:search") == "/search/"
    assert reverse("briefings:feed") == "/feeds/briefings/"
    assert reverse("briefings:sitemap") == "/sitemap.xml"
    assert reverse("briefings:robots") == "/robots.txt"
    assert Client().get("/robots.txt").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 20])
def test_sitemap_sections_run_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    """Each sitemap section costs a count and a page of rows, however many entries it has."""
    actor = make_actor("Antony Blinken")
    for _ in range(size):
        article = make_article()
        mention(article, "Antony Blinken", actor)
        mention(article, "Cairo", make_event("Talks"))
    for section in ("briefings", "actors", "events"):
        with django_assert_num_queries(2):
            response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.django_db
def test_paraphrases_are_not_shown_as_verbatim_quotes(client):
    """A paraphrase is labelled as one; an unattributed quote says so."""
    article = make_article(body="He wants talks. Someone said it was appalling.")
    speaker = make_actor("Antony Blinken")
    mention(
        article, "He wants talks", make_quote(article, "He wants talks", speaker, kind="paraphrase")
    )
    mention(article, "appalling", make_quote(article, "appalling", None, kind="partial"))
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'class="quote quote--paraphrase"' in page
    text = text_of(client.get(article.get_absolute_url()))
    assert "Paraphrase of Antony Blinken" in text
    assert "appalling Unattributed" in text
