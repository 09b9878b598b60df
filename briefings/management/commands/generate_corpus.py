"""Fill the database with a synthetic corpus for benchmarks (see briefings.corpus).

``--articles N`` is the size the seed's corpus has afterwards: articles already generated with the
same seed are kept, the missing ones are added. So running 1,000 then 10,000 then 100,000 grows
one corpus, and running a command twice changes nothing.
"""

from __future__ import annotations

import argparse
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction

from briefings import corpus
from briefings.models import (
    Actor,
    Article,
    Event,
    EventParticipant,
    Mention,
    Place,
    Quote,
)

ARTICLES_PER_TRANSACTION = 500
ROWS_PER_INSERT = 2_000


def count(minimum: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a whole number, not {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {number}")
        return number

    return parse


class Progress:
    """A one-line progress bar on a terminal, a line every 10% elsewhere (logs, CI).

    Plain text rather than tqdm: one line of output does not earn a dependency.
    """

    WIDTH = 30

    def __init__(self, stream, total: int, label: str):
        self.stream, self.total, self.label = stream, total, label
        self.done = 0
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.reported = -1

    def advance(self, count: int) -> None:
        self.done += count
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        left = (self.total - self.done) / rate if rate else 0.0
        share = self.done / self.total if self.total else 1.0
        filled = round(self.WIDTH * share)
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{self.done:,}/{self.total:,} {share:4.0%} {rate:,.0f}/s "
            f"elapsed {elapsed:.0f}s left {left:.0f}s"
        )
        if self.tty:
            self.stream.write("\r" + line, ending="")
            if self.done >= self.total:
                self.stream.write("")
        elif int(share * 10) > self.reported:
            self.reported = int(share * 10)
            self.stream.write(line)
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic corpus (articles with events, quotes and about 30 "
        "accepted mentions each, 20,000 actors, places) for benchmarks. --articles is the total "
        "for the seed: existing generated articles are kept and the missing ones added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=count(0),
            required=True,
            help="How many generated articles the seed's corpus holds afterwards.",
        )
        parser.add_argument(
            "--seed",
            type=count(0),
            default=1,
            help="Same seed, same corpus; slugs start with gen-<seed>- (default 1).",
        )
        parser.add_argument(
            "--actors",
            type=count(1),
            default=20_000,
            help="How many actors the corpus draws from (default 20,000).",
        )

    def handle(self, *args, articles: int, seed: int, actors: int, **options):
        started = time.monotonic()
        prefix = corpus.prefix(seed)
        existing_actors = Actor.objects.filter(slug__startswith=prefix).count()
        existing = Article.objects.filter(slug__startswith=prefix).count()
        if existing and existing_actors != actors:
            raise CommandError(
                f"The corpus of seed {seed} was generated with --actors {existing_actors}; "
                f"pass --actors {existing_actors} to grow it, or use another --seed."
            )
        if existing >= articles:
            self.stdout.write(
                f"Seed {seed} already has {existing:,} generated articles; nothing to do."
            )
            return
        self.place_ids = self.ensure_places(seed)
        self.actor_ids = self.ensure_actors(seed, actors)
        self.event_ids: dict[str, int] = {}
        self.seed, self.actors = seed, actors
        totals = {"mentions": 0, "quotes": 0, "events": 0}
        progress = Progress(self.stderr, articles - existing, "articles")
        for start in range(existing, articles, ARTICLES_PER_TRANSACTION):
            end = min(start + ARTICLES_PER_TRANSACTION, articles)
            specs = [corpus.article(seed, i, actors) for i in range(start, end)]
            with transaction.atomic():
                counts = self.write(specs)
            # With DEBUG on, Django keeps every statement (megabytes per batch here).
            reset_queries()
            for key, value in counts.items():
                totals[key] += value
            progress.advance(len(specs))
        elapsed = time.monotonic() - started
        made = articles - existing
        self.stdout.write(
            f"Generated {made:,} articles ({articles:,} in seed {seed}'s corpus) with "
            f"{totals['mentions']:,} mentions, {totals['quotes']:,} quotes and "
            f"{totals['events']:,} events in {elapsed:.1f} s ({made / elapsed:,.0f} articles/s)."
        )

    def ensure_places(self, seed: int) -> list[int]:
        specs = corpus.places(seed)
        known = dict(
            Place.objects.filter(slug__startswith=corpus.prefix(seed)).values_list("slug", "id")
        )
        missing = [
            Place(
                name=p.name,
                slug=p.slug,
                country=p.country,
                latitude=p.latitude,
                longitude=p.longitude,
            )
            for p in specs
            if p.slug not in known
        ]
        with transaction.atomic():
            for place in Place.objects.bulk_create(missing):
                known[place.slug] = place.pk
        return [known[p.slug] for p in specs]

    def ensure_actors(self, seed: int, count: int) -> list[int]:
        known = dict(
            Actor.objects.filter(slug__startswith=corpus.prefix(seed)).values_list("slug", "id")
        )
        specs = [corpus.actor(seed, i) for i in range(count)]
        missing = [s for s in specs if s.slug not in known]
        if missing:
            progress = Progress(self.stderr, len(missing), "actors  ")
            for start in range(0, len(missing), ROWS_PER_INSERT):
                chunk = missing[start : start + ROWS_PER_INSERT]
                with transaction.atomic():
                    created = Actor.objects.bulk_create(
                        Actor(
                            name=s.name,
                            slug=s.slug,
                            kind=s.kind,
                            role=s.role,
                            description=s.description,
                            aliases=list(s.aliases),
                            wikidata_id=s.wikidata_id,
                        )
                        for s in chunk
                    )
                for actor in created:
                    known[actor.slug] = actor.pk
                progress.advance(len(chunk))
        return [known[s.slug] for s in specs]

    def event_id(self, article_index: int, number: int) -> int:
        return self.event_ids[corpus.event_slug(self.seed, article_index, number)]

    def write(self, specs: list[corpus.ArticleSpec]) -> dict[str, int]:
        """Insert a batch of articles with everything they bring; returns row counts."""
        seed = self.seed
        events = [e for spec in specs for e in spec.events]
        created = Event.objects.bulk_create(
            (
                Event(
                    title=e.title,
                    slug=e.slug,
                    kind=e.kind,
                    date=e.date,
                    date_precision=e.precision,
                    date_text=e.date_text,
                    place_id=self.place_ids[e.place] if e.place is not None else None,
                    fatalities=e.fatalities,
                    injured=e.injured,
                    description=e.description,
                )
                for e in events
            ),
            batch_size=ROWS_PER_INSERT,
        )
        for event in created:
            self.event_ids[event.slug] = event.pk
        EventParticipant.objects.bulk_create(
            (
                EventParticipant(event_id=event.pk, actor_id=self.actor_ids[actor], role=role)
                for spec, event in zip(events, created, strict=True)
                for actor, role in spec.participants
            ),
            batch_size=ROWS_PER_INSERT,
        )
        # Events reported by articles of earlier runs (follow-ups refer back up to 30 articles).
        wanted = {
            corpus.event_slug(seed, *m.target)
            for spec in specs
            for m in spec.mentions
            if m.kind == "event"
        } | {corpus.event_slug(seed, *q.event) for spec in specs for q in spec.quotes if q.event}
        missing = wanted - self.event_ids.keys()
        if missing:
            self.event_ids.update(Event.objects.filter(slug__in=missing).values_list("slug", "id"))
        articles = Article.objects.bulk_create(
            (
                Article(
                    title=s.title,
                    slug=s.slug,
                    standfirst=s.standfirst,
                    body=s.body,
                    source=s.source,
                    source_url=s.source_url,
                    agency=s.agency,
                    language=s.language,
                    translated_from=s.translated_from,
                    dateline=s.dateline,
                    status=s.status,
                    publish_at=s.publish_at,
                    published_at=s.published_at,
                    unpublished_reason=s.unpublished_reason,
                )
                for s in specs
            ),
            batch_size=ROWS_PER_INSERT,
        )
        quote_rows = [
            (article.pk, q)
            for spec, article in zip(specs, articles, strict=True)
            for q in spec.quotes
        ]
        quotes = Quote.objects.bulk_create(
            (
                Quote(
                    uid=q.uid,
                    article_id=article_id,
                    text=q.text,
                    speaker_id=self.actor_ids[q.speaker] if q.speaker is not None else None,
                    cue=q.cue,
                    addressee_id=self.actor_ids[q.addressee] if q.addressee is not None else None,
                    kind=q.kind,
                    said_on=q.said_on,
                    event_id=self.event_id(*q.event) if q.event else None,
                )
                for article_id, q in quote_rows
            ),
            batch_size=ROWS_PER_INSERT,
        )
        quote_ids = {
            (article_id, q.number): quote.pk
            for (article_id, q), quote in zip(quote_rows, quotes, strict=True)
        }
        mentions = 0

        def rows():
            nonlocal mentions
            for spec, article in zip(specs, articles, strict=True):
                for m in spec.mentions:
                    target = {}
                    if m.kind == "actor":
                        target["actor_id"] = self.actor_ids[m.target]
                    elif m.kind == "place":
                        target["place_id"] = self.place_ids[m.target]
                    elif m.kind == "event":
                        target["event_id"] = self.event_id(*m.target)
                    else:
                        target["quote_id"] = quote_ids[(article.pk, m.target)]
                    mentions += 1
                    yield Mention(
                        uid=m.uid,
                        article_id=article.pk,
                        start=m.start,
                        end=m.end,
                        exact=m.exact,
                        prefix=m.prefix,
                        suffix=m.suffix,
                        status=Mention.Status.ACCEPTED,
                        anchor_state=Mention.Anchor.ANCHORED,
                        **target,
                    )

        Mention.objects.bulk_create(rows(), batch_size=ROWS_PER_INSERT)
        return {"mentions": mentions, "quotes": len(quotes), "events": len(created)}
