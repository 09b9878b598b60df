"""Resolve the dates written in a wire story against its dateline.

Pure functions, no Django. A small table of regular expressions finds candidate expressions;
overlaps are settled leftmost-longest; the survivors are then resolved in text order, because
relative expressions ("the day after") chain from the previous resolved day.

Rules worth knowing (each result's ``reason`` says which one applied):

* A bare weekday ("on Friday") is the most recent such day on or before the dateline, since wire
  copy uses weekdays for the week just gone. In a sentence that looks ahead (see
  ``FUTURE_WORDS``) it is the next such day on or after the dateline. "last"/"next" force the
  direction and exclude the dateline itself.
* A month without a year ("in February") is the most recent occurrence up to the dateline's
  month, or, in a forward-looking sentence, the first occurrence from the dateline's month on:
  with a January 2023 dateline, "a possible visit ... in February" is February 2023 and "talks
  in February" is February 2022.
* A day and month without a year take the year that puts the date closest to the dateline,
  preferring a year where the written weekday matches.
* "a day after" / "the day before" / "two days later" count from the previous resolved day in
  the text, or from the dateline when there is none. After a verb of occurrence, "X came a day
  after Y" dates Y, the thing after "after", so it is the anchor minus one day.
* A year needs a preposition ("in 1979", "since 1967") so counts and ages are never dates.
* Only days anchor relative days. Weeks ("last week") have no precision of their own and "in
  recent days" is no date, so neither is suggested.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FUTURE_WORDS", "ResolvedDate", "find_dates", "format_date"]


@dataclass(frozen=True)
class ResolvedDate:
    start: int
    end: int
    text: str
    value: datetime.date
    precision: str  # "day" | "month" | "year"
    reason: str
    rule: str = ""  # which pattern resolved it: "weekday", "day-offset", "year", ...


_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH_NUMBERS.update(
    {name[:3].lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)} | {"sept": 9}
)
_NUMBER_WORDS = {"a": 1, "one": 1, "the": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER_WORDS |= {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

# Words that make a sentence look ahead, for weekdays and months written without a year. Kept
# strict: "next" ("the next day"), "due to" (causal) and "planned" also turn up in past narrative.
FUTURE_WORDS = re.compile(
    r"\b(?:will|shall|won't|expected|expects|possible|possibly|scheduled|upcoming|forthcoming"
    r"|plans? to|intends? to|(?:is|are) due to|(?:is|are) set to)\b|\w'll\b",
    re.IGNORECASE,
)

_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(?:" + "|".join(_MONTH_NAMES) + r")"
_MONTH_ANY = (
    r"(?:(?:" + "|".join(_MONTH_NAMES) + r")\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"\b\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
_YEAR_TAIL = r"(?:,?\s+(?P<year>(?:1[89]|20)\d\d)\b)?"
_PREPOSITION = r"(?i:in|since|until|till|from|before|after|during|of|around|circa|early|mid|late)"
# "in 1979-80", "in 2000,000", "in 1990.5" and percentages are not years on their own.
_NOT_A_NUMBER_TAIL = r"(?![-–]\d|,\d|\.\d|\s*%)"
_OCCURRED_BEFORE = re.compile(
    r"\b(?:came|comes|come|happened|occurred|took place|followed|was|were)\s+$", re.IGNORECASE
)


@dataclass
class _State:
    dateline: datetime.date
    anchor: datetime.date | None = None
    anchor_text: str = ""


_Resolution = tuple[datetime.date, str, str] | None
_Resolver = Callable[[re.Match, str, _State], _Resolution]


def format_date(value: datetime.date, precision: str) -> str:
    """Render a date at its precision: "Fri 27 Jan 2023", "Feb 2023", "1979"."""
    if precision == "year":
        return str(value.year)
    month = _MONTH_NAMES[value.month - 1][:3]
    if precision == "month":
        return f"{month} {value.year}"
    weekday = _WEEKDAY_NAMES[value.weekday()][:3]
    return f"{weekday} {value.day} {month} {value.year}"


def _day(value: datetime.date) -> str:
    return format_date(value, "day")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around a span, cheaply: bounded by ". ", "! ", "? " or a newline."""
    lo = max(0, start - 600)
    left = max(text.rfind(mark, lo, start) for mark in (". ", "! ", "? ", "\n"))
    left = lo if left < 0 else left + 1
    hi = min(len(text), end + 600)
    rights = [i for i in (text.find(mark, end, hi) for mark in (". ", "! ", "? ", "\n")) if i >= 0]
    return text[left : min(rights) if rights else hi]


