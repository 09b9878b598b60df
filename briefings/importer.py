"""Turn a plain-text wire story into an article body (pure Python, no Django).

The body format: paragraphs separated by one blank line; a paragraph that starts with "## " is a
subheading. Scraped page furniture after the story is removed and reported, and a trailing agency
credit ("With AFP") is moved out of the body.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

MAX_BYTES = 1_000_000
HEADING_PREFIX = "## "

# Paragraphs that publishers' pages put after the story: newsletter and app promotions.
FURNITURE = re.compile(
    r"^(the summary of the\b|i subscribe\b|subscribe\b|download the .{0,40}\bapp\b|"
    r"take international news everywhere|.{0,40}\bweek invites you\b|sign up\b|"
    r"read (more|also)\b|newsletter\b|share\b|follow us\b|advertisement\b|"
    r"related (articles|stories)\b|most read\b)",
    re.IGNORECASE,
)
AGENCIES = r"AFP|AP|Reuters|dpa|ANSA|EFE|Xinhua|Anadolu|UPI|PA"
CREDIT = re.compile(
    rf"^\(?\s*(?:with|source:?|by|avec)?\s*((?:{AGENCIES})(?:\s*(?:,|and|&|et)\s*(?:{AGENCIES}))*)\s*\)?\.?$",
    re.IGNORECASE,
)
# A line of prose ends with punctuation; a subheading is short and does not.
SENTENCE_END = '.!?:;,"”’»)…'
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")


class ImportProblem(ValueError):
    """The input cannot become an article; the message says why."""


@dataclass
class Prepared:
    body: str
    agency: str = ""
    removed: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    checksum: str = ""

    @property
    def first_paragraph(self) -> str:
        return next((p for p in self.body.split("\n\n") if not p.startswith(HEADING_PREFIX)), "")


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise ImportProblem(f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes")
    if not raw.strip():
        raise ImportProblem("file is empty")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in raw:
        # What Windows editors save as "Unicode": full of NUL bytes, but text all the same.
        raise ImportProblem("file is UTF-16 text; save it as UTF-8 and import again")
    if b"\x00" in raw:
        raise ImportProblem("file is not text (it contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(
            f"file is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    return text


def paragraphs(text: str) -> list[str]:
    """Normalise newlines, whitespace and Unicode; return non-empty paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ").replace("\u00a0", " ")
    text = CONTROL.sub("", text)
    result = []
    for block in re.split(r"\n\s*\n", text):
        # Hard-wrapped lines inside a paragraph are joined with a space.
        joined = " ".join(line.strip() for line in block.split("\n") if line.strip())
        joined = re.sub(r" {2,}", " ", joined).strip()
        # Normalised last: removing a control character can bring a letter and its accent
        # together, and normalising again on re-import must change nothing.
        joined = unicodedata.normalize("NFC", joined)
        if joined:
            result.append(joined)
    return result


def is_heading(paragraph: str, index: int, total: int) -> bool:
    if index == 0 or index == total - 1:
        return False
    words = paragraph.split()
    return (
        len(paragraph) <= 80
        and 1 <= len(words) <= 10
        and paragraph[0].isupper()
        and paragraph[-1] not in SENTENCE_END
        and not paragraph.startswith(HEADING_PREFIX.strip())
    )


def cut_tail(paras: list[str]) -> tuple[list[str], list[str], str]:
    """Cut page furniture and the agency credit from the end; return what is left, what was cut
    and the agency named by the credit."""
    removed: list[str] = []
    agency = ""
    # Furniture lives in the tail: find where it starts, and cut everything from there.
    tail_start = max(0, len(paras) - 12)
    for i in range(tail_start, len(paras)):
        if FURNITURE.match(paras[i]) and all(len(p) <= 200 for p in paras[i:]) and i > 0:
            removed = paras[i:]
            paras = paras[:i]
            break
    # The agency credit closes the story; anything after it is furniture too.
    for i in range(len(paras) - 1, max(0, len(paras) - 12) - 1, -1):
        match = CREDIT.match(paras[i])
        if match and i > 0:
            agency = re.sub(r"\s+", " ", match.group(1)).strip()
            removed = paras[i + 1 :] + removed
            paras = paras[:i]
            break
    return paras, removed, agency


def prepare(raw: bytes | str) -> Prepared:
    text = decode(raw) if isinstance(raw, bytes) else raw
    paras = paragraphs(text)
    if not paras:
        raise ImportProblem("file has no text once whitespace is removed")

    removed: list[str] = []
    agency = ""
    # Cut until nothing more is cut, so that importing a prepared body again changes nothing
    # (a cut can bring more furniture or a second credit into the tail).
    while True:
        before = len(paras)
        paras, cut, credit = cut_tail(paras)
        removed = cut + removed
        agency = agency or credit
        if len(paras) == before:
            break
    if not paras:
        raise ImportProblem("file has no story text, only page furniture")

    headings = []
    out = []
    for i, para in enumerate(paras):
        if is_heading(para, i, len(paras)):
            headings.append(para)
            out.append(HEADING_PREFIX + para)
        else:
            out.append(para)
    body = "\n\n".join(out)
    checksum = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return Prepared(body=body, agency=agency, removed=removed, headings=headings, checksum=checksum)


def derive_title(prepared: Prepared, limit: int = 120) -> str:
    """A provisional headline: the first sentence, cut at a word boundary."""
    first = prepared.first_paragraph
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
