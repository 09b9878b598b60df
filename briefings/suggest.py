"""Annotation suggestions for an article body: actors, quotes and dates.

Pure functions, no Django. Every suggestion is deterministic, carries the reason it was made and a
confidence, and is only ever a proposal: the editor accepts or rejects it.

Actors come from a gazetteer of names and aliases. Text and aliases are split into word tokens
that are folded the same way (case, diacritics, a leading "al-"/"El-"/"el " absorbed into the
next word, hyphens and spaces both separating words), so matching compares token sequences while
every token keeps its offsets in the original text. The index is a dict of folded sequences plus,
per first word, the sequence lengths to try, longest first: the scan costs one set lookup per
word and a few dict lookups per candidate name. A surname alone ("Netanyahu") is suggested, with
less confidence, once the person has been named in full earlier in the same text.

Quotes are the text between straight or curly double quotes, paired within a paragraph. The
speaker comes from the nearest cue verb in the same sentence: its subject ("Ned Price said"), an
actor right after it ("according to the State Department", "said Ned Price"), or for "he said" /
"she said" the last person named before. Short quotes with no cue are scare quotes.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import accumulate, compress
from operator import attrgetter

from briefings.dates import find_dates

__all__ = ["Gazetteer", "GazetteerEntry", "Suggestion", "normalise", "suggest"]


@dataclass(frozen=True)
class GazetteerEntry:
    key: str  # actor slug
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "person"  # "person" | "organization" | "country" | "group"


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "actor" | "quote" | "date"
    start: int
    end: int
    text: str
    target: str | None
    value: dict = field(hash=False)
    reason: str
    confidence: float

    def as_dict(self) -> dict:
        return asdict(self) | {"confidence": round(self.confidence, 2)}


# A word: letters and digits, with any combining marks of a decomposed accent. Captured, so that
# split() returns separators and words alternately and offsets are running sums of lengths.
_TOKEN_SPLIT = re.compile(r"([^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*)")
# What may separate two words of one name: spaces, at most one line break, hyphens, apostrophes
# and initials' dots ("J. K."), never a blank line or a comma.
_JOIN = re.compile(r"[ \t\u00a0\-\u2010\u2011\u2013'\u2019.]{0,3}\n?[ \t\u00a0]{0,2}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_PREFIXES = frozenset({"al", "el"})
_PREFIX_JOINS = frozenset({" ", "-", "\u2010", "\u2011", "\u00a0"})


def _fold(token: str) -> str:
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalise(text: str) -> str:
    """The folded form the gazetteer compares: "El-Sisi’s" -> "sisi s", "Abdel Fattah al-Sissi"
    -> "abdel fattah sissi"."""
    return " ".join(_Tokens(text).folded)


class _Tokens:
    """The words of a text, folded, with their offsets in the original text.

    A prefix word ("al", "El") joined to the next word by a hyphen or a space is absorbed: the
    next word's span starts at the prefix, so "El-Sisi" is one token "sisi" covering all seven
    characters.
    """

    __slots__ = ("starts", "ends", "raw", "folded")

    def __init__(self, text: str) -> None:
        # Built from C-level primitives (split, accumulate, map): this runs once per megabyte.
        parts = _TOKEN_SPLIT.split(text)
        offsets = list(accumulate(map(len, parts)))
        raw = parts[1::2]
        starts = offsets[0:-1:2]
        ends = offsets[1::2]
        folded = list(map(str.lower, raw))
        if not text.isascii():
            # Accents are rare in English copy: refold only the words that hold one.
            for m in _NON_ASCII.finditer(text):
                i = bisect_right(starts, m.start()) - 1
                if i >= 0 and m.start() < ends[i]:
                    folded[i] = _fold(raw[i])
        prefixes = [
            i
            for i in compress(range(len(folded) - 1), map(_PREFIXES.__contains__, folded))
            if text[ends[i] : starts[i + 1]] in _PREFIX_JOINS
        ]
        if prefixes:
            keep = bytearray(b"\x01") * len(folded)
            for i in prefixes:
                starts[i + 1] = starts[i]
                keep[i] = 0
            raw = list(compress(raw, keep))
            starts = list(compress(starts, keep))
            ends = list(compress(ends, keep))
            folded = list(compress(folded, keep))
        self.starts, self.ends, self.raw, self.folded = starts, ends, raw, folded


@dataclass(frozen=True)
class _Candidate:
    tokens: tuple[str, ...]
    exact: tuple[tuple[int, str], ...]  # (offset, token) pairs that must match case-sensitively
    forms: tuple[tuple[int, str, bool], ...]  # (entry index, alias as written, is the name)
    owners: tuple[int, ...]  # entry indexes, in gazetteer order; more than one is ambiguous


@dataclass(frozen=True)
class _ActorHit:
    start: int
    end: int
    index: int  # position of the entry in the gazetteer
    entry: GazetteerEntry
    matched: str
    reason: str
    confidence: float
    words: int


def _is_acronym(token: str) -> bool:
    # "US" must not match "us", nor the initial "A." the article "a": short all-capital alias
    # words only match as written.
    return len(token) <= 4 and token.isupper() and token.isalpha()


class Gazetteer:
    """Every actor name and alias, indexed for one pass over a text.

    ``_candidates`` maps a folded token sequence to what it names; ``_lengths`` maps a first
    token to the sequence lengths starting with it, longest first, so each word of a text costs
    one dict lookup and a match a few more.
    """

    def __init__(self, entries: Iterable[GazetteerEntry]) -> None:
        self.entries: list[GazetteerEntry] = list(entries)
        grouped: dict[tuple[str, ...], tuple[tuple, list]] = {}
        surnames: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            for form in dict.fromkeys((entry.name, *entry.aliases)):
                tokens = _Tokens(form)
                if not tokens.folded:
                    continue
                seq = tuple(tokens.folded)
                exact = tuple((i, r) for i, r in enumerate(tokens.raw) if _is_acronym(r))
                grouped.setdefault(seq, (exact, []))[1].append((index, form, form == entry.name))
                if entry.kind == "person" and len(seq) > 1:
                    people = surnames.setdefault(seq[-1], [])
                    if index not in people:
                        people.append(index)
        self._candidates = {
            seq: _Candidate(seq, exact, tuple(forms), tuple(dict.fromkeys(f[0] for f in forms)))
            for seq, (exact, forms) in grouped.items()
        }
        lengths: dict[str, set[int]] = {}
        for seq in grouped:
            lengths.setdefault(seq[0], set()).add(len(seq))
        self._lengths = {first: sorted(ns, reverse=True) for first, ns in lengths.items()}
        self._surnames = surnames
        self._keys = frozenset(self._lengths) | frozenset(surnames)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, text: str) -> list[Suggestion]:
        """Actor suggestions for ``text``, in text order, non-overlapping."""
        return [_actor_suggestion(text, hit) for hit in self._hits(text, _Tokens(text))]

    def _hits(self, text: str, toks: _Tokens) -> list[_ActorHit]:
        folded, raw, starts, ends = toks.folded, toks.raw, toks.starts, toks.ends
        count = len(folded)
        lengths, candidates, surnames = self._lengths, self._candidates, self._surnames
        joins = _JOIN.fullmatch
        last_seen: dict[int, int] = {}  # entry index -> start of its latest mention
        named_in_full: set[int] = set()  # people already mentioned with more than one word
        hits: list[_ActorHit] = []
        described: dict[tuple, tuple] = {}  # (tokens, written) -> reason etc., when unambiguous
        resume = 0
        for i in compress(range(count), map(self._keys.__contains__, folded)):
            if i < resume:
                continue
            found = None
            for n in lengths.get(folded[i], ()):
                if i + n > count:
                    continue
                cand = (
                    candidates.get(tuple(folded[i : i + n])) if n > 1 else candidates[(folded[i],)]
                )
                if (
                    cand is None
                    or any(raw[i + k] != token for k, token in cand.exact)
                    or not all(joins(text, ends[k], starts[k + 1]) for k in range(i, i + n - 1))
                ):
                    continue
                found = cand
                break
            if found is not None:
                n = len(found.tokens)
                start, end = starts[i], ends[i + n - 1]
                hit = self._alias_hit(text[start:end], start, end, found, last_seen, described)
                resume = i + n
            elif folded[i] in surnames and raw[i][:1].isupper():
                people = [p for p in surnames[folded[i]] if p in named_in_full]
                hit = self._surname_hit(text, starts[i], ends[i], people, last_seen)
                resume = i + 1
            else:
                continue
            if hit is None:
                continue
            hits.append(hit)
            last_seen[hit.index] = hit.start
            if hit.words > 1 and hit.entry.kind == "person":
                named_in_full.add(hit.index)
        return hits

    def _alias_hit(
        self,
        written: str,
        start: int,
        end: int,
        cand: _Candidate,
        last_seen: dict[int, int],
        described: dict[tuple, tuple],
    ) -> _ActorHit:
        owners = cand.owners
        words = len(cand.tokens)
        if len(owners) == 1 and (cand.tokens, written) in described:
            chosen, form, reason, confidence = described[cand.tokens, written]
            return _ActorHit(
                start, end, chosen, self.entries[chosen], form, reason, confidence, words
            )
        chosen = max(owners, key=lambda e: (last_seen.get(e, -1), -owners.index(e)))
        forms = [(form, is_name) for index, form, is_name in cand.forms if index == chosen]
        exact = [(form, is_name) for form, is_name in forms if form == written]
        form, is_name = (exact or forms)[0]
        label = "name match" if is_name else "alias match"
        if exact:
            reason, confidence = f"{label}: {form}", 0.95 if is_name else 0.9
        else:
            reason, confidence = f"{label}: {form} (normalised from '{written}')", 0.85
        if words == 1 and len(cand.tokens[0]) <= 3:
            confidence = min(confidence, 0.75)
        if len(owners) > 1:
            others = self._names(e for e in owners if e != chosen)
            why = "latest mentioned" if chosen in last_seen else "first listed"
            reason += f"; ambiguous with {others} ({why} chosen)"
            confidence *= 0.7
        else:
            described[cand.tokens, written] = chosen, form, reason, confidence
        entry = self.entries[chosen]
        return _ActorHit(start, end, chosen, entry, form, reason, confidence, words)

    def _names(self, indexes: Iterable[int], shown: int = 3) -> str:
        # Reasons are stored in a 300-character field: name a few, count the rest.
        names = [self.entries[i].name for i in indexes]
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        return ", ".join(names[:shown]) + more

    def _surname_hit(
        self, text: str, start: int, end: int, people: list[int], last_seen: dict[int, int]
    ) -> _ActorHit | None:
        # A surname alone only counts once the person has been named in full in this text.
        if not people:
            return None
        chosen = max(people, key=lambda p: last_seen.get(p, -1))
        entry = self.entries[chosen]
        reason, confidence = f"surname after full mention of {entry.name}", 0.6
        if len(people) > 1:
            others = self._names(p for p in people if p != chosen)
            reason += f"; also fits {others} (latest mentioned chosen)"
            confidence = 0.45
        return _ActorHit(start, end, chosen, entry, text[start:end], reason, confidence, 1)


def _actor_suggestion(text: str, hit: _ActorHit) -> Suggestion:
    return Suggestion(
        kind="actor",
        start=hit.start,
        end=hit.end,
        text=text[hit.start : hit.end],
        target=hit.entry.key,
        value={"matched": hit.matched},
        reason=hit.reason,
        confidence=hit.confidence,
    )


# Quotes ------------------------------------------------------------------------------------

_QUOTE_MARK = re.compile('["\u201c\u201d]')
_WORD = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*")
_INSERTION = re.compile(r"\[[^\]\n]*\]")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+|\n\s*")
# Full stops after these do not end a sentence.
_ABBREVIATED = "mr mrs ms dr st gen col lt sgt capt gov sen rep jr sr prof mt no vs etc u.s u.n"
_ABBREVIATIONS = frozenset(_ABBREVIATED.split(" "))
_FRAGMENT_WORDS = 3

# How each cue word reports speech. "finite": the speaker is its subject (or, for said/says/
# added, an actor right after it); "participle": "stressing" continues the sentence's earlier
# cue; "according": the speaker follows it; "weak": it reports a discussion, so the quoted words
# are a paraphrase at best.
_CUE_ROLES = {
    "finite": "said says say told tells tell added adds stressed stresses declared declares urged"
    " urges urge warned warns insisted insists explained explains affirmed affirms announced"
    " announces condemned condemns denounced denounces",
    "participle": "saying adding stressing declaring urging warning insisting explaining"
    " affirming announcing",
    "weak": "discussed discusses described describes",
}
_CUES = {word: role for role, words in _CUE_ROLES.items() for word in words.split(" ")}
_CUES["according to"] = "according"
_INVERTED = frozenset({"said", "says", "added", "adds"})
_ADDRESSED = frozenset({"told", "tells", "tell"})
_CUE = re.compile(
    r"\b(?:according\s+to|" + "|".join(k for k in _CUES if " " not in k) + r")\b", re.I
)
# "will urge", "to say": future or infinitive cues report nothing said yet.
_NOT_REPORTED = re.compile(r"\b(?:will|would|shall|should|must|can|could|may|might|to)\s+$", re.I)
_PRONOUN = re.compile(r"\b(?:he|she)\s+$", re.I)
_SUBJECT_GAP = re.compile(r"\s*(?:[^\W\d_]+\s+){0,2}|\s*,[^,;:.!?\"\u201c\u201d]{1,80},\s*")
_RUN_GAP = re.compile(r"[^,;:.!?\"\u201c\u201d()\[\]\n]{0,60}")


@dataclass
class _Speaker:
    hit: _ActorHit | None
    how: str
    confidence: float
    addressee: _ActorHit | None = None


class _QuoteFinder:
    """Quotes of one text, with the sentence and actor context needed to attribute them."""

    def __init__(self, text: str, actors: list[_ActorHit]) -> None:
        self.text = text
        self.quotes = _pair_quotes(text)
        self.opens = [o for o, _ in self.quotes]
        self.sentences = _sentence_starts(text, self.quotes)
        # Names inside quotation marks are never the speaker of those words.
        self.actors = [a for a in actors if not self._quoted(a.start)]
        self.actor_starts = [a.start for a in self.actors]
        self.actor_ends = [a.end for a in self.actors]

    def _quoted(self, pos: int) -> bool:
        i = bisect_right(self.opens, pos) - 1
        return i >= 0 and pos <= self.quotes[i][1]

    def _sentence(self, pos: int) -> tuple[int, int, int]:
        i = bisect_right(self.sentences, pos) - 1
        end = self.sentences[i + 1] if i + 1 < len(self.sentences) else len(self.text)
        return i, self.sentences[i], end

    def suggestions(self) -> list[Suggestion]:
        results = []
        speaker_of_sentence: dict[int, _ActorHit] = {}
        for open_at, close_at in self.quotes:
            suggestion = self._suggest(open_at, close_at, speaker_of_sentence)
            if suggestion is not None:
                results.append(suggestion)
        return results

    def _suggest(
        self, open_at: int, close_at: int, speaker_of_sentence: dict[int, _ActorHit]
    ) -> Suggestion | None:
        text = self.text
        start, end = open_at + 1, close_at
        while start < end and text[start].isspace():
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
            end -= 1
        if start == end:
            return None
        words = len(_WORD.findall(text, start, end))
        fragment = words <= _FRAGMENT_WORDS
        index, sent_start, sent_end = self._sentence(open_at)
        cue = self._nearest_cue(open_at, close_at, sent_start, sent_end)
        insertions = _INSERTION.findall(text, start, end)
        starts_sentence = text[start].isupper() or text[start] in "[.\u2026"
        quote_kind = "direct" if starts_sentence and not fragment else "partial"
        size = f"{words}-word fragment" if fragment else f"{quote_kind} quote"
        speaker: _Speaker | None = None
        cue_word = None
        if cue is not None:
            cue_word = " ".join(cue.group().lower().split())
            speaker = self._speaker(cue, index, sent_start, sent_end)
            confidence = speaker.confidence
            if _CUES[cue_word] == "weak":
                confidence = 0.4
                who = speaker.hit.entry.name if speaker.hit else "no known actor"
                reason = f"cue '{cue_word}' only reports a discussion: paraphrase by {who}"
            else:
                reason = f"cue '{cue_word}' {speaker.how}"
                if fragment:
                    confidence *= 0.75
                elif quote_kind == "partial":
                    confidence *= 0.95
            reason += f"; {size}"
            scare = False
        elif fragment:
            confidence, scare = 0.2, True
            reason = f"no cue in its sentence; {words}-word quote: scare quote, not a quotation"
        else:
            scare = False
            previous = speaker_of_sentence.get(index - 1)
            if previous is not None:
                speaker = _Speaker(previous, "", 0.35)
                reason = f"no cue; continues the quote of {previous.entry.name} just before"
                confidence = 0.35
            else:
                reason, confidence = f"no cue and no speaker found; {size}", 0.3
        if insertions:
            reason += "; editorial insertion " + " ".join(insertions)
        hit = speaker.hit if speaker else None
        if hit is not None:
            speaker_of_sentence[index] = hit
        addressee = speaker.addressee if speaker else None
        return Suggestion(
            kind="quote",
            start=start,
            end=end,
            text=text[start:end],
            target=hit.entry.key if hit else None,
            value={
                "speaker": hit.entry.key if hit else None,
                "cue": cue_word,
                "quote_kind": quote_kind,
                "scare_quote": scare,
                "addressee": addressee.entry.key if addressee else None,
                "insertions": insertions,
            },
            reason=reason,
            confidence=round(confidence, 3),
        )

    def _cues(self, sent_start: int, sent_end: int) -> list[re.Match]:
        text = self.text
        return [
            m
            for m in _CUE.finditer(text, sent_start, sent_end)
            if not self._quoted(m.start())
            and not _NOT_REPORTED.search(text, max(0, m.start() - 12), m.start())
        ]

    def _nearest_cue(
        self, open_at: int, close_at: int, sent_start: int, sent_end: int
    ) -> re.Match | None:
        def distance(m: re.Match) -> int:
            return open_at - m.end() if m.end() <= open_at else m.start() - close_at

        cues = self._cues(sent_start, sent_end)
        return min(cues, key=distance) if cues else None

    def _speaker(self, cue: re.Match, index: int, sent_start: int, sent_end: int) -> _Speaker:
        text = self.text
        word = " ".join(cue.group().lower().split())
        role = _CUES[word]
        if role == "according":
            run = self._run_after(cue.end(), sent_end)
            if run:
                hit = _prefer_person(run)
                return _Speaker(hit, f"-> {hit.entry.name}", 0.85)
            return _Speaker(None, "with no known actor after it", 0.4)
        if role == "participle":
            earlier = [
                m
                for m in self._cues(sent_start, cue.start())
                if _CUES[" ".join(m.group().lower().split())] in ("finite", "weak")
            ]
            if earlier:
                previous = self._speaker(earlier[-1], index, sent_start, sent_end)
                if previous.hit is not None:
                    how = f"continues '{earlier[-1].group().lower()}' of {previous.hit.entry.name}"
                    return _Speaker(previous.hit, how, min(previous.confidence, 0.75))
        if _PRONOUN.search(text, max(0, cue.start() - 8), cue.start()):
            pronoun = text[max(0, cue.start() - 8) : cue.start()].split()[-1].lower()
            earliest = self.sentences[max(0, index - 2)]
            hit = self._last_person(earliest, cue.start())
            if hit is not None:
                how = f"with speaker '{pronoun}' -> last person named: {hit.entry.name}"
                return _Speaker(hit, how, 0.7)
            return _Speaker(None, f"with speaker '{pronoun}' and no person named before", 0.4)
        addressee = None
        if word in _ADDRESSED:
            run = self._run_after(cue.end(), sent_end)
            addressee = run[0] if run else None
        subject = self._subject(cue.start(), sent_start)
        if subject is not None:
            how = f"with subject {subject.entry.name}"
            if addressee is not None:
                how += f" (to {addressee.entry.name})"
            return _Speaker(subject, how, 0.85, addressee)
        if word in _INVERTED:
            run = self._run_after(cue.end(), sent_end)
            if run:
                hit = _prefer_person(run)
                return _Speaker(hit, f"followed by {hit.entry.name}", 0.85)
        return _Speaker(None, "with no known actor as speaker", 0.4, addressee)

    def _subject(self, cue_start: int, sent_start: int) -> _ActorHit | None:
        i = bisect_right(self.actor_ends, cue_start) - 1
        if i < 0:
            return None
        # actor_ends is sorted because hits never overlap.
        hit = self.actors[i]
        if hit.start < sent_start or not _SUBJECT_GAP.fullmatch(self.text, hit.end, cue_start):
            return None
        return hit

    def _run_after(self, pos: int, sent_end: int) -> list[_ActorHit]:
        """Actors in the noun phrase after a cue: "the State Department", "spokesman Ned Price"."""
        run = []
        i = bisect_left(self.actor_starts, pos)
        while i < len(self.actors) and self.actors[i].start < sent_end:
            hit = self.actors[i]
            if not _RUN_GAP.fullmatch(self.text, pos, hit.start):
                break
            run.append(hit)
            pos = hit.end
            i += 1
        return run

    def _last_person(self, earliest: int, before: int) -> _ActorHit | None:
        i = bisect_right(self.actor_ends, before) - 1
        while i >= 0 and self.actors[i].start >= earliest:
            if self.actors[i].entry.kind == "person":
                return self.actors[i]
            i -= 1
        return None


def _prefer_person(run: list[_ActorHit]) -> _ActorHit:
    people = [hit for hit in run if hit.entry.kind == "person"]
    return people[-1] if people else run[0]


def _pair_quotes(text: str) -> list[tuple[int, int]]:
    """(opening mark, closing mark) offsets. Curly marks say which side they are; straight ones
    alternate. A quote never crosses a line break, so one stray mark spoils one paragraph only."""
    pairs = []
    open_at = None
    for m in _QUOTE_MARK.finditer(text):
        pos, mark = m.start(), m.group()
        if open_at is not None and text.find("\n", open_at, pos) != -1:
            open_at = None
        if mark == "\u201c" or (mark == '"' and open_at is None):
            open_at = pos
        elif open_at is not None:
            pairs.append((open_at, pos))
            open_at = None
    return pairs


def _sentence_starts(text: str, quotes: list[tuple[int, int]]) -> list[int]:
    """Where sentences start. Quoted words are masked so that their inner full stops do not end
    the reporting sentence; a quote ending in a full stop still does."""
    pieces, pos = [], 0
    for open_at, close_at in quotes:
        inner_end = close_at - 1 if text[close_at - 1 : close_at] in (".", "!", "?") else close_at
        pieces.append(text[pos : open_at + 1])
        pieces.append("x" * max(0, inner_end - open_at - 1))
        pos = max(open_at + 1, inner_end)
    pieces.append(text[pos:])
    masked = "".join(pieces)
    starts = [0]
    for m in _SENTENCE_END.finditer(masked):
        if masked[m.start()] == ".":
            word = masked[max(0, m.start() - 5) : m.start()].split()[-1:]
            word = word[0].lower() if word else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        starts.append(m.end())
    return starts


# Dates -------------------------------------------------------------------------------------

_DATE_CONFIDENCE = {
    "iso": 0.95,
    "month-day": 0.9,
    "day-month": 0.9,
    "month-year": 0.9,
    "year": 0.85,
    "weekday": 0.8,
    "relative-word": 0.8,
    "relative-period": 0.7,
    "month": 0.6,
    "day-offset": 0.6,
}


def _date_suggestions(text: str, dateline: datetime.date) -> list[Suggestion]:
    return [
        Suggestion(
            kind="date",
            start=d.start,
            end=d.end,
            text=d.text,
            target=None,
            value={"date": d.value.isoformat(), "precision": d.precision},
            reason=d.reason,
            confidence=_DATE_CONFIDENCE.get(d.rule, 0.6),
        )
        for d in find_dates(text, dateline)
    ]


def suggest(
    text: str,
    entries: Iterable[GazetteerEntry] | Gazetteer,
    dateline: datetime.date | None = None,
) -> list[Suggestion]:
    """Actor, quote and date suggestions for ``text``, sorted by (start, end, kind).

    Without a dateline there is nothing to resolve relative dates against, so no dates are
    suggested.
    """
    gazetteer = entries if isinstance(entries, Gazetteer) else Gazetteer(entries)
    hits = gazetteer._hits(text, _Tokens(text))
    results = [_actor_suggestion(text, hit) for hit in hits]
    results += _QuoteFinder(text, hits).suggestions()
    if dateline is not None:
        results += _date_suggestions(text, dateline)
    results.sort(key=attrgetter("start", "end", "kind"))
    return results
