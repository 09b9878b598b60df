"""Actor, quote and date suggestions (pure, no database: run with ``-p no:django``)."""

import datetime
import json
from pathlib import Path

import pytest

from briefings.suggest import Gazetteer, GazetteerEntry, Suggestion, normalise, suggest

SEED_TEXT = (
    Path(__file__).resolve().parent.parent / "seeds" / "000_d4e03e9a36cbd143.txt"
).read_text()
DATELINE = datetime.date(2023, 1, 30)

SEED_ACTORS = (
    GazetteerEntry("antony-blinken", "Antony Blinken", ("Blinken",), "person"),
    GazetteerEntry(
        "abdel-fattah-al-sisi",
        "Abdel Fattah al-Sisi",
        ("al-Sissi", "El-Sisi", "Sisi", "Abdel Fattah al-Sissi"),
        "person",
    ),
    GazetteerEntry("sameh-shoukry", "Sameh Shoukry", ("Sameh Choukri", "Choukri"), "person"),
    GazetteerEntry("benjamin-netanyahu", "Benjamin Netanyahu", (), "person"),
    GazetteerEntry("mahmoud-abbas", "Mahmoud Abbas", (), "person"),
    GazetteerEntry("ned-price", "Ned Price", (), "person"),
    GazetteerEntry(
        "state-department", "State Department", ("US State Department",), "organization"
    ),
    GazetteerEntry("egypt", "Egypt", (), "country"),
    GazetteerEntry("israel", "Israel", (), "country"),
    GazetteerEntry("united-states", "United States", ("Washington", "US"), "country"),
    GazetteerEntry("al-arabiya", "al-Arabiya", (), "organization"),
    GazetteerEntry("palestinian-authority", "Palestinian Authority", (), "organization"),
    GazetteerEntry("white-house", "White House", (), "organization"),
)
PEOPLE = {e.key for e in SEED_ACTORS if e.kind == "person"}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(SEED_ACTORS)


@pytest.fixture(scope="module")
def seed_suggestions(gazetteer) -> list[Suggestion]:
    return suggest(SEED_TEXT, gazetteer, DATELINE)


def of_kind(suggestions: list[Suggestion], kind: str) -> list[Suggestion]:
    return [s for s in suggestions if s.kind == kind]


def quote(suggestions: list[Suggestion], starting: str) -> Suggestion:
    (found,) = [s for s in of_kind(suggestions, "quote") if s.text.startswith(starting)]
    return found


def date(suggestions: list[Suggestion], text: str) -> list[Suggestion]:
    return [s for s in of_kind(suggestions, "date") if s.text == text]


def spans(gazetteer: Gazetteer, text: str) -> list[tuple[str, str | None]]:
    return [(s.text, s.target) for s in gazetteer.find(text)]


# Actors ------------------------------------------------------------------------------------


def test_every_person_in_the_seed_is_found(seed_suggestions):
    """Each named person gets at least one actor suggestion."""
    assert PEOPLE.issubset(s.target for s in of_kind(seed_suggestions, "actor"))


def test_seed_spellings_resolve_to_one_actor(seed_suggestions):
    """al-Sissi and Choukri are the gazetteer's Sisi and Shoukry, matched through their aliases."""
    actors = {s.text: s for s in of_kind(seed_suggestions, "actor")}
    assert actors["Abdel Fattah al-Sissi"].target == "abdel-fattah-al-sisi"
    assert actors["Abdel Fattah al-Sissi"].reason == "alias match: Abdel Fattah al-Sissi"
    assert actors["Sameh Choukri"].target == "sameh-shoukry"
    assert actors["Sameh Choukri"].value == {"matched": "Sameh Choukri"}
    assert actors["Antony Blinken"].reason == "name match: Antony Blinken"


def test_surname_after_a_full_mention(seed_suggestions):
    """ "Reconnecting with Netanyahu" follows "Benjamin Netanyahu": a weaker, explained match."""
    (surname,) = [s for s in of_kind(seed_suggestions, "actor") if s.text == "Netanyahu"]
    assert surname.target == "benjamin-netanyahu"
    assert surname.reason == "surname after full mention of Benjamin Netanyahu"
    assert surname.confidence < 0.8


