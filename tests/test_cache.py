"""The render cache of the public briefing and actor pages and of the home page's lists
(briefings.cache)."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.utils import timezone

from briefings import cache as render_cache
from briefings import views
from briefings.models import Actor, Article, Mention
from tests.page_data import make_actor, make_article, make_place, mention

SEED_SLUG = "blinken-cairo-israeli-palestinian-violence"
SEED_URL = f"/briefings/{SEED_SLUG}/"
ACTOR_URL = "/actors/antony-blinken/"


def served_from_cache(client, url, django_assert_num_queries, **headers):
    """A response made without rendering: one query (visibility, version, generations)."""
    with django_assert_num_queries(1):
        response = client.get(url, **headers)
    assert response.templates == []
    return response


def rendered(client, url):
    response = client.get(url)
    assert response.status_code == 200
    names = {t.name for t in response.templates}
    assert names & {"briefings/briefing.html", "briefings/actor.html"}
    return response


@pytest.mark.django_db
def test_a_briefing_is_rendered_once_then_served_from_the_cache(
    client, seed, django_assert_num_queries
):
    """The first request renders and stores the page; the next ones cost one query and no
    template, and get the same bytes and ETag."""
    first = rendered(client, SEED_URL)
    again = served_from_cache(client, SEED_URL, django_assert_num_queries)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == "public, max-age=60"
    state = render_cache.briefing_state(SEED_SLUG)
    assert cache.get(state.key(again.wsgi_request))["content"] == first.content


@pytest.mark.django_db
def test_an_edit_shows_on_the_next_request(client, seed, editor):
    """Saving new content bumps the version: the next request renders the new text."""
    rendered(client, SEED_URL)
    seed.save_content(
        editor, expected_version=seed.version, title="Blinken in Cairo: the corrected headline"
    )
    page = rendered(client, SEED_URL)
    assert "Blinken in Cairo: the corrected headline" in page.content.decode()


@pytest.mark.django_db
def test_an_annotation_change_shows_on_the_next_request(client, seed, editor):
    """Rejecting an accepted mention inside an edit removes its link from the cached page."""
    target = seed.mentions.filter(actor__slug="antony-blinken").first()
    anchor = f'id="m-{target.uid}"'
    assert anchor in rendered(client, SEED_URL).content.decode()
    with seed.editing(editor, expected_version=seed.version, message="Not a mention"):
        Mention.objects.filter(pk=target.pk).update(status=Mention.Status.REJECTED)
    assert anchor not in rendered(client, SEED_URL).content.decode()


@pytest.mark.django_db
def test_a_revert_shows_on_the_next_request(client, seed, editor):
    """Reverting an edit serves the restored text, not the cached edited one."""
    original = seed.title
    before_edit = seed.make_revision(editor, "As loaded")
    seed.save_content(editor, expected_version=seed.version, title="A headline to undo")
    assert "A headline to undo" in rendered(client, SEED_URL).content.decode()
    seed.refresh_from_db()
    seed.revert(before_edit, editor, expected_version=seed.version)
    page = rendered(client, SEED_URL).content.decode()
    assert "A headline to undo" not in page
    assert original in page


@pytest.mark.django_db
def test_an_unpublished_briefing_disappears_at_once_and_returns_when_republished(
    client, seed, editor
):
    """The cached page is never served once the briefing is withdrawn; republishing shows it."""
    rendered(client, SEED_URL)
    seed.unpublish(editor, "Legal review of the casualty figures.")
    assert client.get(SEED_URL).status_code == 404
    seed.refresh_from_db()
    seed.publish(editor, expected_version=seed.version)
    rendered(client, SEED_URL)


@pytest.mark.django_db
def test_a_scheduled_briefing_appears_on_time(client, seed, editor):
    """A scheduled briefing is a 404 until its time, then served, with nothing else written."""
    seed.unpublish(editor, "Held back.")
    seed.refresh_from_db()
    seed.publish(
        editor,
        at=timezone.now() + datetime.timedelta(hours=1),
        expected_version=seed.version,
    )
    assert client.get(SEED_URL).status_code == 404
    # The clock reaching the publication time: only publish_at moves into the past.
    Article.objects.filter(pk=seed.pk).update(publish_at=timezone.now())
    rendered(client, SEED_URL)


@pytest.mark.django_db
def test_renaming_an_actor_shows_on_cached_briefing_pages(client, seed):
    """An actor's save changes the content generation: pages naming it are rendered again."""
    assert "Antony J. Blinken" not in rendered(client, SEED_URL).content.decode()
    actor = Actor.objects.get(slug="antony-blinken")
    actor.name = "Antony J. Blinken"
    actor.save()
    assert "Antony J. Blinken" in rendered(client, SEED_URL).content.decode()


