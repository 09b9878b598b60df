"""The annotated seed briefing (fixtures/seed_briefing.json) and its builder."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from briefings import anchoring
from briefings.models import Actor, Article, Event, EventParticipant, Mention, Place, Quote

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "seed_briefing.json"
BUILDER = ROOT / "fixtures" / "build_seed_briefing.py"
LOADED_MODELS = (Place, Actor, Article, Event, EventParticipant, Quote, Mention)


def mentions_of(seed, **target):
    return Mention.objects.filter(article=seed, status=Mention.Status.ACCEPTED, **target)


def quote_by_text(seed, text: str) -> Quote:
    return Quote.objects.get(article=seed, text=text)


@pytest.mark.django_db
def test_every_mention_is_anchored_on_the_body(seed):
    """Each mention's exact text, prefix and suffix are the body's text at its offsets."""
    body = seed.body
    mentions = list(seed.mentions.all())
    assert mentions
    for m in mentions:
        assert body[m.start : m.end] == m.exact, m
        assert body[max(0, m.start - len(m.prefix)) : m.start] == m.prefix, m
        assert body[m.end : m.end + len(m.suffix)] == m.suffix, m
        selector = anchoring.capture(body, m.start, m.end)
        assert (m.exact, m.prefix, m.suffix) == (selector.exact, selector.prefix, selector.suffix)
        assert m.status == Mention.Status.ACCEPTED
        assert m.anchor_state == Mention.Anchor.ANCHORED


@pytest.mark.django_db
def test_every_mention_has_exactly_one_target(seed):
    """A mention points to one actor, event, quote or place, never to none or two."""
    for m in seed.mentions.all():
        targets = [name for name in Mention.TARGETS if getattr(m, f"{name}_id") is not None]
        assert len(targets) == 1, m


@pytest.mark.django_db
def test_mentions_of_the_same_kind_do_not_overlap(seed):
    """Spans of one kind are disjoint; an actor inside a quote or an event is fine."""
    by_kind: dict[str, list[Mention]] = {}
    for m in seed.mentions.order_by("start"):
        by_kind.setdefault(m.kind, []).append(m)
    for kind, mentions in by_kind.items():
        for before, after in zip(mentions, mentions[1:], strict=False):
            assert before.end <= after.start, (kind, before, after)


@pytest.mark.django_db
def test_every_quote_has_a_speaker_a_cue_and_its_words_in_quotation_marks(seed):
    """Quotes are attributed, cued and anchored on the words between the quotation marks."""
    quotes = list(seed.quotes.all())
    assert len(quotes) == 8
    for quote in quotes:
        assert quote.speaker_id is not None, quote
        assert quote.cue, quote
        mentions = list(quote.mentions.all())
        assert len(mentions) == 1, quote
        m = mentions[0]
        assert m.exact == quote.text
        assert seed.body[m.start - 1] == '"'
        assert seed.body[m.end : m.end + 2] in {'"', '",', '".', ',"'} or seed.body[m.end] == '"'


@pytest.mark.django_db
def test_every_event_has_a_date_with_a_precision(seed):
    """Timeline entries all have a date; month and year dates sit on the first day."""
    events = list(Event.objects.all())
    assert len(events) >= 17
    for event in events:
        assert event.date is not None, event
        assert event.date_precision in Event.Precision.values, event
        assert event.date_text, event
        if event.date_precision in {"month", "year"}:
            assert event.date.day == 1, event
        if event.date_precision == "year":
            assert event.date.month == 1, event
        assert event.mentions.filter(article=seed).exists(), f"{event} is never mentioned"


@pytest.mark.django_db
def test_loading_twice_updates_rather_than_duplicates(seed):
    """Natural keys and stable uids make a second loaddata a no-op on row counts."""
    before = {model: model.objects.count() for model in LOADED_MODELS}
    call_command("loaddata", str(FIXTURE), verbosity=0)
    after = {model: model.objects.count() for model in LOADED_MODELS}
    assert after == before
    assert all(before.values())


@pytest.mark.django_db
def test_article_is_published_and_visible(seed):
    """The briefing is published, due, and in the one public queryset."""
    assert seed.status == Article.Status.PUBLISHED
    assert seed.publish_at == datetime.datetime(2023, 1, 30, 12, tzinfo=datetime.UTC)
    assert seed.dateline == datetime.date(2023, 1, 30)
    assert seed.source == "France 24"
    assert seed.translated_from == "fr"
    assert seed.agency == "AFP"
    assert 1 <= seed.standfirst.count(". ") + 1 <= 2
    assert list(Article.objects.published()) == [seed]
    assert "With AFP" not in seed.body and "France 24 app" not in seed.body


@pytest.mark.django_db
def test_he_said_quote_is_blinkens_to_al_arabiya(seed):
    """The pronoun in '…have to say," he said' resolves to Antony Blinken."""
    quote = quote_by_text(
        seed,
        "I want to be able to hear what people who are affected on a daily basis "
        "[by the conflict] have to say",
    )
    assert quote.speaker.slug == "antony-blinken"
    assert quote.addressee.slug == "al-arabiya"
    assert quote.kind == Quote.Kind.DIRECT
    assert quote.cue == "said"
    assert "insertion" in quote.mentions.get().note


@pytest.mark.django_db
def test_institutional_and_fragment_quotes(seed):
    """Fragments are partial quotes of the State Department, Ned Price and Washington."""
    appalling = quote_by_text(seed, "appalling")
    assert appalling.speaker.slug == "united-states"
    assert appalling.event.slug == "east-jerusalem-attack-2023-01-27"
    assert appalling.kind == Quote.Kind.PARTIAL
    steps = quote_by_text(seed, "take urgent steps for de-escalation")
    assert (steps.speaker.slug, steps.cue) == ("us-state-department", "according to")
    price = quote_by_text(
        seed, "discussed ongoing efforts to de-escalate tensions between Israelis and Palestinians"
    )
    assert (price.speaker.slug, price.cue) == ("ned-price", "said")
    regional = quote_by_text(seed, "promoting stability regional")
    assert regional.speaker.slug == "ned-price"
    assert "regional stability" in regional.mentions.get().note


@pytest.mark.django_db
def test_restraint_is_a_scare_quote_not_a_quote(seed):
    """'the world calls in vain for "restraint"' reports no one's words."""
    assert not Quote.objects.filter(text__icontains="restraint").exists()
    assert not mentions_of(seed, quote__isnull=False, exact__icontains="restraint").exists()