def test_surname_before_a_full_mention_is_not_matched(gazetteer):
    """A bare surname needs the full name earlier in the text; lowercase words never count."""
    text = "Netanyahu spoke. Then Benjamin Netanyahu arrived; Netanyahu left at any price."
    assert spans(gazetteer, text) == [
        ("Benjamin Netanyahu", "benjamin-netanyahu"),
        ("Netanyahu", "benjamin-netanyahu"),
    ]
    assert gazetteer.find(text)[1].start == text.rindex("Netanyahu")


@pytest.mark.parametrize(
    ("text", "span", "target"),
    [
        ("Sissi’s visit", "Sissi", "abdel-fattah-al-sisi"),
        ("Sisi's visit", "Sisi", "abdel-fattah-al-sisi"),
        ("met El Sisi", "El Sisi", "abdel-fattah-al-sisi"),
        ("met AL-SISSI", "AL-SISSI", "abdel-fattah-al-sisi"),
        ("met al Sisi", "al Sisi", "abdel-fattah-al-sisi"),
        ("met Ábdel Fáttah al-Sìsi", "Ábdel Fáttah al-Sìsi", "abdel-fattah-al-sisi"),
        ("met Abdel Fattah el Sisi", "Abdel Fattah el Sisi", "abdel-fattah-al-sisi"),
        ("met Abdel Fattah\nal-Sisi", "Abdel Fattah\nal-Sisi", "abdel-fattah-al-sisi"),
        ("the state department said", "state department", "state-department"),
        ("Al-Arabiya's interview", "Al-Arabiya", "al-arabiya"),
    ],
)
def test_normalisation_keeps_exact_original_spans(gazetteer, text, span, target):
    """Case, diacritics, al-/El- prefixes, hyphens and possessives fold away; the span does not."""
    (found,) = gazetteer.find(text)
    assert (found.text, found.target) == (span, target)
    assert text[found.start : found.end] == span


def test_normalised_matches_say_so(gazetteer):
    """A match that needed folding names the alias and what was written."""
    (found,) = gazetteer.find("AL-SISSI")
    assert found.reason == "alias match: al-Sissi (normalised from 'AL-SISSI')"
    assert found.value == {"matched": "al-Sissi"}
    assert found.confidence < gazetteer.find("al-Sissi")[0].confidence


def test_possessive_on_a_place_like_actor():
    """ "Cairo's" matches Cairo and the span stops before the apostrophe."""
    cairo = Gazetteer([GazetteerEntry("cairo", "Cairo", (), "organization")])
    text = 'stressing Cairo\'s "important" role'
    (found,) = cairo.find(text)
    assert (found.start, found.end, found.text) == (10, 15, "Cairo")


def test_whole_words_only_and_acronyms_keep_their_case(gazetteer):
    """ "US" is not "us", nor part of "USA" or "Israeli"; "US-backed" still names the US."""
    text = "Blinken told us the USA and Israeli officials back the US-backed plan."
    assert spans(gazetteer, text) == [("Blinken", "antony-blinken"), ("US", "united-states")]


def test_longest_match_first(gazetteer):
    """ "US State Department" is one actor, not "US" plus "State Department"."""
    assert spans(gazetteer, "the US State Department said") == [
        ("US State Department", "state-department")
    ]


def test_ambiguous_alias_prefers_the_latest_mention_and_says_so():
    """Two actors sharing an alias: the one named most recently wins, with less confidence."""
    entries = [
        GazetteerEntry("george-washington", "George Washington", ("Washington",), "person"),
        GazetteerEntry("united-states", "United States", ("Washington",), "country"),
    ]
    text = "The United States agreed. Washington said no."
    found = Gazetteer(entries).find(text)
    assert [(s.text, s.target) for s in found] == [
        ("United States", "united-states"),
        ("Washington", "united-states"),
    ]
    assert "ambiguous with George Washington" in found[1].reason
    assert found[1].confidence < 0.7


def test_normalise():
    """The folded form used for matching."""
    assert normalise("El-Sisi’s") == "sisi s"
    assert normalise("Abdel Fattah AL-SISSI") == "abdel fattah sissi"


# Quotes ------------------------------------------------------------------------------------


