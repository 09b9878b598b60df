"""briefings.annotations: suggestions stored as pending, accepted or rejected, and annotations
that follow their words when the body is edited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from briefings import annotations
from briefings.models import (
    Actor,
    Article,
    AuditEntry,
    Event,
    Mention,
    Quote,
    StaleVersion,
    Suggestion,
)
from tests.conftest import make_user

CONDEMN = "We condemn this attack in the strongest terms"
BODY = (
    "US Secretary of State Antony Blinken met Abdel Fattah al-Sissi in Cairo on Monday.\n\n"
    'The attack came on Friday, when a gunman killed seven people. "We condemn this attack '
    'in the strongest terms," '
    'Blinken said. The world calls for "restraint".\n\n'
    "## Reconnecting\n\n"
    "El-Sisi then met the Secretary of Condition."
)


def make_article(body: str = BODY, **fields) -> Article:
    defaults = {
        "title": "Blinken in Cairo",
        "slug": "blinken-in-cairo",
        "body": body,
        "dateline": datetime.date(2023, 1, 30),
    }
    article = Article.objects.create(**{**defaults, **fields})
    article.make_revision(message="Imported")
    return article


def make_actors() -> dict[str, Actor]:
    return {
        "blinken": Actor.objects.create(
            name="Antony Blinken", slug="antony-blinken", kind="person", aliases=["Blinken"]
        ),
        "sisi": Actor.objects.create(
            name="Abdel Fattah al-Sisi",
            slug="abdel-fattah-al-sisi",
            kind="person",
            aliases=["Abdel Fattah al-Sissi", "El-Sisi"],
        ),
    }


def mention(article: Article, words: str, occurrence: int = 0, **target) -> Mention:
    start = -1
    for _ in range(occurrence + 1):
        start = article.body.index(words, start + 1)
    m = Mention(article=article, start=start, end=start + len(words), **target)
    m.capture()
    m.save()
    return m


def publish(article: Article) -> Article:
    Article.objects.filter(pk=article.pk).update(
        status="published", publish_at=timezone.now() - datetime.timedelta(hours=1)
    )
    article.refresh_from_db()
    return article


@pytest.fixture
def actors(db):
    return make_actors()


@pytest.fixture
def article(db):
    return make_article()


# Running -------------------------------------------------------------------------------------


def test_run_stores_pending_suggestions_with_reasons(article, actors, annotator):
    """Actors, quotes and dates become pending suggestions with their reason and confidence."""
    result = annotations.run_suggestions(article, annotator)
    pending = list(article.suggestions.pending().select_related("actor"))
    assert result.total_created == len(pending) > 0
    by_text = {(s.kind, s.exact): s for s in pending}
    blinken = by_text[("actor", "Antony Blinken")]
    assert blinken.actor == actors["blinken"]
    assert blinken.reason == "name match: Antony Blinken"
    assert blinken.prefix.endswith("Secretary of State ") and blinken.suffix.startswith(" met")
    assert by_text[("actor", "El-Sisi")].actor == actors["sisi"]
    quote = by_text[("quote", CONDEMN)]
    assert quote.actor == actors["blinken"] and quote.value["cue"] == "said"
    assert by_text[("quote", "restraint")].value["scare_quote"] is True
    friday = by_text[("date", "Friday")]
    assert friday.value == {"date": "2023-01-27", "precision": "day"}
    assert article.body[friday.start : friday.end] == "Friday"
    assert Mention.objects.count() == 0


def test_run_does_not_change_the_article_or_what_the_public_sees(article, actors, annotator):
    """Suggestions are not content: no version bump, no quote, no public actor."""
    publish(article)
    version = article.version
    annotations.run_suggestions(article, annotator)
    article.refresh_from_db()
    assert article.version == version
    assert Quote.objects.count() == 0
    assert not Actor.objects.public().exists()
    assert not Quote.objects.public().exists()


def test_run_twice_adds_nothing_and_rejected_stay_rejected(article, actors, annotator):
    """A second run proposes nothing new; a rejected proposal is not proposed again."""
    first = annotations.run_suggestions(article, annotator)
    rejected = article.suggestions.get(kind="actor", exact="El-Sisi")
    annotations.reject(rejected, annotator)
    second = annotations.run_suggestions(article, annotator)
    assert second.total_created == 0
    assert article.suggestions.count() == first.total_created
    rejected.refresh_from_db()
    assert rejected.status == Suggestion.Status.REJECTED


def test_run_skips_words_already_annotated(article, actors, annotator):
    """A mention already on the words (or a quote mention overlapping them) is a decision made."""
    mention(article, "Antony Blinken", actor=actors["blinken"])
    quote = Quote.objects.create(article=article, text=CONDEMN)
    mention(article, CONDEMN, quote=quote)
    result = annotations.run_suggestions(article, annotator)
    texts = set(article.suggestions.values_list("kind", "exact"))
    assert ("actor", "Antony Blinken") not in texts
    assert ("quote", CONDEMN) not in texts
    assert result.already_annotated == 2


def test_run_withdraws_pending_suggestions_that_became_moot(article, actors, annotator):
    """A pending proposal whose words got a mention meanwhile is withdrawn on the next run."""
    annotations.run_suggestions(article, annotator)
    mention(article, "Antony Blinken", actor=actors["blinken"])
    result = annotations.run_suggestions(article, annotator)
    assert result.withdrawn == 1
    assert not article.suggestions.filter(exact="Antony Blinken").exists()


def test_date_suggestion_proposes_the_event_in_its_sentence(article, actors, annotator):
    """A date is paired with the nearest event mentioned in the same sentence."""
    attack = Event.objects.create(title="Attack", slug="attack", kind="attack")
    mention(article, "The attack", event=attack)
    annotations.run_suggestions(article, annotator)
    friday = article.suggestions.get(kind="date", exact="Friday")
    assert friday.event == attack
    assert "event in the same sentence: Attack" in friday.reason
    monday = article.suggestions.get(kind="date", exact="Monday")
    assert monday.event is None


def test_date_already_on_the_event_is_not_proposed(article, actors, annotator):
    """An event in the sentence that already has the date makes the proposal noise."""
    attack = Event.objects.create(
        title="Attack", slug="attack", kind="attack",
        date=datetime.date(2023, 1, 27), date_precision="day",
    )  # fmt: skip
    mention(article, "The attack", event=attack)
    annotations.run_suggestions(article, annotator)
    assert not article.suggestions.filter(kind="date", exact="Friday").exists()


def test_run_needs_the_change_permission(article, actors, reader):
    """A user who may not change articles cannot run suggestions."""
    with pytest.raises(PermissionDenied, match="change_article"):
        annotations.run_suggestions(article, reader)
    assert not Suggestion.objects.exists()


# Accepting and rejecting ---------------------------------------------------------------------


@pytest.fixture
def suggested(article, actors, annotator):
    annotations.run_suggestions(article, annotator)
    article.refresh_from_db()
    return article


def test_accept_actor_creates_mention_revision_and_audit(suggested, actors, annotator):
    """Accepting makes an accepted mention on the words, bumps the version, records who."""
    s = suggested.suggestions.get(kind="actor", exact="Antony Blinken")
    version = suggested.version
    revisions = suggested.revisions.count()
    accepted = annotations.accept(s, annotator, expected_version=version)
    m = accepted.mention
    assert (m.start, m.end, m.exact, m.actor) == (s.start, s.end, s.exact, actors["blinken"])
    assert m.status == Mention.Status.ACCEPTED and m.author == annotator
    assert m.reason == "name match: Antony Blinken"
    s.refresh_from_db()
    assert s.status == Suggestion.Status.ACCEPTED and s.mention == m and s.decided_by == annotator
    suggested.refresh_from_db()
    assert suggested.version == version + 1
    assert suggested.revisions.count() == revisions + 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SUGGESTION_ACCEPTED)
    assert entry.user == annotator and "Antony Blinken" in entry.detail
    latest = suggested.revisions.order_by("-number").first()
    assert [x["uid"] for x in latest.data["mentions"]] == [str(m.uid)]


def test_accept_can_retarget_an_actor(suggested, actors, annotator):
    """The editor may link the words to another actor than the one proposed."""
    s = suggested.suggestions.get(kind="actor", exact="El-Sisi")
    other = Actor.objects.create(name="Someone Else", slug="someone-else", kind="person")
    accepted = annotations.accept(s, annotator, expected_version=suggested.version, actor=other)
    assert accepted.mention.actor == other


def test_accept_on_a_stale_version_changes_nothing(suggested, annotator):
    """A client that missed a change gets StaleVersion and nothing is stored."""
    s = suggested.suggestions.get(kind="actor", exact="Antony Blinken")
    with pytest.raises(StaleVersion):
        annotations.accept(s, annotator, expected_version=suggested.version - 1)
    s.refresh_from_db()
    assert s.status == Suggestion.Status.PENDING
    assert not Mention.objects.exists()


def test_accept_twice_is_refused(suggested, annotator):
    """A decided suggestion cannot be decided again."""
    s = suggested.suggestions.get(kind="actor", exact="Antony Blinken")
    annotations.accept(s, annotator, expected_version=suggested.version)
    suggested.refresh_from_db()
    with pytest.raises(ValidationError, match="already accepted"):
        annotations.accept(s, annotator, expected_version=suggested.version)
    assert Mention.objects.count() == 1


def test_accept_quote_creates_quote_with_speaker_cue_and_kind(suggested, actors, annotator):
    """A quote suggestion becomes a Quote (speaker, cue, kind) and its mention."""
    s = suggested.suggestions.get(kind="quote", exact=CONDEMN)
    accepted = annotations.accept(s, annotator, expected_version=suggested.version)
    quote = accepted.mention.quote
    assert (quote.text, quote.speaker, quote.cue, quote.kind) == (
        CONDEMN, actors["blinken"], "said", "direct",
    )  # fmt: skip
    assert quote.article == suggested


def test_accept_quote_with_another_speaker_or_none(suggested, actors, annotator):
    """The speaker can be overridden, or cleared for an unattributed quote."""
    s = suggested.suggestions.get(kind="quote", exact=CONDEMN)
    accepted = annotations.accept(
        s, annotator, expected_version=suggested.version, speaker=None, quote_kind="partial"
    )
    assert accepted.mention.quote.speaker is None
    assert accepted.mention.quote.kind == "partial"


def test_pending_quote_suggestion_never_reaches_the_public(suggested, client):
    """On a published briefing, a pending quote is in no public query, page or API response."""
    publish(suggested)
    assert suggested.suggestions.filter(kind="quote", exact=CONDEMN).exists()
    assert not Quote.objects.public().exists()
    response = client.get(f"/api/briefings/{suggested.slug}")
    assert response.status_code == 200
    assert response.json()["quotes"] == []
    assert CONDEMN in response.json()["body"]
    assert response.json()["mentions"] == []


def test_accept_date_fills_an_undated_event(suggested, annotator):
    """Accepting a date links its words to the event and writes the date into it."""
    attack = Event.objects.create(title="Attack", slug="attack", kind="attack")
    s = suggested.suggestions.get(kind="date", exact="Friday")
    accepted = annotations.accept(s, annotator, expected_version=suggested.version, event=attack)
    attack.refresh_from_db()
    assert accepted.mention.event == attack and accepted.event_dated
    assert (attack.date, attack.date_precision, attack.date_text) == (
        datetime.date(2023, 1, 27), "day", "Friday",
    )  # fmt: skip
    assert "event dated 2023-01-27" in AuditEntry.objects.get(action="suggestion_accepted").detail


def test_accept_date_keeps_an_existing_date_unless_asked(suggested, editor):
    """An event's date is only overwritten when the editor asks for it."""
    attack = Event.objects.create(
        title="Attack", slug="attack", kind="attack",
        date=datetime.date(2023, 1, 26), date_precision="day",
    )  # fmt: skip
    s = suggested.suggestions.get(kind="date", exact="Friday")
    accepted = annotations.accept(s, editor, expected_version=suggested.version, event=attack)
    attack.refresh_from_db()
    assert not accepted.event_dated and attack.date == datetime.date(2023, 1, 26)
    s2 = suggested.suggestions.get(kind="date", exact="Monday")
    suggested.refresh_from_db()
    annotations.accept(s2, editor, expected_version=suggested.version, event=attack, fill_date=True)
    attack.refresh_from_db()
    assert attack.date == datetime.date(2023, 1, 30)