@pytest.mark.django_db
def test_friday_attack_in_east_jerusalem(seed):
    """'six Israelis and a Ukrainian … on Friday' is seven dead on 2023-01-27."""
    attack = Event.objects.get(slug="east-jerusalem-attack-2023-01-27")
    assert attack.kind == Event.Kind.ATTACK
    assert (attack.date, attack.date_precision) == (datetime.date(2023, 1, 27), "day")
    assert attack.fatalities == 7
    assert attack.injured is None
    assert attack.place.slug == "east-jerusalem"


@pytest.mark.django_db
def test_jenin_raid_the_day_before(seed):
    """'a day after Israel's deadliest raid' puts the Jenin raid on 2023-01-26, ten killed."""
    raid = Event.objects.get(slug="jenin-raid-2023-01-26")
    assert raid.kind == Event.Kind.MILITARY_RAID
    assert (raid.date, raid.date_precision) == (datetime.date(2023, 1, 26), "day")
    assert raid.fatalities == 10
    assert raid.place.slug == "jenin"
    assert raid.participations.filter(
        actor__slug="israeli-security-forces", role="perpetrator"
    ).exists()


@pytest.mark.django_db
def test_saturday_attack_gives_no_death_toll(seed):
    """Two injured on Saturday 2023-01-28; fatalities unknown, not zero."""
    event = Event.objects.get(slug="east-jerusalem-attack-2023-01-28")
    assert event.date == datetime.date(2023, 1, 28)
    assert event.fatalities is None
    assert event.injured == 2


@pytest.mark.django_db
def test_relative_and_imprecise_dates(seed):
    """Weekdays, 'since 1967', 'in 1979', 'in February' and 'fifteen years' resolve correctly."""
    expected = {
        "west-bank-killing-2023-01-29": (datetime.date(2023, 1, 29), "day"),
        "hebron-killing-2023-01-30": (datetime.date(2023, 1, 30), "day"),
        "blinken-al-sisi-meeting-cairo-2023-01-30": (datetime.date(2023, 1, 30), "day"),
        "israeli-occupation-of-the-west-bank": (datetime.date(1967, 1, 1), "year"),
        "egypt-israel-peace-treaty": (datetime.date(1979, 1, 1), "year"),
        "gaza-blockade": (datetime.date(2007, 1, 1), "year"),
        "netanyahu-white-house-visit-2023-02": (datetime.date(2023, 2, 1), "month"),
        "sealing-east-jerusalem-attacker-family-house": (datetime.date(2023, 1, 1), "month"),
    }
    for slug, (date, precision) in expected.items():
        event = Event.objects.get(slug=slug)
        assert (event.date, event.date_precision) == (date, precision), slug
    treaty = Event.objects.get(slug="egypt-israel-peace-treaty")
    assert set(treaty.participations.values_list("actor__slug", "role")) == {
        ("egypt", "signatory"),
        ("israel", "signatory"),
    }