def test_ned_price_statement(seed_suggestions):
    """The spokesman's words: cue "said" after the quote, his name right before it."""
    found = quote(seed_suggestions, "discussed ongoing efforts")
    assert found.text.endswith("between Israelis and Palestinians")  # trailing comma trimmed
    assert found.target == "ned-price"
    assert found.value["speaker"] == "ned-price"
    assert found.value["cue"] == "said"
    assert found.value["scare_quote"] is False
    assert found.reason.startswith("cue 'said' with subject Ned Price")
    assert found.confidence >= 0.7


def test_fragments_after_stressing_belong_to_the_same_speaker(seed_suggestions):
    """ "important" and "promoting stability regional" follow "said, stressing": partial quotes."""
    for words in ("important", "promoting stability regional"):
        found = quote(seed_suggestions, words)
        assert found.target == "ned-price"
        assert found.value["cue"] == "stressing"
        assert found.value["quote_kind"] == "partial"
        assert found.value["scare_quote"] is False
        assert 0.4 <= found.confidence <= 0.7
        assert "continues 'said' of Ned Price" in found.reason


def test_pronoun_speaker_is_the_last_person_named(seed_suggestions):
    """ "... have to say," he said. -> Antony Blinken, named in the previous sentence."""
    found = quote(seed_suggestions, "I want to be able to hear")
    assert found.target == "antony-blinken"
    assert found.value["cue"] == "said"
    assert found.value["quote_kind"] == "direct"
    assert found.value["insertions"] == ["[by the conflict]"]
    assert "speaker 'he' -> last person named: Antony Blinken" in found.reason


def test_told_gives_speaker_and_addressee(seed_suggestions):
    """ "Antony Blinken told the Saudi channel al-Arabiya "want to ..."": Blinken, to al-Arabiya."""
    found = quote(seed_suggestions, "want to talk")
    assert found.target == "antony-blinken"
    assert found.value["cue"] == "told"
    assert found.value["addressee"] == "al-arabiya"
    assert found.value["quote_kind"] == "partial"


def test_according_to_an_institution(seed_suggestions):
    """ "..., according to the State Department": an institutional speaker."""
    found = quote(seed_suggestions, "take urgent steps")
    assert found.target == "state-department"
    assert found.value["cue"] == "according to"


def test_condemned_is_a_speech_cue(seed_suggestions):
    """ "Washington has condemned an "appalling" attack": the word is Washington's (the United
    States), as the seed fixture has it, a fragment rather than a scare quote; the later
    "according to the State Department" is further from it."""
    found = quote(seed_suggestions, "appalling")
    assert found.target == "united-states"
    assert found.value["cue"] == "condemned"
    assert found.value["scare_quote"] is False
    assert found.value["quote_kind"] == "partial"


def test_will_urge_is_not_a_speech_cue(seed_suggestions):
    """ "Blinken will urge … to "take urgent steps"" reports nothing said yet: the words go to
    the State Department named by "according to" in the sentence, not to Blinken."""
    found = quote(seed_suggestions, "take urgent steps")
    assert found.target == "state-department"
    assert found.value["cue"] == "according to"


def test_scare_quote_without_a_cue(seed_suggestions):
    """ "calls in vain for "restraint"": one word, no cue in the sentence, no speaker."""
    found = quote(seed_suggestions, "restraint")
    assert found.target is None
    assert found.value["scare_quote"] is True
    assert found.value["cue"] is None
    assert found.confidence <= 0.3
    assert "scare quote" in found.reason


def test_discussed_is_a_weak_cue(seed_suggestions):
    """Blinken "discussed" the "de-escalation of tensions": a paraphrase at best, low confidence."""
    found = quote(seed_suggestions, "de-escalation of tensions")
    assert found.target == "antony-blinken"
    assert found.value["cue"] == "discussed"
    assert found.value["scare_quote"] is False
    assert 0.3 <= found.confidence <= 0.5
    assert "paraphrase by Antony Blinken" in found.reason


def test_all_seed_quotes_found(seed_suggestions):
    """Nine quoted passages in the seed, each one suggestion."""
    assert len(of_kind(seed_suggestions, "quote")) == 9


def test_inverted_cue_and_curly_quotes(gazetteer):
    """“...,” said Ned Price: the actor after "said" speaks; curly marks pair like straight ones."""
    text = "“We are working on it,” said State Department spokesman Ned Price."
    (found,) = of_kind(suggest(text, gazetteer), "quote")
    assert (found.text, found.target) == ("We are working on it", "ned-price")
    assert found.value["quote_kind"] == "direct"