def test_accept_date_without_an_event_says_so(suggested, annotator):
    """A date cannot be accepted until the editor picks its event."""
    s = suggested.suggestions.get(kind="date", exact="Monday")
    with pytest.raises(ValidationError, match="Pick the event"):
        annotations.accept(s, annotator, expected_version=suggested.version)
    assert not Mention.objects.exists()


def test_accept_refuses_when_the_words_changed(suggested, annotator):
    """A suggestion made on text that has since changed is not applied blindly."""
    s = suggested.suggestions.get(kind="actor", exact="Antony Blinken")
    Article.objects.filter(pk=suggested.pk).update(body=suggested.body.replace("Antony", "Tony"))
    with pytest.raises(ValidationError, match="text changed"):
        annotations.accept(s, annotator, expected_version=suggested.version)


def test_reject_keeps_the_suggestion_and_records_it(suggested, annotator):
    """Rejecting changes no mention and no version, but the audit trail shows it."""
    s = suggested.suggestions.get(kind="quote", exact="restraint")
    annotations.reject(s, annotator)
    s.refresh_from_db()
    suggested.refresh_from_db()
    assert s.status == Suggestion.Status.REJECTED and s.decided_by == annotator
    assert suggested.version == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SUGGESTION_REJECTED)
    assert "restraint" in entry.detail


