"""manage.py suggest_annotations SLUG [--json]."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from briefings.models import Suggestion

SLUG = "blinken-cairo-israeli-palestinian-violence"


def run(*args) -> str:
    out = io.StringIO()
    call_command("suggest_annotations", *args, stdout=out)
    return out.getvalue()


def test_json_lines_carry_kind_span_text_target_reason_confidence(seed):
    """Each line is one JSON object whose span is the text it names in the body."""
    lines = run(SLUG, "--json").splitlines()
    items = [json.loads(line) for line in lines]
    assert items
    for item in items:
        assert set(item) == {
            "kind", "start", "end", "text", "target", "value", "reason", "confidence",
        }  # fmt: skip
        assert seed.body[item["start"] : item["end"]] == item["text"]
        assert item["reason"] and 0 < item["confidence"] <= 1
    by_span = {(i["kind"], i["text"]): i for i in items}
    assert by_span[("actor", "Sameh Choukri")]["target"] == "sameh-shoukry"
    assert by_span[("actor", "Sameh Choukri")]["reason"] == "alias match: Sameh Choukri"
    quote = by_span[("quote", "take urgent steps for de-escalation")]
    assert quote["target"] == "us-state-department" and quote["value"]["cue"] == "according to"
    assert by_span[("quote", "restraint")]["value"]["scare_quote"] is True
    friday = by_span[("date", "Friday")]
    assert friday["target"] is None
    assert friday["value"] == {"date": "2023-01-27", "precision": "day"}
    assert by_span[("date", "1967")]["value"] == {"date": "1967-01-01", "precision": "year"}


def test_table_is_human_readable(seed):
    """Without --json: a header, one aligned row per suggestion, and a count."""
    text = run(SLUG)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["kind", "start", "end", "text"]
    assert any(line.startswith("date ") and "2023-01-27 (day)" in line for line in lines)
    assert any("scare quote" in line for line in lines)
    json_count = len(run(SLUG, "--json").splitlines())
    assert f"{json_count} suggestion(s) for “{seed.title}”" in text


def test_command_stores_nothing(seed):
    """Printing suggestions does not create pending ones."""
    run(SLUG)
    assert not Suggestion.objects.exists()


def test_unknown_slug_is_a_clear_error(seed):
    """An unknown slug fails naming it, with the nearest slugs as a hint."""
    with pytest.raises(CommandError, match=r"No article with slug 'blinken-cairo'\. Did you mean"):
        run("blinken-cairo")
    with pytest.raises(CommandError, match=r"^No article with slug 'zzz'\.$"):
        run("zzz")