@pytest.mark.django_db
def test_preview_never_reads_nor_fills_the_cache(client, seed, editor):
    """A staff preview renders every time and stores nothing: the public request after it
    still renders, and a preview shows what the cached public page does not yet."""
    client.force_login(editor)
    preview = client.get(SEED_URL + "?preview=1")
    assert preview.status_code == 200
    assert "no-cache" in preview["Cache-Control"] and "private" in preview["Cache-Control"]
    client.logout()
    public = rendered(client, SEED_URL)
    assert public.content != preview.content
    # A change no generation sees (a direct UPDATE keeps updated_at): the cache keeps the old
    # name, the preview shows the new one.
    Actor.objects.filter(slug="antony-blinken").update(name="Tony Blinken")
    assert "Tony Blinken" not in client.get(SEED_URL).content.decode()
    client.force_login(editor)
    assert "Tony Blinken" in client.get(SEED_URL + "?preview=1").content.decode()


@pytest.mark.django_db
def test_a_draft_preview_is_never_served_to_the_public(client, editor):
    """Previewing a draft stores nothing under its slug: the public gets a 404."""
    draft = make_article(published=False, title="An embargoed draft")
    client.force_login(editor)
    assert client.get(f"/briefings/{draft.slug}/?preview=1").status_code == 200
    client.logout()
    assert client.get(f"/briefings/{draft.slug}/").status_code == 404
    assert client.get(f"/briefings/{draft.slug}/?preview=1").status_code == 404


