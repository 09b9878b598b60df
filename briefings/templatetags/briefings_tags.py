"""Small template helpers for the public pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_name() -> str:
    return settings.SITE_NAME


@register.filter
def count_word(count: int, word: str) -> str:
    """A count with its noun: 1 mention, 3 mentions."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
