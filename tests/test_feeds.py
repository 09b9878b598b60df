"""The Atom feed of the latest briefings."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.page_data import make_article

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client):
    response = client.get("/feeds/briefings/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_seed_briefing_is_in_the_feed(client, seed):
    """The seed appears with its title, link, summary, dates and source."""
    feed, (entry,) = entries(client)
    assert feed.find(f"{ATOM}title").text == "Briefings: latest briefings"
    assert entry.find(f"{ATOM}title").text == seed.title
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver" + seed.get_absolute_url()
    assert entry.find(f"{ATOM}summary").text == seed.standfirst.replace("'", "&#x27;")
    assert entry.find(f"{ATOM}published").text.startswith("2023-01-30T12:00:00")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "France 24"


@pytest.mark.django_db
def test_feed_has_the_latest_twenty_published_newest_first(client, django_assert_num_queries):
    """Twenty entries, newest first, no drafts or scheduled briefings; one query."""
    now = timezone.now()
    for i in range(25):
        make_article(title=f"Story {i:02d}", publish_at=now - datetime.timedelta(hours=i + 1))
    make_article(title="Draft story", published=False)
    make_article(title="Scheduled story", publish_at=now + datetime.timedelta(hours=1))
    with django_assert_num_queries(1):
        _, found = entries(client)
    titles = [e.find(f"{ATOM}title").text for e in found]
    assert titles == [f"Story {i:02d}" for i in range(20)]


@pytest.mark.django_db
def test_summary_is_text_even_to_readers_that_read_it_as_html(client):
    """<summary type="html"> is unescaped once by feed readers: the standfirst stays text."""
    make_article(title="<b>Title</b>", standfirst='<img src=x onerror="alert(1)"> & more')
    _, (entry,) = entries(client)
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert summary.text == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; more"
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in (None, "text") and title.text == "<b>Title</b>"