def _looks_ahead(text: str, match: re.Match) -> bool:
    return bool(FUTURE_WORDS.search(_sentence(text, match.start(), match.end())))


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _resolve_iso(match: re.Match, text: str, state: _State) -> _Resolution:
    value = _safe_date(int(match["year"]), int(match["month"]), int(match["day"]))
    return (value, "day", "ISO date") if value else None


def _resolve_day_month(match: re.Match, text: str, state: _State) -> _Resolution:
    month = _MONTH_NUMBERS[match["month"].rstrip(".").lower()]
    day = int(match["day"])
    weekday = match["weekday"]
    if match["year"]:
        value = _safe_date(int(match["year"]), month, day)
        if value is None:
            return None
        reason = "explicit date"
        if weekday and _WEEKDAY_NAMES[value.weekday()] != weekday:
            reason += f" (the text says {weekday}; it was a {_WEEKDAY_NAMES[value.weekday()]})"
        return value, "day", reason
    dateline = state.dateline
    candidates = [
        d
        for y in (dateline.year - 1, dateline.year, dateline.year + 1)
        if (d := _safe_date(y, month, day))
    ]
    if not candidates:
        return None

    def rank(d: datetime.date) -> tuple[bool, int]:
        wrong_weekday = bool(weekday) and _WEEKDAY_NAMES[d.weekday()] != weekday
        return wrong_weekday, abs((d - dateline).days)

    value = min(candidates, key=rank)
    reason = (
        f"day and month without a year: year {value.year}, closest to dateline {_day(dateline)}"
    )
    if weekday:
        if _WEEKDAY_NAMES[value.weekday()] == weekday:
            reason += f"; weekday {weekday} matches"
        else:
            reason += f"; the text says {weekday} but it was a {_WEEKDAY_NAMES[value.weekday()]}"
    return value, "day", reason


def _resolve_month_year(match: re.Match, text: str, state: _State) -> _Resolution:
    month = _MONTH_NUMBERS[match["month"].rstrip(".").lower()]
    return datetime.date(int(match["year"]), month, 1), "month", "explicit month and year"


def _resolve_month(match: re.Match, text: str, state: _State) -> _Resolution:
    month = _MONTH_NUMBERS[match["month"].lower()]
    dateline = state.dateline
    modifier = (match["modifier"] or "").lower()
    name = match["month"]
    if modifier == "last":
        year = dateline.year if month < dateline.month else dateline.year - 1
        reason = f"'last {name}': the previous {name} before dateline"
    elif modifier == "next":
        year = dateline.year if month > dateline.month else dateline.year + 1
        reason = f"'next {name}': the next {name} after dateline"
    elif modifier == "this":
        year = dateline.year
        reason = f"'this {name}': {name} of the dateline's year"
    elif _looks_ahead(text, match):
        year = dateline.year if month >= dateline.month else dateline.year + 1
        reason = (
            f"month without a year in a forward-looking sentence: the next {name} from dateline"
        )
    else:
        year = dateline.year if month <= dateline.month else dateline.year - 1
        reason = f"month without a year: the most recent {name} up to dateline"
    return datetime.date(year, month, 1), "month", f"{reason} {_day(dateline)}"


def _resolve_year(match: re.Match, text: str, state: _State) -> _Resolution:
    return datetime.date(int(match["year"]), 1, 1), "year", f"year after '{match['prep']}'"


def _resolve_weekday(match: re.Match, text: str, state: _State) -> _Resolution:
    weekday = match["weekday"]
    target = _WEEKDAY_NAMES.index(weekday)
    dateline = state.dateline
    modifier = (match["modifier"] or "").lower()
    back = (dateline.weekday() - target) % 7
    ahead = (target - dateline.weekday()) % 7
    where = f"dateline {_day(dateline)}"
    if modifier == "last":
        value = dateline - datetime.timedelta(days=back or 7)
        reason = f"'last {weekday}': the {weekday} before {where}"
    elif modifier == "next":
        value = dateline + datetime.timedelta(days=ahead or 7)
        reason = f"'next {weekday}': the {weekday} after {where}"
    elif modifier == "this":
        value = dateline + datetime.timedelta(days=target - dateline.weekday())
        reason = f"'this {weekday}': the {weekday} in the week of {where}"
    elif _looks_ahead(text, match):
        value = dateline + datetime.timedelta(days=ahead)
        reason = f"weekday '{weekday}' in a forward-looking sentence: on or after {where}"
    else:
        value = dateline - datetime.timedelta(days=back)
        reason = f"weekday '{weekday}': on or before {where}"
    return value, "day", reason