def test_accept_all_actors_is_one_revision(suggested, annotator):
    """Accept-all per kind accepts every pending suggestion of that kind in one revision."""
    pending = suggested.suggestions.pending().filter(kind="actor").count()
    result = annotations.accept_all(suggested, "actor", annotator, expected_version=1)
    assert len(result.accepted) == pending == Mention.objects.filter(actor__isnull=False).count()
    assert not suggested.suggestions.pending().filter(kind="actor").exists()
    suggested.refresh_from_db()
    assert suggested.version == 2
    assert result.summary("actor") == f"Accepted {pending} actor suggestion(s)."


def test_accept_all_quotes_leaves_scare_quotes(suggested, annotator):
    """Scare quotes are not quotations: accept-all leaves them for a decision."""
    result = annotations.accept_all(suggested, "quote", annotator, expected_version=1)
    assert [a.suggestion.exact for a in result.accepted] == [CONDEMN]
    assert [(s.exact, why) for s, why in result.skipped] == [
        ("restraint", annotations.ACCEPT_ALL_SKIPS["quote"])
    ]
    assert suggested.suggestions.pending().get(kind="quote").exact == "restraint"


def test_accept_all_with_nothing_to_accept_changes_nothing(suggested, annotator):
    """Only scare quotes left: nothing is accepted, no revision is made, the reason is given."""
    annotations.accept_all(suggested, "quote", annotator, expected_version=1)
    suggested.refresh_from_db()
    revisions = suggested.revisions.count()
    result = annotations.accept_all(suggested, "quote", annotator, expected_version=2)
    assert result.accepted == [] and result.revision is None
    assert [s.exact for s, _ in result.skipped] == ["restraint"]
    suggested.refresh_from_db()
    assert suggested.version == 2 and suggested.revisions.count() == revisions


