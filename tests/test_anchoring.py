from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.anchoring import (
    CONTEXT,
    AnchorResult,
    Selector,
    SpanError,
    capture,
    reanchor,
    validate,
)

SEED = (Path(__file__).resolve().parent.parent / "seeds" / "000_d4e03e9a36cbd143.txt").read_text(
    encoding="utf-8"
)


def mention(body: str, text: str, after: str = "", context: int = CONTEXT) -> Selector:
    """Capture the first ``text`` in ``body`` that follows ``after``."""
    start = body.index(after + text) + len(after)
    return capture(body, start, start + len(text), context)


def assert_sound(new_body: str, old: Selector, result: AnchorResult) -> None:
    """The invariant every result keeps, whatever happened to the body."""
    if result.state == "orphaned":
        assert result.selector is None
        assert (result.method, result.score) == ("none", 0.0)
        return
    sel = result.selector
    assert sel is not None
    assert new_body[sel.start : sel.end] == sel.exact == old.exact
    assert sel == capture(new_body, sel.start, sel.end)
    assert (result.state == "anchored") == ((sel.start, sel.end) == (old.start, old.end))
    assert result.method in {"exact", "diff", "fuzzy"}
    assert 0.0 < result.score <= 1.0


# capture and validate


def test_capture_keeps_the_quote_and_context_on_both_sides():
    """capture stores the offsets, the exact text and CONTEXT characters either side."""
    start = SEED.index("Antony Blinken told")
    sel = capture(SEED, start, start + 14)
    assert (sel.start, sel.end, sel.exact) == (start, start + 14, "Antony Blinken")
    assert sel.prefix == SEED[start - CONTEXT : start]
    assert sel.suffix == SEED[start + 14 : start + 14 + CONTEXT]
    assert len(sel.prefix) == len(sel.suffix) == CONTEXT


def test_capture_clips_context_at_the_edges_of_the_body():
    """Near the start or end of the body the context is simply shorter."""
    sel = capture("in Cairo today", 3, 8, context=10)
    assert (sel.exact, sel.prefix, sel.suffix) == ("Cairo", "in ", " today")


def test_capture_with_no_context():
    """context=0 stores the quote alone."""
    sel = capture("in Cairo today", 3, 8, context=0)
    assert (sel.prefix, sel.suffix) == ("", "")


def test_capture_counts_code_points():
    """Offsets are str indices: an astral character or a combining mark counts as one."""
    body = "𝔘 café\u0301 Cairo"
    sel = capture(body, 8, 13)
    assert sel.exact == "Cairo"
    assert sel.prefix == "𝔘 café\u0301 "


@pytest.mark.parametrize(
    ("start", "end", "exact", "message"),
    [
        (-1, 5, None, "start -1 is negative"),
        (5, 5, None, "start 5 is not before end 5"),
        (6, 2, None, "start 6 is not before end 2"),
        (10, 120, None, "end 120 is past the end of the body (length 100)"),
        (10, 15, "Cairp", "text at 10–15 is 'Cairo', not 'Cairp'"),
    ],
)
def test_validate_names_the_problem(start, end, exact, message):
    """validate raises SpanError with a message saying what is wrong with the span."""
    body = ("x" * 10 + "Cairo").ljust(100, "y")
    with pytest.raises(SpanError) as error:
        validate(body, start, end, exact)
    assert str(error.value) == message


def test_validate_accepts_a_matching_span():
    """A span inside the body, with the right text, passes silently."""
    validate("in Cairo today", 3, 8, "Cairo")
    validate("in Cairo today", 0, 14)


def test_capture_rejects_a_bad_span_or_context():
    """capture validates first; SpanError is a ValueError for callers that catch those."""
    with pytest.raises(SpanError, match="past the end"):
        capture("short", 0, 6)
    with pytest.raises(ValueError, match="context -1 is negative"):
        capture("short", 0, 5, context=-1)


# re-anchoring on the seed article


def test_unchanged_body_anchors_every_mention_in_place():
    """With no edit, each mention is anchored at its own offsets by the exact check."""
    selectors = [mention(SEED, "Antony Blinken"), mention(SEED, "Cairo"), mention(SEED, "AFP")]
    results = reanchor(SEED, SEED, selectors)
    assert [(r.state, r.method, r.score) for r in results] == [("anchored", "exact", 1.0)] * 3
    assert [r.selector for r in results] == selectors