_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
}


def _resolve_relative_word(match: re.Match, text: str, state: _State) -> _Resolution:
    phrase = " ".join(match[0].lower().split())
    value = state.dateline + datetime.timedelta(days=_RELATIVE_DAYS[phrase])
    return value, "day", f"'{phrase}' relative to dateline {_day(state.dateline)}"


def _resolve_relative_period(match: re.Match, text: str, state: _State) -> _Resolution:
    which, unit = match["which"].lower(), match["unit"].lower()
    dateline = state.dateline
    step = {"last": -1, "this": 0, "next": 1}[which]
    if unit == "year":
        return datetime.date(dateline.year + step, 1, 1), "year", f"'{which} year' from dateline"
    index = dateline.year * 12 + dateline.month - 1 + step
    value = datetime.date(index // 12, index % 12 + 1, 1)
    return value, "month", f"'{which} month' from dateline {_day(dateline)}"


def _resolve_day_offset(match: re.Match, text: str, state: _State) -> _Resolution:
    if match["count"]:
        count = match["count"].lower()
        days = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        direction = match["direction"].lower()
    else:
        days = 1
        direction = "after" if match["neighbour"].lower() in ("next", "following") else "before"
    sign = 1 if direction in ("after", "later") else -1
    if state.anchor is not None:
        anchor, source = state.anchor, f"previous date '{state.anchor_text}' ({_day(state.anchor)})"
    else:
        anchor, source = state.dateline, f"dateline {_day(state.dateline)} (no earlier date)"
    phrase = " ".join(match[0].split())
    span = f"{days} day{'s' if days > 1 else ''}"
    occurred = _OCCURRED_BEFORE.search(text[max(0, match.start() - 20) : match.start()])
    if direction in ("after", "before") and occurred:
        # "The attack came a day after the raid": the attack is the anchor; the span dates the raid.
        value = anchor - datetime.timedelta(days=sign * days)
        verb = " ".join(occurred[0].split())
        reason = (
            f"'{verb} {phrase} …' dates what follows '{direction}': "
            f"{span} {'before' if sign > 0 else 'after'} {source}"
        )
    else:
        value = anchor + datetime.timedelta(days=sign * days)
        reason = f"'{phrase}': {span} {'after' if sign > 0 else 'before'} {source}"
    return value, "day", reason


# (name, pattern, resolver). The span reported is the ``expr`` group when present, so a leading
# preposition ("on Friday", "in 1979") guides matching without entering the annotation.
_PATTERNS: tuple[tuple[str, re.Pattern, _Resolver], ...] = tuple(
    (name, re.compile(pattern), resolver)
    for name, pattern, resolver in (
        ("iso", r"\b(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)\b", _resolve_iso),
        (
            "month-day",
            rf"\b(?:(?P<weekday>{_WD}),?\s+)?(?P<month>{_MONTH_ANY})\s+{_DAY}{_YEAR_TAIL}",
            _resolve_day_month,
        ),
        (
            "day-month",
            rf"\b(?:(?P<weekday>{_WD}),?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH_ANY})"
            rf"{_YEAR_TAIL}",
            _resolve_day_month,
        ),
        (
            "month-year",
            rf"\b(?P<month>{_MONTH_ANY})\s+(?P<year>(?:1[89]|20)\d\d)\b{_NOT_A_NUMBER_TAIL}",
            _resolve_month_year,
        ),
        (
            "month",
            rf"\b(?:(?P<modifier>(?i:last|next|this))\s+|{_PREPOSITION}[\s-]+(?:the\s+end\s+of\s+)?)"
            rf"(?P<month>{_MONTH})\b",
            _resolve_month,
        ),
        (
            "year",
            rf"\b(?P<prep>{_PREPOSITION})[\s-]+(?P<expr>(?P<year>(?:1[89]|20)\d\d))\b"
            rf"{_NOT_A_NUMBER_TAIL}",
            _resolve_year,
        ),
        (
            "weekday",
            rf"\b(?P<expr>(?:(?P<modifier>(?i:last|next|this))\s+)?(?P<weekday>{_WD}))\b",
            _resolve_weekday,
        ),
        (
            "relative-word",
            r"(?i)\b(?:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow"
            r"|yesterday|today|tonight|tomorrow)\b",
            _resolve_relative_word,
        ),
        (
            "relative-period",
            r"(?i)\b(?P<which>last|this|next)\s+(?P<unit>year|month)\b",
            _resolve_relative_period,
        ),
        (
            "day-offset",
            r"(?i)\b(?:(?P<count>a|one|the|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})"
            r"\s+days?\s+(?P<direction>after|before|later|earlier)"
            r"|the\s+(?P<neighbour>next|following|previous|preceding)\s+day)\b",
            _resolve_day_offset,
        ),
    )
)


def _span(match: re.Match) -> tuple[int, int]:
    if "expr" in match.re.groupindex:
        return match.span("expr")
    if "modifier" in match.re.groupindex and "month" in match.re.groupindex and match["month"]:
        # Bare months: the span is "[last ]February", without the preposition.
        start = match.start("modifier") if match["modifier"] else match.start("month")
        return start, match.end("month")
    return match.span()


# Every pattern above contains one of these trigger words. Patterns opening on \b are slow to
# scan (the regex engine cannot skip ahead to a literal), so each only runs in windows around
# its triggers.
# (Three plain regexes: one alternation with a named group per kind scans six times slower.)
_TRIGGER_WORD = re.compile(r"day|year|month|tonight|tomorrow")  # run on the lowercased text
_TRIGGER_NUMBER = re.compile(r"\d\d\d\d")
_TRIGGER_MONTH = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
_TRIGGERED = {
    "day": ("weekday", "relative-word", "day-offset"),
    "year": ("relative-period",),
    "month": ("relative-period",),
    "tonight": ("relative-word",),
    "tomorrow": ("relative-word",),
    "number": ("iso", "year"),
    "month name": ("month-day", "day-month", "month-year", "month"),
}
_WINDOW = 80  # longer than any date expression


def _windows(text: str) -> list[tuple[int, int, set[str]]]:
    """Stretches of text worth scanning, with the patterns worth running there."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lowercase to two; scan everything
        return [(0, len(text), {name for name, _, _ in _PATTERNS})]
    hits = sorted(
        [(m.start(), m.group()) for m in _TRIGGER_WORD.finditer(lowered)]
        + [(m.start(), "number") for m in _TRIGGER_NUMBER.finditer(text)]
        + [(m.start(), "month name") for m in _TRIGGER_MONTH.finditer(text)]
    )
    windows: list[tuple[int, int, set[str]]] = []
    for pos, trigger in hits:
        lo, hi = max(0, pos - _WINDOW), min(len(text), pos + _WINDOW)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi, windows[-1][2])
        else:
            windows.append((lo, hi, set()))
        windows[-1][2].update(_TRIGGERED[trigger])
    return windows


def find_dates(text: str, dateline: datetime.date) -> list[ResolvedDate]:
    """Every date expression in ``text`` resolved against ``dateline``, in text order."""
    candidates = []
    for lo, hi, wanted in _windows(text):
        for order, (name, pattern, resolver) in enumerate(_PATTERNS):
            if name not in wanted:
                continue
            for match in pattern.finditer(text, lo, hi):
                start, end = _span(match)
                candidates.append((start, -(end - start), order, end, match, resolver))
    candidates.sort(key=lambda c: c[:3])

    state = _State(dateline=dateline)
    results: list[ResolvedDate] = []
    claimed_until = -1
    for start, _length, order, end, match, resolver in candidates:
        if start < claimed_until:
            continue
        resolution = resolver(match, text, state)
        if resolution is None:
            continue
        value, precision, reason = resolution
        claimed_until = end
        rule = _PATTERNS[order][0]
        results.append(ResolvedDate(start, end, text[start:end], value, precision, reason, rule))
        if precision == "day":
            state.anchor, state.anchor_text = value, text[start:end]
    return results
