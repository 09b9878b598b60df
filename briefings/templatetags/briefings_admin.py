"""Admin template helpers: a date hierarchy whose periods do not cost a read of every row."""

from __future__ import annotations

import datetime

from django import template
from django.contrib.admin.templatetags import admin_list
from django.db.models import Max, Min

register = template.Library()


class PeriodsBetween:
    """A changelist's rows as the date hierarchy reads them, except that the years (or months
    of a year) it offers are every one between the first and the last date, found by MIN and
    MAX on the date's index, instead of SELECT DISTINCT over every row (every article, for the
    years). A period without rows may be offered; choosing it shows an empty list."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.bounds: dict[str, dict] = {}

    def aggregate(self, **kwargs):
        first, last = kwargs.get("first"), kwargs.get("last")
        if kwargs.keys() == {"first", "last"} and isinstance(first, Min) and isinstance(last, Max):
            (field,) = {e.source_expressions[0].name for e in (first, last)}
            return self.range(field)
        return self.queryset.aggregate(**kwargs)

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> list[datetime.date]:
        if kind not in ("year", "month"):
            return list(self.queryset.dates(field_name, kind, order))
        bounds = self.range(field_name)
        first, last = bounds["first"], bounds["last"]
        if first is None or last is None:
            return []
        found = []
        if kind == "year":
            found = [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        else:
            month = first.year * 12 + first.month - 1
            while month <= last.year * 12 + last.month - 1:
                found.append(datetime.date(month // 12, month % 12 + 1, 1))
                month += 1
        return found if order == "ASC" else found[::-1]

    def range(self, field_name: str) -> dict:
        """The first and last date, read once (the hierarchy asks for them before the periods)."""
        if field_name not in self.bounds:
            self.bounds[field_name] = self.queryset.aggregate(
                first=Min(field_name), last=Max(field_name)
            )
        return self.bounds[field_name]


class ChangeListPeriods:
    """The changelist, its queryset read through PeriodsBetween."""

    def __init__(self, changelist):
        self._changelist = changelist
        self.queryset = PeriodsBetween(changelist.queryset)

    def __getattr__(self, name):
        return getattr(self._changelist, name)


@register.inclusion_tag("admin/date_hierarchy.html")
def date_hierarchy_between(changelist):
    """Django's date hierarchy (admin_list.date_hierarchy) offering the periods between the
    list's first and last dates."""
    return admin_list.date_hierarchy(ChangeListPeriods(changelist))
