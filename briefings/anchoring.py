"""Keep annotations on the words they were made on while an article body is edited.

A span is stored as offsets plus the quoted text and a little context on each side (the W3C
TextPositionSelector and TextQuoteSelector pair). After an edit, ``reanchor`` looks for each span
at its old offsets, then through a diff of the two bodies, then by a scored search for the quote.
A span it cannot place with confidence comes back orphaned: it never moves onto different text.

Offsets are Python ``str`` indices, i.e. code points. The module imports nothing from Django.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

# Characters of context kept on each side of a span.
CONTEXT = 32

# A fuzzy candidate needs this score (context agreement weighted with proximity) to be accepted.
MIN_SCORE = 0.6
# Context agreement needed to trust the quote at its old offsets when the diff puts it elsewhere.
MIN_CONTEXT = 0.5
# Context agreement when only one side matches: that side's share, weighted by this.
ONE_SIDE_WEIGHT = 0.8
# Quotes shorter than this ("US", "he") occur everywhere, so both sides of their context must
# largely agree.
SHORT_QUOTE = 5
SHORT_MIN_CONTEXT = 0.85
# Candidates scoring within this margin of each other are a tie: orphan rather than guess. One
# character of context (of 2 * CONTEXT) outweighs it; under 100 characters of distance do not.
TIE_MARGIN = 0.01
CONTEXT_WEIGHT = 0.8
# Proximity falls from 1 at the expected position to 0 at this distance.
PROXIMITY_RANGE = 2_000
# Fuzzy search scores at most this many occurrences nearest the expected position (plus any
# occurrence whose full context matches), so a quote like "the" cannot make it quadratic.
MAX_CANDIDATES = 200

# Changed regions up to this many characters (both sides together) are diffed character by
# character with difflib; larger ones are diffed by lines, then by words.
CHAR_DIFF_LIMIT = 80
# Line and word diffs use Myers up to this many edits; beyond that, regions of up to MAX_PIECES
# lines or words are split on pieces that occur once on each side (patience diff). Spans in a
# region that neither can align go to fuzzy search.
MAX_EDITS = 200
MAX_PIECES = 200_000

State = Literal["anchored", "reanchored", "orphaned"]
Method = Literal["exact", "diff", "fuzzy", "none"]


class SpanError(ValueError):
    """A span does not fit the body it is said to belong to."""


@dataclass(frozen=True)
class Selector:
    """Where a span is, what it says, and what surrounds it."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class AnchorResult:
    """Where a span landed after an edit; ``selector`` is None when it is orphaned."""

    selector: Selector | None
    state: State
    method: Method
    score: float


def validate(body: str, start: int, end: int, exact: str | None = None) -> None:
    """Raise SpanError unless ``body[start:end]`` is a non-empty span (and equals ``exact``)."""
    if start < 0:
        raise SpanError(f"start {start} is negative")
    if start >= end:
        raise SpanError(f"start {start} is not before end {end}")
    if end > len(body):
        raise SpanError(f"end {end} is past the end of the body (length {len(body)})")
    if exact is not None and body[start:end] != exact:
        raise SpanError(f"text at {start}–{end} is {body[start:end]!r}, not {exact!r}")


def capture(body: str, start: int, end: int, context: int = CONTEXT) -> Selector:
    """Describe ``body[start:end]`` with up to ``context`` characters on each side."""
    if context < 0:
        raise SpanError(f"context {context} is negative")
    validate(body, start, end)
    return Selector(
        start=start,
        end=end,
        exact=body[start:end],
        prefix=body[max(0, start - context) : start],
        suffix=body[end : end + context],
    )


def reanchor(old_body: str, new_body: str, selectors: Sequence[Selector]) -> list[AnchorResult]:
    """Place selectors made on ``old_body`` in ``new_body``: one result per selector, in order."""
    if not selectors:
        return []
    primary, fallback = _align(old_body, new_body)
    finder = _Finder(old_body, new_body)
    return [_reanchor_one(sel, old_body, new_body, primary, fallback, finder) for sel in selectors]


