"""The synthetic corpus (briefings.corpus) and ``manage.py generate_corpus``."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from briefings import anchoring, corpus
from briefings.models import Actor, Article, Event, EventParticipant, Mention, Place, Quote
from tests.test_facets import assert_in_step as assert_facets_in_step

ACTORS = 300


def generate(articles: int, seed: int = 7, actors: int = ACTORS) -> str:
    out = io.StringIO()
    call_command(
        "generate_corpus",
        articles=articles,
        seed=seed,
        actors=actors,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def stored(seed: int = 7) -> list[dict]:
    """Every generated article of the seed as plain data, in generation order."""
    rows = []
    articles = Article.objects.filter(slug__startswith=corpus.prefix(seed)).order_by("id")
    for article in articles:
        rows.append(
            {
                "slug": article.slug,
                "title": article.title,
                "body": article.body,
                "status": article.status,
                "publish_at": article.publish_at,
                "mentions": [
                    (str(m.uid), m.start, m.end, m.exact, m.kind, getattr(m.target, "slug", None))
                    for m in article.mentions.order_by("start", "id")
                ],
                "quotes": sorted(
                    (str(q.uid), q.text, q.speaker.slug if q.speaker else None)
                    for q in article.quotes.select_related("speaker")
                ),
            }
        )
    return rows


def test_an_article_is_a_function_of_seed_and_index():
    """The same seed and index give the same article; another seed gives another one."""
    first = corpus.article(5, 12, 1000)
    again = corpus.article(5, 12, 1000)
    other = corpus.article(6, 12, 1000)
    assert first == again
    assert first.body != other.body
    assert first.slug.startswith("gen-5-12-")


def test_articles_have_realistic_shape():
    """400–1,500 words, paragraphs, some subheadings, about 30 mentions, dated events, quotes."""
    specs = [corpus.article(3, i, 20_000) for i in range(150)]
    words = [len(s.body.split()) for s in specs]
    assert min(words) >= 400
    assert max(words) <= 1500
    mentions = [len(s.mentions) for s in specs]
    assert 25 <= sum(mentions) / len(mentions) <= 35
    assert all("\n\n" in s.body for s in specs)
    assert sum("\n\n## " in s.body for s in specs) > len(specs) // 2
    assert all(s.quotes for s in specs)
    events = [e for s in specs for e in s.events]
    assert {e.precision for e in events} == {"day", "month", "year", ""}
    assert any(e.fatalities is None for e in events if e.kind == "airstrike")
    assert any(e.fatalities for e in events)
    assert all(e.participants for e in events)


def test_statuses_are_mostly_published_over_several_years():
    """Most articles are published, dated over years; some are drafts, scheduled, withdrawn."""
    specs = [corpus.article(3, i, 20_000) for i in range(600)]
    statuses = [s.status for s in specs]
    assert statuses.count("published") > 0.85 * len(specs)
    assert {"draft", "review", "unpublished"} <= set(statuses)
    scheduled = [s for s in specs if s.status == "published" and s.publish_at > timezone.now()]
    assert scheduled
    years = {s.dateline.year for s in specs}
    assert len(years) >= 8


@pytest.mark.django_db
def test_generated_rows_match_the_specification_and_are_valid():
    """Every stored mention sits on its exact words with the anchoring module's context, has one
    target, and every row passes the model's own validation."""
    generate(8)
    articles = list(Article.objects.filter(slug__startswith="gen-7-"))
    assert len(articles) == 8
    for article in articles:
        mentions = list(article.mentions.all())
        assert len(mentions) >= 5
        for m in mentions:
            selector = anchoring.capture(article.body, m.start, m.end)
            assert (m.exact, m.prefix, m.suffix) == (
                selector.exact,
                selector.prefix,
                selector.suffix,
            )
            assert m.status == Mention.Status.ACCEPTED
            assert m.anchor_state == Mention.Anchor.ANCHORED
            m.full_clean()
        article.full_clean()
    for model in (Event, Quote, Actor, Place):
        objects = list(model.objects.all()[:200])
        assert objects, model
        for obj in objects:
            obj.full_clean()
    assert EventParticipant.objects.exists()
    actor_mentions = Mention.objects.filter(actor__isnull=False).select_related("actor")
    for m in actor_mentions:
        assert m.exact in m.actor.all_names


@pytest.mark.django_db
def test_quote_mentions_cover_the_quoted_words():
    """A quote mention's exact text is the quote's text, attributed to a generated actor."""
    generate(5)
    quote_mentions = Mention.objects.filter(quote__isnull=False).select_related("quote")
    assert quote_mentions.exists()
    for m in quote_mentions:
        assert m.exact == m.quote.text
        assert m.quote.article_id == m.article_id


@pytest.mark.django_db
def test_growing_the_corpus_gives_the_same_articles_as_generating_it_at_once():
    """4 then 9 articles is the same corpus as 9 at once (contents and uids), and running the
    command again with the same size adds nothing."""
    generate(4)
    generate(9)
    grown = stored()
    assert len(grown) == 9
    out = generate(9)
    assert "nothing to do" in out
    assert Article.objects.count() == 9
    Mention.objects.all().delete()
    Quote.objects.all().delete()
    EventParticipant.objects.all().delete()
    Event.objects.all().delete()
    Article.objects.all().delete()
    generate(9)
    assert stored() == grown


@pytest.mark.django_db
def test_follow_up_articles_refer_to_events_of_earlier_runs():
    """An event reported by one article is mentioned by later ones, across runs of the command."""
    generate(20)
    generate(40)
    # Bulk-inserted mentions file their articles under places and event kinds as edits do.
    assert_facets_in_step()
    shared = [
        m
        for m in Mention.objects.filter(event__isnull=False).select_related("event", "article")
        if not m.event.slug.startswith(f"gen-7-e{m.article.slug.split('-')[2]}-")
    ]
    assert shared


@pytest.mark.django_db
def test_corpus_does_not_touch_existing_rows(seed):
    """Generated slugs are prefixed: the seed briefing and its actors stay as they were."""
    before = (seed.version, seed.body, seed.mentions.count())
    actors = set(Actor.objects.values_list("slug", flat=True))
    generate(3)
    seed.refresh_from_db()
    assert (seed.version, seed.body, seed.mentions.count()) == before
    assert Article.objects.published().filter(slug=seed.slug).exists()
    new = set(Actor.objects.values_list("slug", flat=True)) - actors
    assert len(new) == ACTORS
    assert all(slug.startswith("gen-7-") for slug in new)


@pytest.mark.django_db
def test_only_published_and_due_articles_are_public():
    """Scheduled, draft, in-review and withdrawn generated articles stay out of published()."""
    generate(60)
    public = set(Article.objects.published().values_list("slug", flat=True))
    for article in Article.objects.all():
        visible = article.status == "published" and article.publish_at <= timezone.now()
        assert (article.slug in public) == visible
    assert len(public) < Article.objects.count()


@pytest.mark.django_db
def test_a_different_actor_count_cannot_grow_a_corpus():
    """Growing a seed's corpus with another --actors would change it: refused with the fix."""
    generate(2, actors=ACTORS)
    with pytest.raises(CommandError, match=f"--actors {ACTORS}"):
        generate(3, actors=ACTORS + 1)


@pytest.mark.parametrize("value", ["x", "-1", "2.5"])
def test_bad_sizes_are_refused(value):
    """--articles must be a whole number of at least 0: the error says which option and why."""
    with pytest.raises(CommandError, match="--articles"):
        call_command("generate_corpus", "--articles", value)