def test_correcting_a_typo_keeps_later_mentions():
    """Correcting "Secretary of Condition" moves a later mention by the length difference."""
    new = SEED.replace("Secretary of Condition", "Secretary of State")
    earlier = mention(SEED, "Antony Blinken", after="received ")
    later = mention(SEED, "Antony Blinken", after="East Jerusalem and ")
    first, second = reanchor(SEED, new, [earlier, later])
    assert (first.state, first.method, first.selector) == ("anchored", "exact", earlier)
    assert (second.state, second.method) == ("reanchored", "diff")
    assert second.selector.start == later.start - len("Condition") + len("State")
    assert second.selector.exact == "Antony Blinken"


def test_context_is_recomputed_from_the_new_body():
    """A mention right after the corrected word gets the corrected word in its prefix."""
    old = SEED.replace("Secretary of State", "Secretary of Condition", 1)
    sel = mention(old, "Antony Blinken", after="Secretary of Condition ")
    [result] = reanchor(old, SEED, [sel])
    assert result.state == "reanchored"
    assert result.selector.prefix.endswith("Secretary of State ")


def test_inserting_a_paragraph_shifts_mentions():
    """A paragraph inserted at the top shifts every mention by its length."""
    paragraph = "Editor's note: this briefing was updated on Tuesday.\n\n"
    selectors = [
        mention(SEED, "Antony Blinken"),
        mention(SEED, "Mahmoud Abbas"),
        mention(SEED, "AFP"),
    ]
    results = reanchor(SEED, paragraph + SEED, selectors)
    for old, result in zip(selectors, results, strict=True):
        assert (result.state, result.method) == ("reanchored", "diff")
        assert result.selector.start == old.start + len(paragraph)


def test_text_inserted_at_a_mentions_edges_stays_outside_it():
    """Words added right before and right after a mention do not become part of it."""
    sel = mention(SEED, "Cairo", after="Monday January 30 in ")
    new = SEED.replace("30 in Cairo the", "30 in Greater Cairo, Egypt, the", 1)
    [result] = reanchor(SEED, new, [sel])
    assert result.selector.exact == "Cairo"
    assert new[result.selector.start - 8 : result.selector.end + 7] == "Greater Cairo, Egypt"


def test_deleting_a_mentions_text_orphans_it():
    """Other "Antony Blinken"s in the text have the wrong context, so the mention is orphaned."""
    sel = mention(SEED, "Antony Blinken", after="received ")
    new = SEED.replace("received Antony Blinken in Cairo", "received him in Cairo")
    [result] = reanchor(SEED, new, [sel])
    assert result == AnchorResult(selector=None, state="orphaned", method="none", score=0.0)


def test_editing_inside_a_mention_orphans_it():
    """A mention never moves onto different text, even a one-letter change of it."""
    sel = mention(SEED, "Antony Blinken", after="received ")
    new = SEED.replace("received Antony Blinken", "received Antony Blinkin")
    [result] = reanchor(SEED, new, [sel])
    assert result.state == "orphaned"


def test_moved_paragraph_picks_the_occurrence_with_matching_context():
    """Of several "Antony Blinken"s, the one whose context matches is chosen after a move."""
    paragraphs = SEED.split("\n\n")
    moved = next(p for p in paragraphs if p.startswith("Abdel Fattah al-Sissi, a key"))
    paragraphs.remove(moved)
    new = "\n\n".join([*paragraphs, moved])
    sel = mention(SEED, "Antony Blinken", after="received ")
    [result] = reanchor(SEED, new, [sel])
    assert (result.state, result.method) == ("reanchored", "fuzzy")
    assert result.selector.start == new.index("received Antony Blinken") + len("received ")
    assert new.count("Antony Blinken") > 1


def test_ambiguous_duplicate_without_context_is_orphaned():
    """Without context, one of two remaining "Cairo"s would be a guess: the mention is orphaned."""
    old = "Talks opened in Cairo. Cairo said little. Later, Cairo agreed."
    sel = mention(old, "Cairo", after="opened in ", context=0)
    new = old.replace("opened in Cairo", "opened in Egypt")
    [result] = reanchor(old, new, [sel])
    assert result.state == "orphaned"