def test_accept_all_refuses_an_unknown_kind_and_a_stale_version(suggested, annotator):
    """A wrong kind names the choices; a stale version stores nothing."""
    with pytest.raises(ValidationError, match="choose one of actor, quote, date"):
        annotations.accept_all(suggested, "person", annotator, expected_version=1)
    with pytest.raises(StaleVersion):
        annotations.accept_all(suggested, "actor", annotator, expected_version=7)
    assert not Mention.objects.exists()


def test_accepting_needs_permissions(suggested, db):
    """Staff without the change permission can neither accept nor reject."""
    staff = make_user("stan")
    s = suggested.suggestions.get(kind="actor", exact="Antony Blinken")
    with pytest.raises(PermissionDenied):
        annotations.accept(s, staff, expected_version=1)
    with pytest.raises(PermissionDenied):
        annotations.reject(s, staff)
    with pytest.raises(PermissionDenied):
        annotations.accept_all(suggested, "actor", staff, expected_version=1)
    s.refresh_from_db()
    assert s.status == Suggestion.Status.PENDING


# Editing the body ----------------------------------------------------------------------------


def test_seed_correction_keeps_every_annotation_on_its_words(seed, editor):
    """Correcting "Secretary of Condition" moves every mention after it, and the mention on the
    corrected words (with its note on the slip) follows them; none is lost."""
    before = {m.uid: (m.start, m.exact) for m in seed.mentions.all()}
    new_body = seed.body.replace("Secretary of Condition", "Secretary of State")
    result = annotations.edit_body(seed, editor, new_body, expected_version=seed.version)
    assert result.changed and result.orphans == []
    seed.refresh_from_db()
    assert seed.body == new_body
    mentions = {m.uid: m for m in seed.mentions.all()}
    assert mentions.keys() == before.keys()
    slip = next(m for m in mentions.values() if "se sont succédé" in m.note)
    corrected = next(m for m in mentions.values() if "secrétaire d'État" in m.note)
    assert (corrected.exact, corrected.anchor_state) == ("Secretary of State", "reanchored")
    for uid, m in mentions.items():
        assert seed.body[m.start : m.end] == m.exact
        if m is not corrected:
            assert m.exact == before[uid][1]
            assert m.anchor_state != Mention.Anchor.ORPHANED
    # Everything after the correction moved four characters back.
    assert slip.start == before[slip.uid][0] - 4
    assert result.moved == sum(1 for s, _ in before.values() if s > corrected.start)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EDITED).latest("id")
    assert entry.user == editor
    assert f"{result.moved} annotation(s) moved" in entry.detail
    assert "words edited in place: “Secretary of Condition” → “Secretary of State”" in entry.detail
    assert seed.revisions.order_by("-number").first().data["body"] == new_body