def _reanchor_one(
    sel: Selector,
    old_body: str,
    new_body: str,
    primary: _Alignment,
    fallback: _Alignment | None,
    finder: _Finder,
) -> AnchorResult:
    start, end, exact = sel.start, sel.end, sel.exact
    # Offsets that never fitted the old body cannot be carried through the diff.
    fits = 0 <= start < end <= len(old_body) and end - start == len(exact)
    if fits:
        mapped = primary.map_span(start, end)
        if new_body[start:end] == exact and (
            mapped == (start, end) or _context_ok(finder.context_score(sel, start), exact)
        ):
            return _placed(new_body, start, end, sel, "exact", 1.0)
        for alignment in (primary, fallback):
            if alignment is None:
                continue
            span = mapped if alignment is primary else alignment.map_span(start, end)
            if span is not None and new_body[span[0] : span[1]] == exact:
                method = "exact" if span == (start, end) else "diff"
                return _placed(new_body, span[0], span[1], sel, method, 1.0)
    expected = primary.approximate(min(max(start, 0), len(old_body)))
    found = finder.search(sel, expected)
    if found is None:
        return AnchorResult(selector=None, state="orphaned", method="none", score=0.0)
    position, score = found
    return _placed(new_body, position, position + len(exact), sel, "fuzzy", score)


def _placed(
    new_body: str, start: int, end: int, old: Selector, method: Method, score: float
) -> AnchorResult:
    state: State = "anchored" if (start, end) == (old.start, old.end) else "reanchored"
    return AnchorResult(capture(new_body, start, end), state, method, score)


def _context_ok(score: float, exact: str) -> bool:
    return score >= (SHORT_MIN_CONTEXT if len(exact) < SHORT_QUOTE else MIN_CONTEXT)


