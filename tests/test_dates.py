"""Date resolution against a dateline (pure, no database: run with ``-p no:django``)."""

import datetime
from pathlib import Path

import pytest

from briefings.dates import ResolvedDate, find_dates, format_date

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_d4e03e9a36cbd143.txt"
DATELINE = datetime.date(2023, 1, 30)  # Monday


def resolve(text: str, dateline: datetime.date = DATELINE) -> list[tuple[str, str, str]]:
    return [(d.text, d.value.isoformat(), d.precision) for d in find_dates(text, dateline)]


def only(text: str, dateline: datetime.date = DATELINE) -> ResolvedDate:
    dates = find_dates(text, dateline)
    assert len(dates) == 1, dates
    return dates[0]


def test_seed_dates_resolve_against_the_dateline():
    """Every date in the seed article, in order, with its value and precision."""
    assert resolve(SEED.read_text()) == [
        ("Monday January 30", "2023-01-30", "day"),
        ("Friday", "2023-01-27", "day"),
        ("a day after", "2023-01-26", "day"),
        ("Saturday", "2023-01-28", "day"),
        ("Sunday", "2023-01-29", "day"),
        ("1967", "1967-01-01", "year"),
        ("Monday", "2023-01-30", "day"),
        ("Monday", "2023-01-30", "day"),
        ("1979", "1979-01-01", "year"),
        ("February", "2023-02-01", "month"),
    ]


def test_spans_are_exact_offsets_into_the_text():
    """start/end index the original text, so an annotation can be anchored on them."""
    text = SEED.read_text()
    for d in find_dates(text, DATELINE):
        assert text[d.start : d.end] == d.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("talks on Friday", "2023-01-27"),
        ("On Saturday, a teenager", "2023-01-28"),
        ("and on Sunday, guards", "2023-01-29"),
        ("On Monday, forces", "2023-01-30"),
        ("Friday's attack", "2023-01-27"),
    ],
)
def test_bare_weekday_is_the_latest_such_day_up_to_the_dateline(text, expected):
    """A weekday alone is the most recent one on or before the dateline, the dateline included."""
    resolved = only(text)
    assert (resolved.value.isoformat(), resolved.precision) == (expected, "day")
    assert "on or before dateline Mon 30 Jan 2023" in resolved.reason


def test_weekday_in_a_forward_looking_sentence_is_ahead():
    """ "will ... on Tuesday" written on a Monday is the next day, not last week."""
    resolved = only("Blinken will meet Abbas on Tuesday.")
    assert resolved.value == datetime.date(2023, 1, 31)
    assert "forward-looking" in resolved.reason


def test_last_and_next_weekday_exclude_the_dateline():
    """ "last Monday" and "next Monday" written on a Monday are a week away."""
    assert resolve("last Monday and next Monday") == [
        ("last Monday", "2023-01-23", "day"),
        ("next Monday", "2023-02-06", "day"),
    ]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("discussed on Monday January 30 in Cairo", "Monday January 30"),
        ("on Monday 30 January in Cairo", "Monday 30 January"),
        ("on January 30, 2023 in Cairo", "January 30, 2023"),
        ("on 30 January 2023 in Cairo", "30 January 2023"),
        ("on Jan. 30 in Cairo", "Jan. 30"),
        ("on the 30th of January", "the 30th of January"),
        ("dated 2023-01-30", "2023-01-30"),
    ],
)
def test_written_out_dates(text, span):
    """Day-month dates in the usual orders, with or without weekday and year, are one span."""
    resolved = only(text)
    assert (resolved.text, resolved.value, resolved.precision) == (span, DATELINE, "day")


def test_yearless_date_takes_the_year_closest_to_the_dateline():
    """ "December 28" in a 5 January story is last December."""
    assert only("on December 28", datetime.date(2023, 1, 5)).value == datetime.date(2022, 12, 28)


def test_wrong_weekday_is_reported_not_trusted():
    """A weekday that contradicts the written date keeps the date and says so."""
    resolved = only("on Tuesday 30 January 2023")
    assert resolved.value == DATELINE
    assert "it was a Monday" in resolved.reason


def test_came_a_day_after_dates_the_earlier_event():
    """ "The attack [Friday] came a day after the raid": the span dates the raid, a day earlier."""
    text = "A gunman killed seven on Friday. The attack came a day after Israel's deadliest raid."
    friday, raid = find_dates(text, DATELINE)
    assert friday.value == datetime.date(2023, 1, 27)
    assert (raid.text, raid.value) == ("a day after", datetime.date(2023, 1, 26))
    assert "came a day after" in raid.reason
    assert "1 day before previous date 'Friday' (Fri 27 Jan 2023)" in raid.reason