def test_pronoun_without_a_person_has_no_speaker(gazetteer):
    """ "she said" with nobody named before stays unattributed, with a reason."""
    (found,) = of_kind(suggest('"We will see," she said.', gazetteer), "quote")
    assert found.target is None
    assert "no person named before" in found.reason


@pytest.mark.parametrize(
    "text",
    ['He said "unbalanced', '"', '""', 'a "b" c "d', "“open only", "close only”", '"a\n\nb"'],
)
def test_unbalanced_quotes_do_not_crash(gazetteer, text):
    """Stray quote marks spoil at most their paragraph and never raise."""
    for found in of_kind(suggest(text, gazetteer, DATELINE), "quote"):
        assert text[found.start : found.end] == found.text
        assert "\n" not in found.text


# Dates -------------------------------------------------------------------------------------


def test_seed_dates_are_date_suggestions(seed_suggestions):
    """Dates come through with ISO value and precision."""
    (friday,) = date(seed_suggestions, "Friday")
    assert friday.value == {"date": "2023-01-27", "precision": "day"}
    (raid,) = date(seed_suggestions, "a day after")
    assert raid.value == {"date": "2023-01-26", "precision": "day"}
    assert "came a day after" in raid.reason
    assert date(seed_suggestions, "1967")[0].value == {"date": "1967-01-01", "precision": "year"}
    assert date(seed_suggestions, "1979")[0].value == {"date": "1979-01-01", "precision": "year"}
    assert date(seed_suggestions, "February")[0].value == {
        "date": "2023-02-01",
        "precision": "month",
    }


def test_no_dateline_no_dates(gazetteer):
    """Without a dateline there is nothing to resolve relative dates against."""
    assert of_kind(suggest("on Friday, in 1979", gazetteer), "date") == []


# The whole -----------------------------------------------------------------------------------


def test_suggestions_are_sorted_and_exact(seed_suggestions):
    """Sorted by (start, end, kind), each span's text is exactly the text at its offsets."""
    keys = [(s.start, s.end, s.kind) for s in seed_suggestions]
    assert keys == sorted(keys)
    for s in seed_suggestions:
        assert SEED_TEXT[s.start : s.end] == s.text
        assert 0 <= s.confidence <= 1
        assert s.reason


def test_actor_suggestions_do_not_overlap(seed_suggestions):
    """One actor per stretch of text."""
    actors = of_kind(seed_suggestions, "actor")
    assert all(a.end <= b.start for a, b in zip(actors, actors[1:], strict=False))


def test_as_dict_is_json_ready(seed_suggestions):
    """Suggestions serialise for the API and the admin."""
    data = json.loads(json.dumps([s.as_dict() for s in seed_suggestions]))
    assert set(data[0]) == {
        "kind",
        "start",
        "end",
        "text",
        "target",
        "value",
        "reason",
        "confidence",
    }


def test_accepts_entries_or_a_gazetteer(gazetteer):
    """A prebuilt Gazetteer is reused; a plain list of entries works the same."""
    assert suggest(SEED_TEXT, SEED_ACTORS, DATELINE) == suggest(SEED_TEXT, gazetteer, DATELINE)


def test_empty_text_and_empty_gazetteer():
    """Nothing in, nothing out."""
    assert suggest("", SEED_ACTORS, DATELINE) == []
    assert of_kind(suggest(SEED_TEXT, [], DATELINE), "actor") == []
    assert Gazetteer([]).find(SEED_TEXT) == []


def test_initials_keep_their_case():
    """The initial in "A. Blinken" is not the article in "a Blinken" (a surname-only match)."""
    gazetteer = Gazetteer([GazetteerEntry("antony-blinken", "A. Blinken", (), "person")])
    found = gazetteer.find("A. Blinken met a Blinken")
    assert [(s.text, s.start) for s in found] == [("A. Blinken", 0), ("Blinken", 17)]
    assert found[1].reason.startswith("surname after full mention")


def test_ambiguity_reasons_stay_short():
    """A name shared by many actors lists a few and counts the rest."""
    entries = [GazetteerEntry(f"m-{i}", f"Mohammed {i}", ("Mohammed",), "person") for i in range(9)]
    (found,) = Gazetteer(entries).find("Mohammed said")
    assert "and 5 more" in found.reason
    assert len(found.reason) < 300