@pytest.mark.django_db
def test_blinken_al_sisi_meeting_roles(seed):
    """Blinken is the visitor and al-Sisi the host of the Cairo meeting."""
    meeting = Event.objects.get(slug="blinken-al-sisi-meeting-cairo-2023-01-30")
    assert set(meeting.participations.values_list("actor__slug", "role")) == {
        ("antony-blinken", "visitor"),
        ("abdel-fattah-al-sisi", "host"),
    }
    assert meeting.place.slug == "cairo"


@pytest.mark.django_db
def test_every_person_named_in_the_body_is_linked(seed):
    """Blinken, al-Sissi, Price, Netanyahu, Abbas and Choukri each have accepted mentions."""
    for slug, spelling in [
        ("antony-blinken", "Antony Blinken"),
        ("abdel-fattah-al-sisi", "Abdel Fattah al-Sissi"),
        ("ned-price", "Ned Price"),
        ("benjamin-netanyahu", "Benjamin Netanyahu"),
        ("mahmoud-abbas", "Mahmoud Abbas"),
        ("sameh-shoukry", "Sameh Choukri"),
    ]:
        linked = mentions_of(seed, actor__slug=slug)
        assert linked.filter(exact=spelling).count() == seed.body.count(spelling), slug
    heading = mentions_of(seed, actor__slug="benjamin-netanyahu", exact="Netanyahu").get()
    assert seed.body[heading.start - len("## Reconnecting with ") : heading.start].startswith("##")


@pytest.mark.django_db
def test_countries_are_linked_on_nouns_not_adjectives(seed):
    """'Washington' and 'US' are the United States; 'American' and 'Israeli' are not mentions."""
    us = set(mentions_of(seed, actor__slug="united-states").values_list("exact", flat=True))
    assert us == {"US", "United States", "Washington"}
    assert mentions_of(seed, actor__slug="israel", exact="Israel").count() == 7
    assert not mentions_of(seed, actor__isnull=False, exact__in=["American", "Israeli"]).exists()
    assert Actor.objects.get(slug="egypt").wikidata_id == "Q79"


@pytest.mark.django_db
def test_translation_slips_and_metonyms_carry_notes(seed):
    """The editor flags 'Secretary of Condition', 'succeeded in Jerusalem' and Cairo for Egypt."""
    condition = mentions_of(seed, exact="Secretary of Condition").get()
    assert condition.actor.slug == "antony-blinken"
    assert "Secretary of State" in condition.note
    succeeded = mentions_of(seed, exact="Officials have recently succeeded in Jerusalem").get()
    assert "se sont succédé" in succeeded.note
    cairo = mentions_of(seed, actor__slug="egypt", exact="Cairo").get()
    assert seed.body[cairo.end : cairo.end + 2] == "'s"
    assert cairo.note
    assert mentions_of(seed, place__slug="cairo").count() == 3


def test_fixture_lists_models_in_loadable_order():
    """Natural foreign keys only refer to objects listed earlier in the file."""
    objects = json.loads(FIXTURE.read_text(encoding="utf-8"))
    order = list(dict.fromkeys(obj["model"] for obj in objects))
    assert order == [
        "briefings.place",
        "briefings.actor",
        "briefings.article",
        "briefings.event",
        "briefings.eventparticipant",
        "briefings.quote",
        "briefings.mention",
    ]
    assert all("pk" not in obj for obj in objects)
    for label in order:
        assert apps.get_model(label)


def test_builder_is_reproducible(tmp_path):
    """Two builds give the same bytes as each other and as the committed fixture."""
    outputs = []
    for name in ("first.json", "second.json"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, str(BUILDER), "--output", str(out)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == FIXTURE.read_bytes(), (
        "fixtures/seed_briefing.json is stale: rebuild it with "
        ".venv/bin/python fixtures/build_seed_briefing.py"
    )