def test_relative_days_chain_from_the_previous_date():
    """ "the day after" counts from the last resolved day, which it then becomes."""
    text = "He landed on 5 March. The day after, he met Abbas; two days later he left."
    assert resolve(text) == [
        ("5 March", "2023-03-05", "day"),
        ("The day after", "2023-03-06", "day"),
        ("two days later", "2023-03-08", "day"),
    ]


def test_the_day_before_and_the_next_day():
    """Both directions, in words."""
    text = "Talks opened on Sunday; the day before, and the following day, nothing."
    assert [d for _, d, _ in resolve(text)] == ["2023-01-29", "2023-01-28", "2023-01-29"]


def test_relative_day_without_an_earlier_date_counts_from_the_dateline():
    """With nothing before it, "the day before" is the eve of the dateline, and says so."""
    resolved = only("the day before, protests")
    assert resolved.value == datetime.date(2023, 1, 29)
    assert "dateline" in resolved.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yesterday", "2023-01-29"),
        ("Today", "2023-01-30"),
        ("tomorrow", "2023-01-31"),
        ("the day before yesterday", "2023-01-28"),
    ],
)
def test_relative_words(text, expected):
    """Yesterday, today, tomorrow are relative to the dateline."""
    assert resolve(text) == [(text, expected, "day")]


def test_years_need_a_preposition():
    """ "in 1979" and "since 1967" are years; counts, ages and ranges are not."""
    assert resolve("peace with Israel in 1979, occupied since 1967") == [
        ("1979", "1979-01-01", "year"),
        ("1967", "1967-01-01", "year"),
    ]
    not_dates = (
        "ten Palestinians killed, a 13-year-old, for more than fifteen years, the deadliest in "
        "years, in recent days, 2023 people, in 1967-68, 1,979 dead, France 24"
    )
    assert resolve(not_dates) == []


def test_month_in_a_forward_looking_sentence_is_the_coming_one():
    """ "a possible visit ... in February" from January 2023 is February 2023."""
    resolved = only("experts talk about a possible visit to the White House in February.")
    assert (resolved.text, resolved.value, resolved.precision) == (
        "February",
        datetime.date(2023, 2, 1),
        "month",
    )


def test_month_in_a_past_sentence_is_the_latest_one():
    """Without forward-looking words a month is the most recent one up to the dateline."""
    assert resolve("Talks collapsed in February.") == [("February", "2022-02-01", "month")]
    assert resolve("Talks collapsed in January.") == [("January", "2023-01-01", "month")]


def test_month_modifiers_and_explicit_years():
    """ "last"/"next" choose the side; a written year wins; "may" the verb is no month."""
    assert resolve("last February, next March, in May 2021; it may rain, may I?") == [
        ("last February", "2022-02-01", "month"),
        ("next March", "2023-03-01", "month"),
        ("May 2021", "2021-05-01", "month"),
    ]


def test_relative_periods():
    """ "last month", "this year" keep their coarser precision."""
    assert resolve("last month and this year") == [
        ("last month", "2022-12-01", "month"),
        ("this year", "2023-01-01", "year"),
    ]


def test_dates_far_into_a_long_text_are_found():
    """Scanning in windows around trigger words misses nothing at either end of a long text."""
    text = "on Friday " + "x " * 5000 + "since 1967"
    assert resolve(text) == [("Friday", "2023-01-27", "day"), ("1967", "1967-01-01", "year")]


def test_no_dates():
    """Empty text and text without dates give nothing."""
    assert find_dates("", DATELINE) == []
    assert find_dates("Nothing filtered immediately on the content.", DATELINE) == []


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("day", "Fri 27 Jan 2023"), ("month", "Jan 2023"), ("year", "2023")],
)
def test_format_date(precision, expected):
    """Dates render at their precision, in English whatever the locale."""
    assert format_date(datetime.date(2023, 1, 27), precision) == expected


def test_past_narrative_with_next_day_stays_in_the_past():
    """ "the next day" does not make a sentence forward-looking: Friday is still last Friday."""
    assert resolve("He met Abbas on Friday and left the next day.") == [
        ("Friday", "2023-01-27", "day"),
        ("the next day", "2023-01-28", "day"),
    ]
