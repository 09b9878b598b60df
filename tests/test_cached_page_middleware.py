"""Kept pages answered before the session, CSRF, auth and message layers (CachedPageMiddleware):
exactly the response the view gives, and only where nothing differs between readers."""

import pytest

from briefings.models import Article

SEED_URL = "/briefings/blinken-cairo-israeli-palestinian-violence/"
ACTOR_URL = "/actors/antony-blinken/"


def down_the_stack(response) -> bool:
    """Whether the session layer (and so the view) saw the request."""
    return hasattr(response.wsgi_request, "session")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SEED_URL, ACTOR_URL])
def test_a_kept_page_is_answered_early_exactly_as_the_view_answers_it(
    client, seed, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200 and down_the_stack(first)
    with django_assert_num_queries(1):
        early = client.get(url)
    assert not down_the_stack(early)
    # A query string the page ignores sends the request through every layer to the view.
    full = client.get(url + "?from=feed")
    assert down_the_stack(full)
    assert early.status_code == full.status_code == 200
    assert early.content == full.content == first.content
    assert dict(early.headers) == dict(full.headers)
    assert early["X-Frame-Options"] == "DENY"
    assert early["Cache-Control"] == "public, max-age=60"
    assert "Content-Security-Policy" in early


@pytest.mark.django_db
def test_revalidation_is_answered_early_with_the_same_304(client, seed):
    etag = client.get(SEED_URL)["ETag"]
    early = client.get(SEED_URL, HTTP_IF_NONE_MATCH=etag)
    full = client.get(SEED_URL + "?from=feed", HTTP_IF_NONE_MATCH=etag)
    assert early.status_code == full.status_code == 304
    assert not down_the_stack(early) and down_the_stack(full)
    assert dict(early.headers) == dict(full.headers)


@pytest.mark.django_db
def test_editors_and_unkept_pages_go_down_the_stack(client, seed, editor):
    """A session cookie (its expiry is renewed on each request) and a page not yet kept are
    the view's; an unpublished briefing is the view's 404 even when a copy is kept."""
    client.get(SEED_URL)
    client.force_login(editor)
    with_session = client.get(SEED_URL)
    assert down_the_stack(with_session)
    assert with_session["Cache-Control"] == "private, max-age=60"
    client.logout()
    client.cookies.clear()
    seed.unpublish(editor, "Held for a correction.")
    gone = client.get(SEED_URL)
    assert gone.status_code == 404 and down_the_stack(gone)
    assert not Article.objects.published().filter(pk=seed.pk).exists()


@pytest.mark.django_db
def test_https_redirect_still_comes_first(client, seed, settings):
    client.get(SEED_URL)
    settings.SECURE_SSL_REDIRECT = True
    from django.test import Client

    response = Client().get(SEED_URL)
    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + SEED_URL


@pytest.mark.django_db
def test_paths_that_only_look_like_pages_are_not_matched(client, seed):
    for path in ("/briefings/", "/briefings//", "/briefings/a/b/", "/actors/%2e%2e/"):
        response = client.get(path)
        assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/?actor=antony-blinken", "/?q=Cairo&page=1"])
def test_a_kept_list_is_answered_early_exactly_as_the_view_answered_it(
    client, seed, url, django_assert_num_queries
):
    """The home page's lists, query string included, are answered early once kept."""
    first = client.get(url)
    assert first.status_code == 200 and down_the_stack(first)
    with django_assert_num_queries(1):
        early = client.get(url)
    assert not down_the_stack(early)
    assert early.content == first.content
    assert dict(early.headers) == dict(first.headers)
    assert early["X-Frame-Options"] == "DENY"
    assert early["Cache-Control"] == "public, max-age=60"
    head = client.head(url)
    assert head.status_code == 200 and not down_the_stack(head)
    assert head["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_lists_not_kept_go_down_the_stack(client, seed, editor):
    """Rejected filters are the view's every time; so is everything for a session."""
    for _ in range(2):
        rejected = client.get("/?actor=Nobody")
        assert rejected.status_code == 400 and down_the_stack(rejected)
    client.get("/")
    client.force_login(editor)
    with_session = client.get("/")
    assert with_session.status_code == 200 and down_the_stack(with_session)
    assert with_session["Cache-Control"] == "private, max-age=60"