def test_two_equally_good_places_orphan_rather_than_guess():
    """A quote whose context fits two nearby places equally well is orphaned."""
    window = "the talks in Cairo went on today"
    sel = Selector(start=500, end=505, exact="Cairo", prefix="talks in ", suffix=" went on")
    [result] = reanchor("", f"{window} and {window}", [sel])
    assert result.state == "orphaned"
    [result] = reanchor("", f"{window} and then nothing", [sel])
    assert (result.state, result.method, result.selector.start) == ("reanchored", "fuzzy", 13)


def test_short_quote_needs_its_context():
    """A deleted "US" is not re-attached to another "US" with unrelated context."""
    old = "The US envoy arrived. Later the US embassy issued a statement on the visit."
    sel = mention(old, "US", after="The ")
    new = old.replace("The US envoy", "The envoy")
    [result] = reanchor(old, new, [sel])
    assert result.state == "orphaned"


def test_insertion_into_repeated_text_still_finds_a_distant_mention():
    """An edit inside a run of repeated text can be aligned at either end of the run; a mention
    far from the real edit is found either way."""
    old = "a" * 50 + "b" + "a" * 50 + "b" + "a" * 50
    sel = capture(old, 48, 53)
    [result] = reanchor(old, "a" + old, [sel])
    assert (result.state, result.method, result.selector.start) == ("reanchored", "diff", 49)


def test_every_selector_gets_a_result_in_order():
    """Results come back one per selector and in the same order, orphans included."""
    selectors = [
        mention(SEED, "Antony Blinken", after="received "),
        mention(SEED, "Cairo"),
        mention(SEED, "AFP"),
    ]
    new = SEED.replace("received Antony Blinken", "received him")
    results = reanchor(SEED, new, selectors)
    assert [r.state for r in results] == ["orphaned", "anchored", "reanchored"]
    assert [r.selector.exact for r in results[1:]] == ["Cairo", "AFP"]
    assert reanchor(SEED, new, []) == []


# properties over random edits

# A small alphabet makes repeated text (the hard case for anchoring) common; the other pieces
# cover accents, combining marks, astral characters, joiners and line breaks.
PIECES = st.one_of(
    st.sampled_from(["a", "b", " ", "ab", ".", "\n", "é", "e\u0301", "\u0301", "𝔘", "😀\u200d😀"]),
    st.characters(exclude_categories=("Cs",)),
)


def texts(min_size=0, max_size=40):
    return st.lists(PIECES, min_size=min_size, max_size=max_size).map("".join)


@st.composite
def bodies_with_selectors(draw, min_size=1, max_size=300):
    body = draw(texts(min_size, max_size))
    selectors = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(body) - 1))
        end = draw(st.integers(start + 1, min(len(body), start + 12)))
        selectors.append(capture(body, start, end))
    return body, selectors


@st.composite
def edits(draw, body):
    start = draw(st.integers(0, len(body)))
    end = draw(st.integers(start, min(len(body), start + 40)))
    return start, end, draw(texts(max_size=30))


def apply(body: str, edit: tuple[int, int, str]) -> str:
    start, end, text = edit
    return body[:start] + text + body[end:]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_edits_keep_every_result_sound(data):
    """After one to four edits, each selector has one result and never points at other text."""
    body, selectors = data.draw(bodies_with_selectors())
    new = body
    for _ in range(data.draw(st.integers(1, 4))):
        new = apply(new, data.draw(edits(new)))
    results = reanchor(body, new, selectors)
    assert len(results) == len(selectors)
    for old, result in zip(selectors, results, strict=True):
        assert_sound(new, old, result)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mentions_away_from_a_single_edit_are_never_orphaned(data):
    """A mention more than CONTEXT characters from the only edit keeps its text and is found;
    one before the edit stays at its offsets."""
    body, selectors = data.draw(bodies_with_selectors(min_size=80, max_size=400))
    edit = data.draw(edits(body))
    new = apply(body, edit)
    results = reanchor(body, new, selectors)
    edit_start, edit_end, _ = edit
    for old, result in zip(selectors, results, strict=True):
        assert_sound(new, old, result)
        if old.end + CONTEXT < edit_start:
            assert (result.state, result.selector) == ("anchored", old)
        elif old.start > edit_end + CONTEXT:
            assert result.state != "orphaned"


@settings(max_examples=100, deadline=None)
@given(bodies_with_selectors())
def test_unchanged_body_anchors_everything(body_and_selectors):
    """Re-anchoring against the same body anchors every selector where it was."""
    body, selectors = body_and_selectors
    results = reanchor(body, body, selectors)
    assert [(r.state, r.selector) for r in results] == [("anchored", s) for s in selectors]
