"""Hypothesis feeds the importer hostile text: every input gets a clear refusal or a sound body."""

import codecs
import hashlib
import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefings.importer import HEADING_PREFIX, MAX_BYTES, ImportProblem, prepare
from briefings.models import Article

# Everything a scraped or hand-edited file may use to break lines or pad text.
SEPARATORS = st.sampled_from(
    ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\r\r", "\n \n", "\n\t\n", "\u2028", "\u2029",
     "\x0b", "\x0c", "\x1c", "\x85", "\t", " ", "  ", "\u00a0", "\u3000", "\u200b", "\ufeff",
     "\x00", "\x07", "\x1b", "\x7f"]
)  # fmt: skip
# Lines the importer treats specially: credits, furniture, subheadings, accents apart.
SPECIAL = st.sampled_from(
    ["With AFP", "AFP", "(Reuters)", "With AFP and Reuters", "Share", "Subscribe",
     "The summary of the", "Download the France 24 app", "Read also", "Newsletter",
     "The fear of further escalation", "## Already a heading", "#", "He said \"no\".",
     "e\u0301te\u0301", "\u0301", "\u202eevil", "ﷺ", "🇫🇷 Paris", "a" * 300]
)  # fmt: skip
PARAGRAPH = st.one_of(st.text(max_size=120), SPECIAL)
DOCUMENT = st.lists(st.tuples(PARAGRAPH, SEPARATORS), max_size=30).map(
    lambda parts: "".join(text + sep for text, sep in parts)
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "shift_jis"])


def prepare_or_refuse(raw):
    """prepare(raw), or None when it refuses with an ImportProblem that says something."""
    try:
        return prepare(raw)
    except ImportProblem as problem:
        assert str(problem).strip()
        return None


def assert_sound(prepared) -> None:
    body = prepared.body
    assert body
    assert not [c for c in body if c != "\n" and unicodedata.category(c) == "Cc"], repr(body)
    assert unicodedata.is_normalized("NFC", body)
    for paragraph in body.split("\n\n"):
        assert paragraph, repr(body)
        assert "\n" not in paragraph and paragraph == paragraph.strip(), repr(paragraph)
        assert "  " not in paragraph
        assert paragraph.removeprefix(HEADING_PREFIX).strip()
    assert prepared.checksum == hashlib.sha256(body.encode()).hexdigest()
    # Importing the prepared body again changes nothing.
    assert prepare(body).body == body


@given(DOCUMENT)
@settings(max_examples=500)
def test_any_text_gives_a_sound_body_or_a_clear_refusal(text):
    """Random Unicode, control characters and mixed newlines never crash the importer."""
    prepared = prepare_or_refuse(text)
    if prepared is not None:
        assert_sound(prepared)


# Old Mac "\r" alone: mixed with "\n", a "\r" before a "\n" would rightly read as one CRLF.
NEWLINES = st.one_of(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1), st.just(["\r"]))


@given(DOCUMENT, NEWLINES)
@settings(max_examples=300)
def test_newline_conventions_do_not_change_the_body(text, newlines):
    """A file saved with Windows, old Mac or mixed Unix/Windows line endings imports as the
    Unix one."""
    assume("\r" not in text)
    lines = text.split("\n")
    mixed = lines[0] + "".join(
        newlines[i % len(newlines)] + line for i, line in enumerate(lines[1:])
    )
    unix, other = prepare_or_refuse(text), prepare_or_refuse(mixed)
    assert (unix and unix.body) == (other and other.body)


@given(st.binary(max_size=2000))
@settings(max_examples=500)
def test_random_bytes_give_a_sound_body_or_a_clear_refusal(raw):
    """Arbitrary bytes are refused with a reason (empty, NUL, not UTF-8) or imported soundly."""
    prepared = prepare_or_refuse(raw)
    if prepared is not None:
        assert_sound(prepared)


@given(DOCUMENT, ENCODINGS)
@settings(max_examples=300)
def test_other_encodings_are_refused_by_name_or_read_as_utf8(text, encoding):
    """Text in another encoding either happens to be valid UTF-8 or is refused as 'not UTF-8',
    with the offending byte and its offset."""
    raw = text.encode(encoding, errors="replace")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        with pytest.raises(ImportProblem) as refused:
            prepare(raw)
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in raw:
            assert str(refused.value) == "file is UTF-16 text; save it as UTF-8 and import again"
        elif b"\x00" in raw:
            assert str(refused.value) == "file is not text (it contains NUL bytes)"
        else:
            assert str(refused.value) == (
                f"file is not UTF-8 text (invalid byte 0x{raw[error.start]:02x} "
                f"at offset {error.start})"
            )
        return
    prepared = prepare_or_refuse(raw)
    if prepared is not None:
        assert_sound(prepared)
        assert prepared.body == prepare(decoded).body


@given(
    st.text(min_size=1, max_size=40).filter(str.strip),
    st.integers(min_value=1_000, max_value=60_000),
    SEPARATORS,
)
@settings(max_examples=40, deadline=None)
def test_huge_lines_are_imported_whole(piece, repeat, separator):
    """A single line of hundreds of kilobytes is a sound paragraph, not a crash or a hang."""
    raw = (piece * repeat + separator + "End of story.").encode()
    assume(len(raw) <= MAX_BYTES)
    prepared = prepare_or_refuse(raw)
    if prepared is not None:
        assert_sound(prepared)


def test_files_over_the_limit_are_refused_by_size():
    """One byte over the limit is refused, naming the size and the limit."""
    with pytest.raises(ImportProblem, match="1,000,001 bytes; the limit is 1,000,000 bytes"):
        prepare(b"a" * (MAX_BYTES + 1))


@pytest.mark.django_db
@given(st.one_of(st.binary(max_size=600), DOCUMENT.map(lambda t: t.encode("utf-8", "replace"))))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_import_command_stores_a_sound_article_or_fails_with_one_line(tmp_path, raw):
    """The command either stores a draft whose body is sound (and a second import of the same
    file changes nothing) or fails with a one-line error naming the file."""
    path = tmp_path / "story.txt"
    path.write_bytes(raw)
    out = io.StringIO()
    try:
        call_command("import_article", str(path), dateline="2023-01-30", stdout=out, stderr=out)
    except CommandError as error:
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert not Article.objects.filter(import_checksum=prepare_or_refuse_checksum(raw)).exists()
        return
    slug = out.getvalue().strip().splitlines()[-1]
    article = Article.objects.get(slug=slug)
    assert article.status == Article.Status.DRAFT
    assert_sound(prepare(article.body))
    assert prepare(article.body).body == article.body
    count = Article.objects.count()
    again = io.StringIO()
    call_command("import_article", str(path), dateline="2023-01-30", stdout=again, stderr=again)
    assert again.getvalue().strip().splitlines()[-1] == slug
    assert Article.objects.count() == count


def prepare_or_refuse_checksum(raw) -> str:
    prepared = prepare_or_refuse(raw)
    return prepared.checksum if prepared else "no checksum"
