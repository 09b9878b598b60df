"""Small template helpers for the public pages."""

import datetime

from django import template
from django.conf import settings

from briefings.dates import format_date

register = template.Library()


@register.simple_tag
def site_name() -> str:
    return settings.SITE_NAME


@register.filter
def at_precision(value: datetime.date | None, precision: str = "day") -> str:
    """A date written at its precision: "Fri 27 Jan 2023", "Feb 2023", "1979"."""
    if value is None:
        return ""
    return format_date(value, precision or "day")


@register.filter
def count_word(count: int, word: str) -> str:
    """ "1 mention", "3 mentions"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
