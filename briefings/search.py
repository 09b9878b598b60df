"""Search over briefings, actors and quotes: ranked full-text search on PostgreSQL, words matched
case-insensitively elsewhere (SQLite).

Each function takes and returns a queryset, so callers decide what is public and how many rows
they want. The SQLite fallback needs every word to appear (in any field); PostgreSQL's
``websearch`` syntax does the same by default and also understands "quoted phrases" and -not.
"""

from __future__ import annotations

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Coalesce

from briefings.models import Actor

# Prose is stemmed in English ("killed" finds "kill"); names are not ("Abbas" is not "Abba").
PROSE_CONFIG = "english"
NAME_CONFIG = "simple"
# Quotes ranked on their whole vector (words and speaker) are the newest this many of each lookup.
QUOTE_CANDIDATES = 200
# Briefings ranked are the first this many matches in the listing's order (the newest): a common
# word matches a large part of the archive, and ranking every match would take longer the larger
# it grows. Fewer matches are all ranked.
ARTICLE_CANDIDATES = 200


class StoredVector(Expression):
    """A tsvector column of the queried table that only PostgreSQL has (migration 0004), so the
    model does not declare it. It names the table by the alias of the query it is compiled in:
    inside a subquery that is the subquery's own table, never the outer one."""

    output_field = SearchVectorField()

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        table = compiler.quote_name_unless_alias(alias)
        return f"{table}.{connection.ops.quote_name(self.column)}", []


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


def articles(queryset: QuerySet, query: str, *, ranked: bool = True) -> QuerySet:
    """Articles matching the query; best first when ranked, else in the queryset's order.

    Ranked, only the queryset's first ARTICLE_CANDIDATES matches in its own order are ranked.
    """
    if not full_text():
        return _every_word(queryset, query, ["title", "standfirst", "body"])
    search = SearchQuery(query, search_type="websearch", config=PROSE_CONFIG)
    # The whole text's vector is stored and indexed (PostgreSQL-only column, migration 0006): the
    # index finds rare words, and a common word's newest matches are checked row by row in the
    # listing's order without computing any vector.
    matches = queryset.alias(document=StoredVector("search_document")).filter(document=search)
    if not ranked:
        return matches
    candidates = matches.values("pk")[:ARTICLE_CANDIDATES]
    # Ranked on the stored vector of headline and standfirst (migration 0004): words only in the
    # text rank equal, newest first.
    headline = StoredVector("search_headline")
    return (
        queryset.filter(pk__in=candidates)
        .annotate(rank=SearchRank(headline, search))
        .order_by("-rank", *queryset.query.order_by)
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
    # The words' vector is stored and indexed on PostgreSQL (migration 0004); the speaker's name
    # is in another table, so the whole vector cannot be indexed. Candidates come from two
    # indexed lookups: quotes whose words match, and quotes of speakers named by any of the
    # query's words (every match is one or the other). The newest of each are ranked on the
    # whole: ranking every match of a common word would take longer the more quotes there are.
    words = StoredVector("search_text")
    vector = Func(
        words,
        SearchVector(Coalesce("speaker__name", Value("")), weight="B", config=NAME_CONFIG),
        function="",
        arg_joiner=" || ",
        output_field=SearchVectorField(),
    )
    by_words = (
        queryset.alias(words=words)
        .filter(words=search)
        .order_by("-id")
        .values("pk")[:QUOTE_CANDIDATES]
    )
    candidates = by_words
    names = [w.lstrip("-") for w in _words(query) if w.lstrip("-")]
    if names:
        any_name = SearchQuery(names[0], config=NAME_CONFIG)
        for name in names[1:]:
            any_name |= SearchQuery(name, config=NAME_CONFIG)
        speakers = Actor.objects.alias(
            name_document=SearchVector("name", config=NAME_CONFIG)
        ).filter(name_document=any_name)
        by_speaker = (
            queryset.filter(speaker__in=speakers.values("pk"))
            .alias(document=vector)
            .filter(document=search)
            .order_by("-id")
            .values("pk")[:QUOTE_CANDIDATES]
        )
        candidates = by_words.union(by_speaker)
    return (
        queryset.filter(pk__in=candidates)
        .alias(document=vector)
        .filter(document=search)
        .annotate(rank=SearchRank(F("document"), search))
        .order_by("-rank", "-article__publish_at", "id")
    )
