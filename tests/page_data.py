"""Small factories for the public page tests: articles, actors, events, quotes, mentions."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from briefings.models import (
    Actor,
    Article,
    Event,
    EventParticipant,
    Mention,
    Place,
    Quote,
)

_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}"


def make_article(*, published: bool = True, **fields) -> Article:
    slug = fields.pop("slug", None) or unique("briefing")
    defaults = {
        "title": f"Briefing {slug}",
        "slug": slug,
        "standfirst": "A short summary.",
        "body": "Antony Blinken met Abdel Fattah al-Sissi in Cairo on Monday.",
        "source": "France 24",
        "agency": "AFP",
        "dateline": datetime.date(2023, 1, 30),
    }
    if published:
        defaults |= {
            "status": Article.Status.PUBLISHED,
            "publish_at": timezone.now() - datetime.timedelta(hours=1),
        }
    return Article.objects.create(**(defaults | fields))


def make_actor(name: str, **fields) -> Actor:
    defaults = {"slug": unique("actor"), "kind": Actor.Kind.PERSON}
    return Actor.objects.create(name=name, **(defaults | fields))


def make_place(name: str, **fields) -> Place:
    return Place.objects.create(name=name, **({"slug": unique("place")} | fields))


def make_event(title: str, **fields) -> Event:
    defaults = {
        "slug": unique("event"),
        "kind": Event.Kind.MEETING,
        "date": datetime.date(2023, 1, 30),
        "date_precision": Event.Precision.DAY,
    }
    return Event.objects.create(title=title, **(defaults | fields))


def make_quote(article: Article, text: str, speaker: Actor | None = None, **fields) -> Quote:
    return Quote.objects.create(article=article, text=text, speaker=speaker, **fields)


def mention(article: Article, words: str, target, occurrence: int = 0, **fields) -> Mention:
    """Annotate the `occurrence`-th appearance of `words` in the article body with `target`."""
    start = -1
    for _ in range(occurrence + 1):
        start = article.body.index(words, start + 1)
    kind = type(target).__name__.lower()
    return Mention.objects.create(
        article=article,
        start=start,
        end=start + len(words),
        exact=words,
        **{kind: target},
        **fields,
    )


def participate(event: Event, actor: Actor, role: str = "participant") -> EventParticipant:
    return EventParticipant.objects.create(event=event, actor=actor, role=role)


def generated_article(mentions: int, **fields) -> Article:
    """A published article with exactly `mentions` accepted mentions of every kind.

    Each sentence carries four: a speaker, a quote, a name inside the quote and a place; every
    fifth sentence an event instead of the place, so the targets repeat as in real copy.
    """
    actors = [make_actor(f"Person {i}", role=f"Role {i}") for i in range(8)]
    places = [make_place(f"Town {i}") for i in range(4)]
    events = [
        make_event(f"Event {i}", date=datetime.date(2023, 1, 1 + i), kind=Event.Kind.ATTACK)
        for i in range(6)
    ]
    sentences, spans = [], []
    offset = 0
    count = 0
    i = 0
    while count < mentions:
        speaker, named = actors[i % len(actors)], actors[(i + 3) % len(actors)]
        place_or_event = events[i % len(events)] if i % 5 == 0 else places[i % len(places)]
        where = place_or_event.title if isinstance(place_or_event, Event) else place_or_event.name
        quoted = f"we spoke with {named.name} today"
        sentence = f'{speaker.name} said "{quoted}" in {where}.'
        base = offset
        pieces = [
            (0, len(speaker.name), speaker),
            (sentence.index(quoted), sentence.index(quoted) + len(quoted), "quote"),
            (sentence.index(named.name), sentence.index(named.name) + len(named.name), named),
            (sentence.index(where), sentence.index(where) + len(where), place_or_event),
        ]
        for start, end, target in pieces[: mentions - count]:
            spans.append((base + start, base + end, target, speaker))
            count += 1
        sentences.append(sentence)
        offset += len(sentence) + 1
        if i % 10 == 9:
            sentences[-1] += "\n"
            offset += 1
        i += 1
    body = " ".join(sentences).replace("\n ", "\n\n")
    article = make_article(body=body, **fields)
    rows = []
    for start, end, target, speaker in spans:
        assert body[start:end], (start, end)
        if target == "quote":
            target = make_quote(article, body[start:end], speaker, cue="said")
        kind = type(target).__name__.lower()
        rows.append(
            Mention(article=article, start=start, end=end, exact=body[start:end], **{kind: target})
        )
    Mention.objects.bulk_create(rows)
    return article
