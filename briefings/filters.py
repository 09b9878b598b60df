"""FilterSets shared by the HTML list pages and the API: one definition of each filter.

Invalid values are errors (the page shows a message, the API answers 422), never ignored.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from briefings import search
from briefings.models import Actor, Article, Event, Mention, Place, Quote


# Choices are limited to public rows so that a filter never reveals that a draft's slug exists.
def public_actors(request):
    return Actor.objects.public()


def public_articles(request):
    return Article.objects.published()


def search_articles(queryset, name, value):
    # Full-text on PostgreSQL, every word on SQLite (briefings.search); the list keeps its order.
    return search.articles(queryset, value, ranked=False) if value.strip() else queryset


# The HTML form shows a date picker; the API reads the same YYYY-MM-DD values.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search_articles, max_length=200, label="Words")
    actor = django_filters.ModelChoiceFilter(
        queryset=public_actors,
        to_field_name="slug",
        method="filter_actor",
        label="Actor",
        empty_label="Anyone",
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

    # EXISTS subqueries keep one row per article and use the mention index.
    def _with_mention(self, queryset, condition: Q):
        mentions = Mention.objects.filter(
            condition, article=OuterRef("pk"), status=Mention.Status.ACCEPTED
        )
        return queryset.filter(Exists(mentions))

    def filter_actor(self, queryset, name, value):
        return self._with_mention(queryset, Q(actor=value)) if value else queryset

    def filter_event_kind(self, queryset, name, value):
        return self._with_mention(queryset, Q(event__kind=value)) if value else queryset

    def filter_place(self, queryset, name, value):
        if not value:
            return queryset
        return self._with_mention(queryset, Q(place=value) | Q(event__place=value))

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
