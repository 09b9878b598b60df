"""Search over briefings, actors and quotes: ranked full-text search on PostgreSQL, words matched
case-insensitively elsewhere (SQLite).

Each function takes and returns a queryset, so callers decide what is public and how many rows
they want. The SQLite fallback needs every word to appear (in any field); PostgreSQL's
``websearch`` syntax does the same by default and also understands "quoted phrases" and -not.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

# Prose is stemmed in English ("killed" finds "kill"); names are not ("Abbas" is not "Abba").
PROSE_CONFIG = "english"
NAME_CONFIG = "simple"


def full_text() -> bool:
    return connection.vendor == "postgresql"


def _words(query: str) -> list[str]:
    return [word.strip("\"'") for word in query.split() if word.strip("\"'-")]


def _every_word(queryset: QuerySet, query: str, fields: list[str]) -> QuerySet:
    for word in _words(query):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def article_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=PROSE_CONFIG)
        + SearchVector("standfirst", weight="B", config=PROSE_CONFIG)
        + SearchVector("body", weight="C", config=PROSE_CONFIG)
    )


def articles(queryset: QuerySet, query: str, *, ranked: bool = True) -> QuerySet:
    """Articles matching the query; best first when ranked, else in the queryset's order."""
    if not full_text():
        return _every_word(queryset, query, ["title", "standfirst", "body"])
    search = SearchQuery(query, search_type="websearch", config=PROSE_CONFIG)
    queryset = queryset.alias(document=article_vector()).filter(document=search)
    if not ranked:
        return queryset
    return queryset.annotate(rank=SearchRank(F("document"), search)).order_by(
        "-rank", *queryset.query.order_by
    )


def actors(queryset: QuerySet, query: str) -> QuerySet:
    """Actors whose name or an alias matches, whole words ranked first on PostgreSQL.

    Names are short and often typed in part ("Netan"), so a plain substring match is kept
    alongside the full-text match.
    """
    substring = Q(name__icontains=query) | Q(aliases__icontains=query)
    if not full_text():
        return queryset.filter(substring)
    search = SearchQuery(query, search_type="websearch", config=NAME_CONFIG)
    vector = SearchVector("name", weight="A", config=NAME_CONFIG) + SearchVector(
        Cast("aliases", TextField()), weight="B", config=NAME_CONFIG
    )
    return (
        queryset.alias(document=vector)
        .filter(Q(document=search) | substring)
        .annotate(rank=SearchRank(F("document"), search))
        .order_by("-rank", "name")
    )


def quotes(queryset: QuerySet, query: str) -> QuerySet:
    """Quotes whose words or speaker's name match, best first on PostgreSQL."""
    if not full_text():
        return _every_word(queryset, query, ["text", "speaker__name"])
    search = SearchQuery(query, search_type="websearch", config=PROSE_CONFIG)
    vector = SearchVector("text", weight="A", config=PROSE_CONFIG) + SearchVector(
        Coalesce("speaker__name", Value("")), weight="B", config=NAME_CONFIG
    )
    return (
        queryset.alias(document=vector)
        .filter(document=search)
        .annotate(rank=SearchRank(F("document"), search))
        .order_by("-rank", "-article__publish_at", "id")
    )
