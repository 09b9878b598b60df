import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from briefings.importer import ImportProblem, derive_title, prepare
from briefings.models import Article, AuditEntry, Revision

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_d4e03e9a36cbd143.txt"


def run_import(path, **options):
    out, err = io.StringIO(), io.StringIO()
    options.setdefault("dateline", "2023-01-30")
    call_command("import_article", str(path), stdout=out, stderr=err, **options)
    return out.getvalue().strip(), err.getvalue()


def test_seed_furniture_and_credit_are_removed_and_reported():
    """Page furniture after the story is cut and listed; the AFP credit leaves the body."""
    prepared = prepare(SEED.read_bytes())
    assert prepared.agency == "AFP"
    assert "With AFP" not in prepared.body
    assert "Download the France 24 app" not in prepared.body
    assert prepared.removed[0] == "The summary of the"
    assert prepared.removed[-1] == "Download the France 24 app"
    assert prepared.body.endswith("to the White House in February.")


def test_seed_subheadings_are_kept_as_subheadings():
    """Short unpunctuated lines inside the story become '## ' subheadings."""
    prepared = prepare(SEED.read_bytes())
    assert prepared.headings == ["The fear of further escalation", "Reconnecting with Netanyahu"]
    assert "\n\n## The fear of further escalation\n\n" in prepared.body


def test_whitespace_newlines_and_wrapped_lines_are_normalised():
    """CRLF, tabs, runs of spaces and hard-wrapped lines become clean paragraphs."""
    raw = "First  line\r\nwraps here.\r\n\r\n\r\n\tSecond\u00a0paragraph.\x07\r\n".encode()
    assert prepare(raw).body == "First line wraps here.\n\nSecond paragraph."


def test_short_first_and_last_paragraphs_are_not_headings():
    """A one-line story is prose, not a subheading."""
    assert prepare(b"Breaking news\n\nSomething happened today.").headings == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"  \n\n ", "empty"),
        (b"\xff\xfe bad", "not UTF-8"),
        (b"abc\x00def", "NUL"),
        (b"x" * 1_000_001, "limit"),
    ],
)
def test_bad_input_is_refused_with_a_reason(raw, message):
    """Each kind of bad file gets an error that names the problem."""
    with pytest.raises(ImportProblem, match=message):
        prepare(raw)


def test_derived_title_is_the_first_sentence_cut_at_a_word():
    """Without --title, the headline is the first sentence, shortened at a word boundary."""
    title = derive_title(prepare(SEED.read_bytes()))
    assert title.startswith("US Secretary of State Antony Blinken discussed")
    assert len(title) <= 121 and title.endswith("…")


@pytest.mark.django_db
def test_import_creates_a_draft_with_revision_and_audit(tmp_path):
    """The command makes a draft article, its first revision and an audit entry; prints the slug."""
    slug, report = run_import(
        SEED, source="France 24", translated_from="fr", title="Blinken in Cairo"
    )
    article = Article.objects.get(slug=slug)
    assert slug == "blinken-in-cairo"
    assert article.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()
    assert (article.source, article.agency, article.translated_from) == ("France 24", "AFP", "fr")
    assert str(article.dateline) == "2023-01-30"
    assert Revision.objects.filter(article=article, number=1).exists()
    assert AuditEntry.objects.get(article=article).action == "imported"
    assert "Removed page furniture: I subscribe" in report


@pytest.mark.django_db
def test_import_is_idempotent():
    """Importing the same file twice makes one article and prints the same slug."""
    first, _ = run_import(SEED)
    second, report = run_import(SEED)
    assert first == second
    assert Article.objects.count() == 1
    assert "Already imported" in report


@pytest.mark.django_db
def test_same_title_gets_a_distinct_slug(tmp_path):
    """Two different stories with one headline get two slugs."""
    other = tmp_path / "other.txt"
    other.write_text("Another story entirely.\n\nWith its own text.", encoding="utf-8")
    first, _ = run_import(SEED, title="Cairo talks")
    second, _ = run_import(other, title="Cairo talks")
    assert (first, second) == ("cairo-talks", "cairo-talks-2")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "dateline", "message"),
    [
        (None, "2023-01-30", "no such file"),
        (b"", "2023-01-30", "file is empty"),
        (b"caf\xe9", "2023-01-30", "not UTF-8"),
        (b"a" * 1_000_001, "2023-01-30", "limit is 1,000,000 bytes"),
        (b"Fine text.", "30/01/2023", "not a date in the form YYYY-MM-DD"),
        (b"Fine text.", "2023-02-30", "not a date"),
    ],
)
def test_bad_files_fail_with_one_clear_line(tmp_path, content, dateline, message):
    """Missing, empty, non-UTF-8, oversized files and bad dates are refused; nothing is created."""
    path = tmp_path / "story.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_import(path, dateline=dateline)
    assert Article.objects.count() == 0