def test_rewritten_words_are_orphaned_not_relinked(article, actors, editor):
    """Different words between the same context are another statement: the mention orphans."""
    m = mention(article, "Antony Blinken", actor=actors["blinken"])
    new_body = article.body.replace("Antony Blinken", "Ned Price")
    result = annotations.edit_body(article, editor, new_body, expected_version=1)
    assert [o.pk for o in result.orphans] == [m.pk]


def test_deleted_words_orphan_their_mention_and_say_so(article, actors, editor):
    """A mention whose words are deleted is kept, orphaned, with its old text and context."""
    m = mention(article, "El-Sisi", actor=actors["sisi"])
    kept = mention(article, "Antony Blinken", actor=actors["blinken"])
    new_body = article.body.replace("El-Sisi then met the Secretary of Condition.", "Later.")
    result = annotations.edit_body(article, editor, new_body, expected_version=1)
    assert [o.pk for o in result.orphans] == [m.pk]
    m.refresh_from_db()
    kept.refresh_from_db()
    assert m.anchor_state == Mention.Anchor.ORPHANED
    assert (m.exact, m.suffix) == ("El-Sisi", " then met the Secretary of Condi")
    assert kept.anchor_state == Mention.Anchor.ANCHORED
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EDITED).latest("id")
    assert "1 orphaned: “El-Sisi”" in entry.detail


def test_pending_suggestions_follow_the_edit_or_are_withdrawn(suggested, editor):
    """Suggestions move with their words; those on deleted words are withdrawn and counted."""
    new_body = "Breaking. " + suggested.body.replace(' The world calls for "restraint".', "")
    annotations.edit_body(suggested, editor, new_body, expected_version=suggested.version)
    suggested.refresh_from_db()
    for s in suggested.suggestions.all():
        assert suggested.body[s.start : s.end] == s.exact
    assert not suggested.suggestions.filter(exact="restraint").exists()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EDITED).latest("id")
    assert "1 suggestion(s) on removed words withdrawn" in entry.detail


def test_edit_body_normalises_browser_line_breaks(article, actors, editor):
    """A textarea's CRLF line breaks are stored as LF so offsets keep counting the same."""
    kept = mention(article, "El-Sisi", actor=actors["sisi"])
    result = annotations.edit_body(
        article, editor, article.body.replace("\n", "\r\n"), expected_version=1
    )
    assert not result.changed
    article.refresh_from_db()
    assert "\r" not in article.body and article.version == 1
    kept.refresh_from_db()
    assert article.body[kept.start : kept.end] == "El-Sisi"


def test_edit_body_refuses_empty_text_and_stale_versions(article, editor):
    """An empty body is refused with a message; an edit on an old version is StaleVersion."""
    with pytest.raises(ValidationError, match="cannot be empty"):
        annotations.edit_body(article, editor, "  \n", expected_version=1)
    with pytest.raises(StaleVersion):
        annotations.edit_body(article, editor, "New text.", expected_version=5)
    article.refresh_from_db()
    assert article.body == BODY


def test_save_content_from_anywhere_reanchors_suggestions_too(suggested, editor):
    """The one content-save path (used by the admin form) carries pending suggestions along."""
    s = suggested.suggestions.get(kind="actor", exact="El-Sisi")
    suggested.save_content(
        editor, expected_version=suggested.version, body="Intro.\n\n" + suggested.body
    )
    s.refresh_from_db()
    assert s.start == suggested.body.index("El-Sisi")