@pytest.mark.django_db
def test_revalidation_is_a_304_until_the_content_changes(
    client, seed, editor, django_assert_num_queries
):
    """A matching If-None-Match is a 304 with no body for one query; after an edit the old
    ETag no longer matches and the new page comes back."""
    etag = rendered(client, SEED_URL)["ETag"]
    with django_assert_num_queries(1):
        again = client.get(SEED_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    seed.save_content(editor, expected_version=seed.version, standfirst="A new summary.")
    changed = client.get(SEED_URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "A new summary." in changed.content.decode()


@pytest.mark.django_db
def test_actor_page_is_cached_and_follows_publications(
    client, seed, editor, django_assert_num_queries
):
    """The actor page is served from the cache; a briefing naming the actor that goes live
    (scheduled, then due) or is withdrawn changes it on the next request."""
    first = rendered(client, ACTOR_URL)
    served_from_cache(client, ACTOR_URL, django_assert_num_queries)
    actor = Actor.objects.get(slug="antony-blinken")
    later = make_article(
        title="Blinken returns to Cairo",
        body="Antony Blinken returned to Cairo.",
        publish_at=timezone.now() + datetime.timedelta(hours=2),
    )
    mention(later, "Antony Blinken", actor)
    assert "Blinken returns to Cairo" not in rendered(client, ACTOR_URL).content.decode()
    # The clock reaching the publication time.
    Article.objects.filter(pk=later.pk).update(publish_at=timezone.now())
    assert "Blinken returns to Cairo" in rendered(client, ACTOR_URL).content.decode()
    later.refresh_from_db()
    later.unpublish(editor, "Wrong visit.")
    page = rendered(client, ACTOR_URL).content.decode()
    assert "Blinken returns to Cairo" not in page
    assert page == first.content.decode()


@pytest.mark.django_db
def test_actor_page_of_a_withdrawn_briefing_disappears(client, editor):
    """An actor named only by a briefing that is withdrawn stops having a page at once."""
    article = make_article(body="Ayman Safadi spoke.")
    actor = make_actor("Ayman Safadi")
    mention(article, "Ayman Safadi", actor)
    rendered(client, actor.get_absolute_url())
    article.unpublish(editor, "Withdrawn.")
    assert client.get(actor.get_absolute_url()).status_code == 404


def test_a_render_that_read_the_session_is_not_stored(rf, db):
    """Something per reader (the session was read) is served but never stored."""
    request = rf.get(SEED_URL)
    request.session = SessionStore()

    def render():
        request.session.get("anything")
        return "<p>for one reader</p>", None

    response = render_cache.cached_page(request, "page:test:per-reader", render)
    assert response.content == b"<p>for one reader</p>"
    assert cache.get("page:test:per-reader") is None


@pytest.mark.django_db
def test_the_cache_can_be_turned_off(client, seed, settings, django_assert_num_queries):
    """With BRIEFINGS_RENDER_CACHE off every request renders (the benchmark's uncached case)."""
    settings.BRIEFINGS_RENDER_CACHE = False
    rendered(client, SEED_URL)
    assert rendered(client, SEED_URL).templates


# -- the annotated text, rendered once per distinct input ---------------------------------------


def count_text_renders(monkeypatch) -> list:
    """Record each rendering of an annotated text (the real function still does the work)."""
    from briefings import render

    calls = []
    real = render.render_body

    def counting(body, spans):
        calls.append(body)
        return real(body, spans)

    monkeypatch.setattr(render, "render_body", counting)
    return calls


@pytest.mark.django_db
def test_the_annotated_text_is_rendered_once_for_the_same_content(
    client, seed, settings, monkeypatch
):
    """With whole pages not cached, each request renders the page but reuses the text."""
    settings.BRIEFINGS_RENDER_CACHE = False
    calls = count_text_renders(monkeypatch)
    first = rendered(client, SEED_URL)
    second = rendered(client, SEED_URL)
    assert len(calls) == 1
    assert second.content == first.content
    assert f'id="m-{seed.mentions.filter(actor__isnull=False).first().uid}"' in (
        first.content.decode()
    )


@pytest.mark.django_db
def test_the_stored_text_follows_any_change_to_what_it_is_made_of(client, seed, settings):
    """The stored text is keyed by its input itself: changes that bump nothing (direct UPDATEs,
    keeping versions and updated_at) still show, in the label of a name and in the words."""
    settings.BRIEFINGS_RENDER_CACHE = False
    page = rendered(client, SEED_URL).content.decode()
    assert 'title="Antony Blinken, ' in page
    Actor.objects.filter(slug="antony-blinken").update(role="Former Secretary of State")
    assert 'title="Antony Blinken, Former Secretary of State"' in (
        rendered(client, SEED_URL).content.decode()
    )
    added = "A closing paragraph written straight into the database."
    Article.objects.filter(pk=seed.pk).update(body=f"{seed.body}\n\n{added}")
    assert f"<p>{added}</p>" in rendered(client, SEED_URL).content.decode()


@pytest.mark.django_db
def test_kept_fragments_follow_any_change_to_what_they_show(
    client, seed, settings, django_assert_num_queries
):
    """Who's who, the timeline and the quotes are kept per distinct content: a direct UPDATE
    that bumps nothing, of a name or of an event's place (a related row), still shows."""
    from briefings.models import Event, Place

    settings.BRIEFINGS_RENDER_CACHE = False
    rendered(client, SEED_URL)
    # The article, its mentions, and each kind of target: nothing else, nothing rendered twice.
    with django_assert_num_queries(6):
        again = client.get(SEED_URL)
    assert {t.name for t in again.templates} >= {"briefings/briefing.html"}
    assert "briefings/_whos_who.html" not in {t.name for t in again.templates}
    Actor.objects.filter(slug="antony-blinken").update(name="Antony John Blinken")
    event = Event.objects.filter(place__isnull=False, mentions__article=seed).first()
    Place.objects.filter(pk=event.place_id).update(name="Renamed Place")
    page = rendered(client, SEED_URL).content.decode()
    whos_who = page.split('class="people"')[1].split("</ul>")[0]
    assert "Antony John Blinken" in whos_who
    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    assert "Renamed Place" in timeline
    linked_data = page.split('type="application/ld+json">')[1].split("</script>")[0]
    assert "Antony John Blinken" in linked_data and "Renamed Place" in linked_data


# -- the home page: each list (filters, search, page) kept under its own key ---------------------


def kept_home(client, url, django_assert_num_queries, **headers):
    """The home page served from the render cache: the one query, no template."""
    with django_assert_num_queries(1):
        response = client.get(url, **headers)
    assert response.templates == []
    return response


def built_home(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    assert "briefings/home.html" in {t.name for t in response.templates}
    return response


def titles(response) -> list[str]:
    html = response.content.decode()
    return [part.split("</a>")[0].split(">")[-1] for part in html.split('class="card__title"')[1:]]


@pytest.mark.django_db
def test_the_home_page_is_built_once_then_served_from_the_cache(
    client, seed, settings, django_assert_num_queries
):
    """The first request builds and stores the page; the next costs one query, with the same
    bytes and ETag, which are those of the page built without the cache."""
    first = built_home(client)
    again = kept_home(client, "/", django_assert_num_queries)
    assert again.status_code == 200
    assert again.content == first.content
    assert (
        again["ETag"]
        == first["ETag"]
        == render_cache.etag_for(views.home_key(again.wsgi_request, render_cache.list_state()))
    )
    assert again["Cache-Control"] == "public, max-age=60"
    settings.BRIEFINGS_RENDER_CACHE = False
    assert built_home(client).content == first.content


@pytest.mark.django_db
def test_the_home_page_follows_publications_and_edits_at_once(
    client, seed, editor, django_assert_num_queries
):
    """A briefing published, scheduled then due, edited or withdrawn changes the kept lists on
    the next request; a withdrawal brings back exactly the page kept before."""
    before = built_home(client)
    assert titles(before) == [seed.title]
    later = make_article(title="Blinken returns to Cairo")
    assert titles(built_home(client)) == ["Blinken returns to Cairo", seed.title]
    later.save_content(editor, expected_version=later.version, title="Blinken back in Cairo")
    assert titles(built_home(client)) == ["Blinken back in Cairo", seed.title]
    later.refresh_from_db()
    later.unpublish(editor, "Wrong visit.")
    withdrawn = client.get("/")
    assert withdrawn.content == before.content
    scheduled = make_article(
        title="Embargoed until noon", publish_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert titles(built_home(client)) == [seed.title]
    assert titles(kept_home(client, "/", django_assert_num_queries)) == [seed.title]
    # The clock reaching the publication time: only publish_at moves into the past.
    Article.objects.filter(pk=scheduled.pk).update(publish_at=timezone.now())
    assert titles(built_home(client)) == ["Embargoed until noon", seed.title]
    seed.unpublish(editor, "Legal review.")
    assert titles(built_home(client)) == ["Embargoed until noon"]


@pytest.mark.django_db
def test_the_home_page_follows_what_its_cards_and_filters_show(client, seed):
    """Key actors come from actors and mentions (the content generation); the place filter
    offers every place, and a new one shows at once."""
    assert "Antony J. Blinken" not in built_home(client).content.decode()
    actor = Actor.objects.get(slug="antony-blinken")
    actor.name = "Antony J. Blinken"
    actor.save()
    assert "Antony J. Blinken" in built_home(client).content.decode()
    make_place("Alexandria")
    assert ">Alexandria</option>" in built_home(client).content.decode()


@pytest.mark.django_db
def test_different_lists_never_share_an_entry(client, seed, django_assert_num_queries):
    """Pages, filters and searches are kept apart; the same parameters written in another
    order (or encoding) are the same list, and share its entry."""
    for n in range(25):
        make_article(
            title=f"Story {n:02}",
            body="Talks went on.",
            dateline=datetime.date(2023, 2, 1 + n % 20),
        )
    urls = [
        "/",
        "/?page=2",
        "/?actor=antony-blinken",
        "/?actor=antony-blinken&page=1",
        "/?q=Story",
        "/?q=Blinken",
        "/?date_from=2023-02-05",
        "/?date_from=2023-02-05&date_to=2023-02-06",
    ]
    pages = {url: built_home(client, url) for url in urls}
    assert len({p["ETag"] for p in pages.values()}) == len(urls)
    for url, page in pages.items():
        assert kept_home(client, url, django_assert_num_queries).content == page.content
    assert "Story 04" in titles(pages["/?page=2"])
    assert "Story 04" not in titles(pages["/"])
    assert titles(pages["/?q=Blinken"]) == [seed.title]
    assert "Story 24" in titles(pages["/?q=Story"])
    reordered = kept_home(
        client, "/?date_to=2023-02-06&date_from=2023-02-05", django_assert_num_queries
    )
    assert reordered.content == pages["/?date_from=2023-02-05&date_to=2023-02-06"].content
    encoded = kept_home(client, "/?q=%53tory", django_assert_num_queries)
    assert encoded.content == pages["/?q=Story"].content


@pytest.mark.django_db
def test_a_search_is_kept_and_follows_the_text_it_matches(
    client, seed, editor, django_assert_num_queries
):
    """A search's results depend only on the articles' own text: kept, and an edit that makes a
    briefing match shows on the next request."""
    assert titles(built_home(client, "/?q=Zanzibar")) == []
    kept_home(client, "/?q=Zanzibar", django_assert_num_queries)
    other = make_article(title="Talks elsewhere")
    assert titles(built_home(client, "/?q=Zanzibar")) == []
    other.save_content(editor, expected_version=other.version, body="Talks in Zanzibar.")
    assert titles(built_home(client, "/?q=Zanzibar")) == ["Talks elsewhere"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/?actor=Nobody", 400),
        ("/?date_from=yesterday", 400),
        ("/?date_from=2023-02-01&date_to=2023-01-01", 400),
        ("/?place=atlantis", 400),
        ("/?page=9", 404),
        ("/?page=0", 404),
    ],
)
def test_rejected_lists_are_answered_as_before_and_never_kept(
    client, seed, settings, url, status, django_assert_num_queries
):
    """Bad filters and pages past the end give the same error as without the cache, every
    time, and nothing is stored for them."""
    settings.BRIEFINGS_RENDER_CACHE = False
    uncached = client.get(url)
    settings.BRIEFINGS_RENDER_CACHE = True
    assert uncached.status_code == status
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == status
        assert response.content == uncached.content
        assert not response.has_header("ETag")
    assert cache.get(views.home_key(response.wsgi_request, render_cache.list_state())) is None


@pytest.mark.django_db
def test_home_revalidation_is_a_304_until_the_list_changes(
    client, seed, editor, django_assert_num_queries
):
    etag = built_home(client)["ETag"]
    cache.clear()
    with django_assert_num_queries(1):
        again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    seed.save_content(editor, expected_version=seed.version, standfirst="A new summary.")
    changed = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "A new summary." in changed.content.decode()


@pytest.mark.django_db
def test_an_empty_site_is_not_kept(client):
    """With no article at all there is no generation to key a page by: it is built each time."""
    assert built_home(client).status_code == 200
    assert built_home(client).status_code == 200