class _Finder:
    """Scores places in the new body against a selector's context; caches quote occurrences."""

    def __init__(self, old_body: str, new_body: str) -> None:
        self.old_len = len(old_body)
        self.body = new_body
        self._occurrences: dict[str, list[int]] = {}

    def context_score(self, sel: Selector, position: int) -> float:
        """How much of the stored prefix and suffix surrounds a quote at ``position``, 0 to 1."""
        body, n_pre, n_suf = self.body, len(sel.prefix), len(sel.suffix)
        end = position + len(sel.exact)
        # A context cut short by the edge of the old body only matches a quote at the same edge.
        pre_edge = sel.start == n_pre
        suf_edge = sel.end + n_suf == self.old_len
        pre = _run_before(sel.prefix, body, position)
        suf = _run_after(sel.suffix, body, end)
        pre_units = n_pre + pre_edge
        suf_units = n_suf + suf_edge
        if pre_edge and pre == n_pre and position == n_pre:
            pre += 1
        if suf_edge and suf == n_suf and end + n_suf == len(body):
            suf += 1
        # An empty context (captured with context=0) is no evidence for or against a candidate.
        pre_share = pre / pre_units if pre_units else 0.0
        suf_share = suf / suf_units if suf_units else 0.0
        # One side intact is strong evidence on its own: a paragraph moved elsewhere keeps the
        # context inside it but gets new neighbours across the paragraph break.
        return max((pre_share + suf_share) / 2, ONE_SIDE_WEIGHT * max(pre_share, suf_share))

    def search(self, sel: Selector, expected: int) -> tuple[int, float] | None:
        """Best occurrence of the quote as (position, score), or None if none is convincing."""
        exact = sel.exact
        if not exact:  # a hand-made empty quote would match everywhere
            return None
        occurrences = self._find_all(exact)
        middle = bisect_left(occurrences, expected)
        low = max(0, middle - MAX_CANDIDATES // 2)
        candidates = set(occurrences[low : low + MAX_CANDIDATES])
        if sel.prefix or sel.suffix:
            # A far-away occurrence with its whole context intact (a moved paragraph) is kept even
            # when many nearer occurrences of a common quote fill the window.
            window = sel.prefix + exact + sel.suffix
            hit = self.body.find(window)
            while hit != -1 and len(candidates) < 2 * MAX_CANDIDATES:
                candidates.add(hit + len(sel.prefix))
                hit = self.body.find(window, hit + 1)
        scored = []
        for position in candidates:
            context = self.context_score(sel, position)
            proximity = max(0.0, 1.0 - abs(position - expected) / PROXIMITY_RANGE)
            score = CONTEXT_WEIGHT * context + (1 - CONTEXT_WEIGHT) * proximity
            scored.append((score, context, position))
        if not scored:
            return None
        scored.sort(reverse=True)
        score, context, position = scored[0]
        if score < MIN_SCORE or (len(exact) < SHORT_QUOTE and context < SHORT_MIN_CONTEXT):
            return None
        if len(scored) > 1 and score - scored[1][0] < TIE_MARGIN:
            return None
        return position, score

    def _find_all(self, exact: str) -> list[int]:
        found = self._occurrences.get(exact)
        if found is None:
            found = []
            hit = self.body.find(exact)
            while hit != -1:
                found.append(hit)
                hit = self.body.find(exact, hit + 1)
            self._occurrences[exact] = found
        return found


def _run_before(expected: str, body: str, position: int) -> int:
    """How many characters just before ``position`` match the end of ``expected``."""
    n = len(expected)
    if n <= position and body[position - n : position] == expected:
        return n
    limit = min(n, position)
    run = 0
    while run < limit and body[position - 1 - run] == expected[n - 1 - run]:
        run += 1
    return run


def _run_after(expected: str, body: str, position: int) -> int:
    """How many characters from ``position`` on match the start of ``expected``."""
    n = len(expected)
    if body[position : position + n] == expected:
        return n
    limit = min(n, len(body) - position)
    run = 0
    while run < limit and body[position + run] == expected[run]:
        run += 1
    return run


class _Alignment:
    """Blocks of text common to both bodies, as (old offset, new offset, length)."""

    def __init__(self, blocks: list[tuple[int, int, int]]) -> None:
        self.blocks = sorted(block for block in blocks if block[2] > 0)
        self.starts = [a for a, _, _ in self.blocks]

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        new_start, new_end = self._map_start(start), self._map_end(end)
        if new_start is None or new_end is None or new_start >= new_end:
            return None
        return new_start, new_end

    def _map_start(self, x: int) -> int | None:
        # Text inserted exactly at a span's start lies before the span, so prefer the block
        # that begins at x over the one that ends there.
        i = bisect_right(self.starts, x) - 1
        if i < 0:
            return None
        a, b, n = self.blocks[i]
        return b + (x - a) if x <= a + n else None

    def _map_end(self, x: int) -> int | None:
        # ...and text inserted exactly at its end lies after it.
        i = bisect_left(self.starts, x) - 1
        if i >= 0:
            a, b, n = self.blocks[i]
            if x <= a + n:
                return b + (x - a)
        if i + 1 < len(self.blocks) and self.starts[i + 1] == x:
            return self.blocks[i + 1][1]
        return None

    def approximate(self, x: int) -> int:
        """Where ``x`` roughly went, even inside a changed region; used to rank candidates."""
        i = bisect_right(self.starts, x) - 1
        if i < 0:
            return x
        a, b, _ = self.blocks[i]
        return b + (x - a)


def _align(old: str, new: str) -> tuple[_Alignment, _Alignment | None]:
    """A refined alignment of the two bodies, and a coarse one with the change slid the other way.

    Trimming the common prefix first places an edit in repeated text as late as the repetition
    allows ("abab" -> "ababab" becomes an insertion at the end); trimming the suffix first, as
    early. Each is right for the spans on one side of the real edit, so the second is tried when
    the first gives the wrong text.
    """
    if old == new:
        return _Alignment([(0, 0, len(old))]), None
    shorter = min(len(old), len(new))
    prefix = _common_prefix_len(old, new)
    suffix = _common_suffix_len(old, new, shorter)
    blocks: list[tuple[int, int, int]] = []
    _refine(old, new, 0, 0, 0, blocks, trim=(prefix, min(suffix, shorter - prefix)))
    primary = _Alignment(blocks)
    early = min(prefix, shorter - suffix)
    if early == prefix:
        return primary, None
    return primary, _Alignment([(0, 0, early), (len(old) - suffix, len(new) - suffix, suffix)])


_WORD = re.compile(r"\w+|\s+|[^\w\s]")
# Each level splits into pieces that join back into the exact string.
_SPLITTERS: list[Callable[[str], list[str]]] = [
    lambda text: text.splitlines(keepends=True),
    _WORD.findall,
]


def _refine(
    old: str,
    new: str,
    old_at: int,
    new_at: int,
    level: int,
    blocks: list[tuple[int, int, int]],
    trim: tuple[int, int] | None = None,
) -> None:
    """Append the blocks common to ``old`` and ``new`` (found at these offsets) to ``blocks``."""
    if trim is None:
        prefix = _common_prefix_len(old, new)
        suffix = _common_suffix_len(old, new, min(len(old), len(new)) - prefix)
    else:
        prefix, suffix = trim
    blocks.append((old_at, new_at, prefix))
    blocks.append((old_at + len(old) - suffix, new_at + len(new) - suffix, suffix))
    old, new = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    old_at, new_at = old_at + prefix, new_at + prefix
    if not old or not new:
        return
    if len(old) + len(new) <= CHAR_DIFF_LIMIT:
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        blocks.extend((old_at + i, new_at + j, n) for i, j, n in matcher.get_matching_blocks())
        return
    if level >= len(_SPLITTERS):
        return
    old_pieces, new_pieces = _SPLITTERS[level](old), _SPLITTERS[level](new)
    matches = _match(old_pieces, new_pieces)
    old_offsets = list(accumulate(map(len, old_pieces), initial=0))
    new_offsets = list(accumulate(map(len, new_pieces), initial=0))
    i = j = 0
    for mi, mj, n in [*matches, (len(old_pieces), len(new_pieces), 0)]:
        if mi > i and mj > j:
            # Pieces replaced by other pieces: a word or character diff may still match parts.
            _refine(
                old[old_offsets[i] : old_offsets[mi]],
                new[new_offsets[j] : new_offsets[mj]],
                old_at + old_offsets[i],
                new_at + new_offsets[j],
                level + 1,
                blocks,
            )
        if n:
            length = old_offsets[mi + n] - old_offsets[mi]
            blocks.append((old_at + old_offsets[mi], new_at + new_offsets[mj], length))
        i, j = mi + n, mj + n


def _common_prefix_len(a: str, b: str) -> int:
    # Binary search with slice comparisons runs in C; a per-character loop over a 1 MB body
    # would dominate the whole re-anchoring.
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix_len(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    la, lb = len(a), len(b)
    while low < high:
        middle = (low + high + 1) // 2
        if a[la - middle : la - low] == b[lb - middle : lb - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _match(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Matching runs (i, j, length) between two lists of pieces, in order."""
    runs = _myers(a, b, MAX_EDITS)
    if runs is not None:
        return runs
    if len(a) + len(b) > MAX_PIECES:
        return []
    # Many edits: split on pieces unique to both sides, as git's patience diff does. difflib's
    # autojunk is no help here: in a body with repeated paragraphs it pairs up the wrong copies.
    runs = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        a_low, a_high, b_low, b_high = stack.pop()
        head = 0
        while (
            a_low + head < a_high and b_low + head < b_high and a[a_low + head] == b[b_low + head]
        ):
            head += 1
        runs.append((a_low, b_low, head))
        a_low, b_low = a_low + head, b_low + head
        tail = 0
        while (
            a_high - tail > a_low
            and b_high - tail > b_low
            and a[a_high - tail - 1] == b[b_high - tail - 1]
        ):
            tail += 1
        runs.append((a_high - tail, b_high - tail, tail))
        a_high, b_high = a_high - tail, b_high - tail
        if a_low == a_high or b_low == b_high:
            continue
        anchors = _unique_anchors(a, b, a_low, a_high, b_low, b_high)
        if anchors:
            previous_i, previous_j = a_low, b_low
            for i, j in anchors:
                runs.append((i, j, 1))
                stack.append((previous_i, i, previous_j, j))
                previous_i, previous_j = i + 1, j + 1
            stack.append((previous_i, a_high, previous_j, b_high))
            continue
        inner = _myers(a[a_low:a_high], b[b_low:b_high], MAX_EDITS)
        if inner:
            runs.extend((a_low + i, b_low + j, n) for i, j, n in inner)
    merged: list[tuple[int, int, int]] = []
    for i, j, n in sorted(run for run in runs if run[2]):
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged


def _unique_anchors(
    a: list[str], b: list[str], a_low: int, a_high: int, b_low: int, b_high: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of pieces occurring once on each side, the longest run in order on both."""
    counts: dict[str, list[int]] = {}
    for i in range(a_low, a_high):
        entry = counts.setdefault(a[i], [0, 0, i, 0])
        entry[0] += 1
    for j in range(b_low, b_high):
        entry = counts.get(b[j])
        if entry is not None:
            entry[1] += 1
            entry[3] = j
    pairs = sorted((i, j) for n_a, n_b, i, j in counts.values() if n_a == 1 and n_b == 1)
    # Longest increasing subsequence of j (patience sorting), keeping back-links to rebuild it.
    tops: list[int] = []
    top_index: list[int] = []
    back = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        pile = bisect_left(tops, j)
        if pile:
            back[index] = top_index[pile - 1]
        if pile == len(tops):
            tops.append(j)
            top_index.append(index)
        else:
            tops[pile] = j
            top_index[pile] = index
    chain = []
    index = top_index[-1] if top_index else -1
    while index != -1:
        chain.append(pairs[index])
        index = back[index]
    chain.reverse()
    return chain


def _myers(a: Sequence[str], b: Sequence[str], max_edits: int) -> list[tuple[int, int, int]] | None:
    """Matching runs (i, j, length) of a shortest edit script, or None beyond ``max_edits`` edits.

    Myers' O((N+M)D) diff: unlike difflib it does not slow down on repeated lines (blank lines, a
    paragraph quoted twice), and a few edits in a long body cost little more than one pass.
    """
    n, m = len(a), len(b)
    offset = max_edits + 1
    furthest = [0] * (2 * max_edits + 3)  # furthest[offset + k]: furthest x on diagonal k = x - y
    trace: list[list[int]] = []
    for d in range(max_edits + 1):
        trace.append(furthest[offset - d - 1 : offset + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1]):
                x = furthest[offset + k + 1]
            else:
                x = furthest[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            furthest[offset + k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
    return None


def _backtrack(trace: list[list[int]], x: int, y: int) -> list[tuple[int, int, int]]:
    runs = []
    for d in range(len(trace) - 1, -1, -1):
        row = trace[d]  # row[k + d + 1] is the furthest x on diagonal k before step d
        k = x - y
        if k == -d or (k != d and row[k - 1 + d + 1] < row[k + 1 + d + 1]):
            previous_k = k + 1
        else:
            previous_k = k - 1
        previous_x = row[previous_k + d + 1]
        previous_y = previous_x - previous_k
        run = min(x - previous_x, y - previous_y) if d else min(x, y)
        if run > 0:
            runs.append((x - run, y - run, run))
        x, y = previous_x, previous_y
    runs.reverse()
    return runs
