"""Build the public HTML of an annotated article, and the texts around it, from escaped pieces.

Pure functions, no Django. Stored text only ever enters markup through ``esc``; the result is an
``Html`` string, which Django's templates insert without escaping it again because it has
``__html__``. Nothing here joins unescaped stored text into markup, so there is no ``mark_safe`` on
stored text anywhere in the public pages.

Body format: paragraphs are separated by a blank line; a paragraph starting with "## " is a
subheading. Spans are code point offsets into the body, as stored on mentions.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Block",
    "Html",
    "Span",
    "Tally",
    "esc",
    "has_match",
    "highlight",
    "iso_date",
    "json_ld",
    "render_body",
    "body_html",
    "search_terms",
    "snippet",
    "split_blocks",
    "tally",
]


class Html(str):
    """Markup built by this module: every piece of stored text in it was escaped."""

    __slots__ = ()

    def __html__(self) -> Html:
        return self


def esc(text: str) -> str:
    return html.escape(text, quote=True)


SUBHEADING = "## "
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")


@dataclass(frozen=True)
class Span:
    """One annotation to draw: a link (actor, event, place) or a marked stretch (quote)."""

    start: int
    end: int
    kind: str
    href: str = ""
    # Element id put on the span's first fragment, so that other parts of the page can link here.
    anchor: str = ""
    label: str = ""


@dataclass(frozen=True)
class Block:
    tag: str  # "paragraph" or "subheading"
    start: int
    end: int
    html: Html


# Outer before inner when two spans cover exactly the same words: a quote wraps the names in it.
_NESTING = {"quote": 0, "event": 1, "place": 2, "actor": 3}


def split_blocks(body: str) -> list[tuple[str, int, int]]:
    """(tag, start, end) of each paragraph and subheading; offsets exclude the "## " marker."""
    blocks = []
    bounds = [0]
    for match in _PARAGRAPH_BREAK.finditer(body):
        bounds.extend((match.start(), match.end()))
    bounds.append(len(body))
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        tag = "paragraph"
        if body.startswith(SUBHEADING, start, end):
            tag, start = "subheading", start + len(SUBHEADING)
            while start < end and body[start].isspace():
                start += 1
            if start == end:
                continue
        blocks.append((tag, start, end))
    return blocks


def _outer_first(item: tuple[int, int, Span]) -> tuple[int, int, int]:
    start, end, span = item
    return (start, -end, _NESTING.get(span.kind, len(_NESTING)))


def _open(span: Span, as_link: bool, first: bool) -> str:
    attrs = f' class="m m-{esc(span.kind)}"'
    if first and span.anchor:
        attrs += f' id="{esc(span.anchor)}"'
    if span.label:
        attrs += f' title="{esc(span.label)}"'
    if as_link:
        return f'<a href="{esc(span.href)}"{attrs}>'
    return f"<span{attrs}>"


def _render_block(body: str, start: int, end: int, spans: Sequence[Span], seen: set[int]) -> Html:
    """Markup for body[start:end] with the spans that touch it, clipped to it.

    Spans may nest (a quote holding names) or cross. The text is cut at every span boundary; for
    each piece the open elements must be exactly the spans covering it, outermost first, so a
    crossing span is closed and reopened around its neighbour. Links cannot nest in HTML: where
    several link spans cover a piece, the innermost is the link and the outer ones are plain
    marked spans there.
    """
    clipped = []
    for span in spans:
        s, e = max(span.start, start), min(span.end, end)
        if s < e:
            clipped.append((s, e, span))
    points = sorted({start, end, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    starting: dict[int, list] = {}
    for item in clipped:
        starting.setdefault(item[0], []).append(item)

    out: list[str] = []
    stack: list[tuple[int, bool]] = []  # (id of the span, rendered as a link)
    spans_by_id: dict[int, Span] = {}
    active: list[tuple[int, int, Span]] = []
    for a, b in zip(points, points[1:], strict=False):
        active = [item for item in active if item[1] > a] + starting.get(a, [])
        ordered = sorted(active, key=_outer_first)
        links = [item for item in ordered if item[2].href]
        innermost = id(links[-1][2]) if links else None
        wanted = [(id(span), id(span) == innermost) for _, _, span in ordered]
        for _, _, span in ordered:
            spans_by_id[id(span)] = span
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] == wanted[keep]:
            keep += 1
        for _, as_link in reversed(stack[keep:]):
            out.append("</a>" if as_link else "</span>")
        for key, as_link in wanted[keep:]:
            out.append(_open(spans_by_id[key], as_link, key not in seen))
            seen.add(key)
        stack = wanted
        out.append(esc(body[a:b]))
    for _, as_link in reversed(stack):
        out.append("</a>" if as_link else "</span>")
    return Html("".join(out))


def render_body(body: str, spans: Iterable[Span]) -> list[Block]:
    """The body as paragraphs and subheadings, each with its spans drawn in escaped markup.

    A span over a paragraph break is drawn in each paragraph it touches; its anchor goes on the
    first piece only, so element ids stay unique.
    """
    blocks = split_blocks(body)
    starts = [start for _, start, _ in blocks]
    per_block: list[list[Span]] = [[] for _ in blocks]
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start >= span.end:
            continue
        i = max(bisect_right(starts, span.start) - 1, 0)
        while i < len(blocks) and blocks[i][1] < span.end:
            if blocks[i][2] > span.start:
                per_block[i].append(span)
            i += 1
    seen: set[int] = set()
    return [
        Block(tag, start, end, _render_block(body, start, end, block_spans, seen))
        for (tag, start, end), block_spans in zip(blocks, per_block, strict=True)
    ]


def body_html(blocks: Iterable[Block]) -> Html:
    """The rendered blocks as one piece of markup: subheadings as h3, the rest as paragraphs."""
    return Html(
        "\n".join(
            f"<h3>{b.html}</h3>" if b.tag == "subheading" else f"<p>{b.html}</p>" for b in blocks
        )
    )


@dataclass(frozen=True)
class Tally:
    """A sum of counts where some are unknown: 'at least' the total when any is missing."""

    total: int
    partial: bool
    known: bool

    def __str__(self) -> str:
        if not self.known:
            return "not reported"
        return f"at least {self.total}" if self.partial else str(self.total)


def tally(values: Iterable[int | None]) -> Tally:
    total, partial, known = 0, False, False
    for value in values:
        if value is None:
            partial = True
        else:
            total += value
            known = True
    return Tally(total, partial and known, known)


def iso_date(value: datetime.date, precision: str) -> str:
    """The date at its precision in ISO 8601 ("1979", "2023-02", "2023-01-27"), for datetime=."""
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


# The characters that could end a <script> element or start an HTML comment inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: object) -> Html:
    """JSON for a <script type="application/ld+json"> element: no stored '</script>' can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Html(text.translate(_SCRIPT_ESCAPES))


_WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words of a search query worth highlighting, longest first."""
    words = {w.strip("'’-").casefold() for w in _WORD.findall(query)}
    return sorted((w for w in words if len(w) >= 2), key=lambda w: (-len(w), w))


_SUFFIXES = ("ing", "ed", "es", "s")


def _stem(term: str) -> str:
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def _pattern(terms: Sequence[str]) -> re.Pattern | None:
    if not terms:
        return None
    # Full-text search matches word forms ("killing" finds "killed"), so a word that starts with
    # a term's stem is highlighted as well as the term itself.
    parts = []
    for term in terms:
        parts.append(re.escape(term))
        stem = _stem(term)
        if stem != term:
            parts.append(r"\b" + re.escape(stem) + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE)


def has_match(text: str, terms: Sequence[str]) -> bool:
    pattern = _pattern(terms)
    return bool(pattern and pattern.search(text))


def highlight(text: str, terms: Sequence[str]) -> Html:
    """The text escaped, with every match of the terms in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return Html(esc(text))
    out, pos = [], 0
    for match in pattern.finditer(text):
        if match.start() == match.end():
            continue
        out.append(esc(text[pos : match.start()]))
        out.append(f"<mark>{esc(match.group())}</mark>")
        pos = match.end()
    out.append(esc(text[pos:]))
    return Html("".join(out))


def snippet(text: str, terms: Sequence[str], width: int = 240) -> Html:
    """About `width` characters of text around the first match, highlighted, cut at spaces."""
    text = " ".join(text.replace(SUBHEADING, " ").split())
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    if len(text) <= width:
        return highlight(text, terms)
    centre = match.start() if match else 0
    start = max(0, centre - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < centre else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > centre else end
    body = highlight(text[start:end], terms)
    return Html(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))
