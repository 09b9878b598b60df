"""Small template helpers for the public pages."""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


# Every page's frame links the same few routes and static files. Each {% url %} and {% static %}
# works its answer out again (matching URL patterns, reading the static files' manifest), a
# tenth of what building a briefing page costs; these work it out once per process.


@register.simple_tag
def route(name: str) -> str:
    """The path of a URL pattern without arguments, as {% url name %} gives it."""
    return _route(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=64)
def _route(name: str, script_prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def asset(path: str) -> str:
    """The URL of a static file, as {% static path %} gives it."""
    return _asset(path)


@functools.lru_cache(maxsize=256)
def _asset(path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _forget(setting: str, **kwargs) -> None:
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STATIC_ROOT", "STORAGES", "FORCE_SCRIPT_NAME"}:
        _route.cache_clear()
        _asset.cache_clear()


@register.simple_tag
def site_name() -> str:
    return settings.SITE_NAME


@register.filter
def count_word(count: int, word: str) -> str:
    """A count with its noun: 1 mention, 3 mentions."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
