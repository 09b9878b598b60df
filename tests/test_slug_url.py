import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from briefings.models import slug_url


@pytest.mark.parametrize("view", ["briefings:briefing", "briefings:actor", "briefings:event"])
@pytest.mark.parametrize("prefix", ["/", "/news/"])
def test_slug_url_is_reverse(view, prefix):
    set_script_prefix(prefix)
    try:
        for slug in ("antony-blinken", "a", "gaza_2023-01-27"):
            assert slug_url(view, slug) == reverse(view, args=[slug])
        assert slug_url(view, "x").startswith(prefix)
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("slug", ["", "two words", "../admin", "a/b"])
def test_slug_url_refuses_what_reverse_refuses(slug):
    with pytest.raises(NoReverseMatch):
        slug_url("briefings:actor", slug)


def test_slug_url_follows_the_url_configuration(settings):
    first = slug_url("briefings:actor", "antony-blinken")
    settings.ROOT_URLCONF = "tests.urls_mounted"
    assert slug_url("briefings:actor", "antony-blinken") == "/mounted" + first


def test_the_page_frame_links_follow_the_prefix_the_urls_and_the_static_settings(settings):
    from django.template.loader import render_to_string

    frame = render_to_string("base.html")
    assert 'action="/search/"' in frame and 'href="/static/briefings/site.css"' in frame
    set_script_prefix("/news/")
    try:
        assert 'action="/news/search/"' in render_to_string("base.html")
    finally:
        set_script_prefix("/")
    settings.ROOT_URLCONF = "tests.urls_mounted"
    settings.STATIC_URL = "/assets/"
    frame = render_to_string("base.html")
    assert f'action="{reverse("briefings:search")}"' in frame
    assert reverse("briefings:search") != "/search/"
    assert 'href="/assets/briefings/site.css"' in frame
