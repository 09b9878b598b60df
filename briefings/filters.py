"""FilterSets shared by the HTML list pages and the API: one definition of each filter.

Invalid values are errors (the page shows a message, the API answers 422), never ignored.
"""

import json

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.urls import reverse_lazy

from briefings import search
from briefings.models import Actor, Article, ArticleFacet, Event, Mention, Place, Quote


# Choices are limited to public rows so that a filter never reveals that a draft's slug exists.
def public_actors(request):
    return Actor.objects.public()


def public_articles(request):
    return Article.objects.published()


def search_articles(queryset, name, value):
    # Full-text on PostgreSQL, every word on SQLite (briefings.search); the list keeps its order.
    return search.articles(queryset, value, ranked=False) if value.strip() else queryset


# How many actors an unknown or ambiguous name offers to choose from.
MAX_CANDIDATES = 10


class PublicActorField(forms.CharField):
    """A public actor named by its slug, as links and the API do; with ``by_name``, where
    people type, also by its name or one of its aliases, whatever the case.

    The form is a text field, not a list of every actor (tens of thousands in a large corpus).
    Only actors of published briefings are matched, and only they are named in a message: an
    unknown or ambiguous name is an error whose ``params["candidates"]`` lists the actors the
    reader may have meant, for the page to offer them.
    """

    default_error_messages = {
        "invalid_choice": "No actor of a published briefing is called “%(value)s”.",
        "suggest": "No actor of a published briefing is called “%(value)s”; "
        "names containing it are below.",
        "ambiguous": "“%(value)s” is the name of several actors; choose one below.",
    }

    def __init__(self, *, by_name: bool = False, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.by_name = by_name

    def clean(self, value) -> Actor | None:
        text = " ".join(super().clean(value).split())
        if not text:
            return None
        public = Actor.objects.public().only("id", "name", "slug", "role", "aliases")
        if not self.by_name:
            found = public.filter(slug=text).first()
            if found is None:
                self.refuse("invalid_choice", text)
            return found
        # The slug first: a link's value names one actor even if another has it as a name.
        rows = list(
            public.filter(Q(slug=text) | named(text))
            .annotate(by_slug=Case(When(slug=text, then=0), default=1))
            .order_by("by_slug", "name", "pk")[: MAX_CANDIDATES + 1]
        )
        if rows and rows[0].slug == text:
            return rows[0]
        key = text.casefold()
        exact = [a for a in rows if key in {n.casefold() for n in (a.name, *a.aliases) if n}]
        if len(exact) == 1:
            return exact[0]
        if exact:
            self.refuse("ambiguous", text, exact)
        # Parts of names only from three letters on: shorter ones match too much to help.
        partial = list(search.actors(public, text)[:MAX_CANDIDATES]) if len(text) >= 3 else []
        self.refuse("suggest" if partial else "invalid_choice", text, partial)

    def refuse(self, code: str, text: str, candidates: list[Actor] | None = None):
        raise ValidationError(
            self.error_messages[code],
            code=code,
            params={"value": text, "candidates": (candidates or [])[:MAX_CANDIDATES]},
        )


def named(text: str) -> Q:
    """Actors whose name or an alias may equal the text, case aside (checked by the caller).

    Both are served by indexes on PostgreSQL: lower(name), and the trigram index on the aliases'
    JSON text, where an alias appears between double quotes (JSON-escaped; SQLite keeps
    non-ASCII letters escaped, PostgreSQL does not).
    """
    condition = Q(Exact(Lower("name"), Lower(Value(text))))
    for quoted in {json.dumps(text), json.dumps(text, ensure_ascii=False)}:
        condition |= Q(aliases__icontains=quoted)
    return condition


class PublicActorFilter(django_filters.Filter):
    field_class = PublicActorField


# The HTML form shows a date picker; the API reads the same YYYY-MM-DD values.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search_articles, max_length=200, label="Words")
    actor = PublicActorFilter(
        method="filter_actor",
        label="Actor",
        # briefings/static/briefings/suggest.js offers names from this endpoint as one types.
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-suggest": reverse_lazy("api:list_actors")}
        ),
    )
    event_kind = django_filters.ChoiceFilter(
        choices=Event.Kind.choices,
        method="filter_event_kind",
        label="Event kind",
        empty_label="Any kind",
    )
    place = django_filters.ModelChoiceFilter(
        queryset=Place.objects.all(),
        to_field_name="slug",
        method="filter_place",
        label="Place",
        empty_label="Anywhere",
    )
    date_from = django_filters.DateFilter(
        field_name="dateline", lookup_expr="gte", label="From", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        field_name="dateline", lookup_expr="lte", label="To", widget=DATE_INPUT
    )

    class Meta:
        model = Article
        fields = ["q", "actor", "event_kind", "place", "date_from", "date_to"]

    def __init__(self, *args, actor_names: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Pages let people type an actor's name; the API takes slugs, as it documents.
        self.filters["actor"].extra["by_name"] = actor_names

    # EXISTS subqueries keep one row per article and stop at the first match; each probe has an
    # index: an actor's mentions by article (migration 0005), an article's facets by place or
    # event kind (ArticleFacet, migration 0009), which also list a place's or a kind's articles.
    def filter_actor(self, queryset, name, value):
        if not value:
            return queryset
        mentions = Mention.objects.filter(
            actor=value, article=OuterRef("pk"), status=Mention.Status.ACCEPTED
        )
        return queryset.filter(Exists(mentions))

    def _filed_under(self, queryset, **facet):
        return queryset.filter(Exists(ArticleFacet.objects.filter(article=OuterRef("pk"), **facet)))

    def filter_event_kind(self, queryset, name, value):
        return self._filed_under(queryset, event_kind=value) if value else queryset

    def filter_place(self, queryset, name, value):
        # Places a briefing mentions and places of the events it mentions: one facet row each.
        return self._filed_under(queryset, place=value) if value else queryset

    def newest_ids(self, now=None) -> QuerySet | None:
        """The matches' ids newest first, read from the article facets' publication index alone
        when a place or an event kind is the only filter, else None.

        Counting a place's briefings through the articles checks each one's publication there,
        as far into the archive as the planner walks; the facets carry it (ArticleFacet), so
        the count and a page read one range of an index of that place's public articles.
        """
        given = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        if len(given) != 1 or not given.keys() <= {"place", "event_kind"}:
            return None
        return ArticleFacet.objects.filter(**given).public_articles(now)

    def is_valid(self):
        valid = super().is_valid()
        start, end = (self.form.cleaned_data.get(k) for k in ("date_from", "date_to"))
        if valid and start and end and start > end:
            # Its own code: the API answers an empty range with an empty list, not an error.
            self.form.add_error(
                "date_to",
                ValidationError("The end date is before the start date.", code="empty_range"),
            )
            return False
        return valid


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=200, label="Search")
    kind = django_filters.ChoiceFilter(choices=Actor.Kind.choices)

    class Meta:
        model = Actor
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(aliases__icontains=value))


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices)
    place = django_filters.ModelChoiceFilter(queryset=Place.objects.all(), to_field_name="slug")
    actor = django_filters.ModelChoiceFilter(
        queryset=public_actors, to_field_name="slug", field_name="participants"
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Event
        fields = ["kind", "place", "actor", "date_from", "date_to"]


class QuoteFilter(django_filters.FilterSet):
    speaker = django_filters.ModelChoiceFilter(queryset=public_actors, to_field_name="slug")
    briefing = django_filters.ModelChoiceFilter(
        queryset=public_articles, to_field_name="slug", field_name="article"
    )
    date_from = django_filters.DateFilter(field_name="said_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="said_on", lookup_expr="lte")

    class Meta:
        model = Quote
        fields = ["speaker", "briefing", "date_from", "date_to"]
