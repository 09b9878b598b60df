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
