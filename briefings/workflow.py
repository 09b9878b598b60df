"""Workflow operations that span several models: compare two revisions, restore one, and say
what changed since a version.

Revisions hold plain JSON snapshots (``Article.snapshot()``); everything here reads those, so a
comparison of two old revisions does not depend on what the database holds today, except for
the names of the actors, events, places and quotes that mentions point to.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.utils import timezone

from briefings.models import (
    MENTION_TARGETS,
    Actor,
    Article,
    AuditEntry,
    Event,
    Mention,
    Place,
    Quote,
    Revision,
    WorkflowError,
)

# Unchanged words kept either side of a change in the body diff.
DIFF_CONTEXT_WORDS = 12
FIELD_LABELS = {
    name: str(Article._meta.get_field(name).verbose_name).capitalize()
    for name in Article.SNAPSHOT_FIELDS
}


# Restoring ----------------------------------------------------------------------------------


def fields_from_snapshot(data: dict) -> dict:
    """The article fields a snapshot restores, as model values."""
    fields = {name: data[name] for name in Article.SNAPSHOT_FIELDS if name in data}
    if fields.get("dateline"):
        fields["dateline"] = datetime.date.fromisoformat(fields["dateline"])
    return fields


def restore_annotations(article: Article, revision: Revision) -> None:
    """Make the article's quotes and mentions match the revision's, matched by uid."""
    data = revision.data
    _check_targets_exist(revision)
    if "quotes" in data:
        _restore_quotes(article, data["quotes"])
    quote_ids = dict(Quote.objects.filter(article=article).values_list("uid", "pk"))
    quote_ids = {str(uid): pk for uid, pk in quote_ids.items()}
    wanted = {m["uid"]: m for m in data.get("mentions", [])}
    existing = {str(m.uid): m for m in article.mentions.all()}
    Mention.objects.filter(
        pk__in=[m.pk for uid, m in existing.items() if uid not in wanted]
    ).delete()
    to_create, to_update = [], []
    for uid, snap in wanted.items():
        mention = existing.get(uid) or Mention(uid=uid, article=article)
        for name in ("start", "end", "exact", "prefix", "suffix", "status", "anchor_state", "note"):
            setattr(mention, name, snap[name])
        for name in MENTION_TARGETS:
            setattr(mention, f"{name}_id", snap.get(name))
        if snap.get("quote_uid"):
            mention.quote_id = quote_ids[snap["quote_uid"]]
        (to_update if mention.pk else to_create).append(mention)
    Mention.objects.bulk_create(to_create)
    Mention.objects.bulk_update(
        to_update,
        ["start", "end", "exact", "prefix", "suffix", "status", "anchor_state", "note",
         *[f"{name}_id" for name in MENTION_TARGETS]],
    )  # fmt: skip


def _restore_quotes(article: Article, snaps: list[dict]) -> None:
    wanted = {q["uid"]: q for q in snaps}
    existing = {str(q.uid): q for q in article.quotes.all()}
    Quote.objects.filter(pk__in=[q.pk for uid, q in existing.items() if uid not in wanted]).delete()
    for uid, snap in wanted.items():
        quote = existing.get(uid) or Quote(uid=uid, article=article)
        quote.text, quote.cue, quote.kind = snap["text"], snap["cue"], snap["kind"]
        quote.speaker_id, quote.addressee_id = snap["speaker"], snap["addressee"]
        quote.event_id = snap["event"]
        quote.said_on = datetime.date.fromisoformat(snap["said_on"]) if snap["said_on"] else None
        quote.save()


def _check_targets_exist(revision: Revision) -> None:
    """Refuse, naming the words, a revert that would link to something deleted since."""
    data = revision.data
    # (target kind, id) -> the words that link to it, for the message.
    wanted: dict[tuple[str, int], str] = {}
    for m in data.get("mentions", []):
        for name in ("actor", "event", "place"):
            if m.get(name):
                wanted.setdefault((name, m[name]), f"“{_short(m['exact'])}”")
        # Quotes come back with the revision when it recorded them; older snapshots need them.
        if m.get("quote") and not (m.get("quote_uid") and "quotes" in data):
            wanted.setdefault(("quote", m["quote"]), f"“{_short(m['exact'])}”")
    for q in data.get("quotes", []):
        for name, key in (("actor", "speaker"), ("actor", "addressee"), ("event", "event")):
            if q.get(key):
                wanted.setdefault((name, q[key]), f"the quote “{_short(q['text'])}”")
    models = {"actor": Actor, "event": Event, "place": Place, "quote": Quote}
    for name, model in models.items():
        ids = {pk for kind, pk in wanted if kind == name}
        missing = ids - set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            pk = min(missing)
            raise WorkflowError(
                f"Cannot revert to revision {revision.number}: it links {wanted[(name, pk)]} "
                f"to {name} #{pk}, which no longer exists."
            )


# Comparing ----------------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class MentionChange:
    """One mention that differs between two snapshots; ``what`` is a short sentence."""

    kind: str  # added, removed, moved, retargeted, status, note
    exact: str
    what: str


@dataclass
class Comparison:
    old_number: int | None
    new_number: int | None
    fields: list[FieldChange] = field(default_factory=list)
    body: list[tuple[str, str]] = field(default_factory=list)  # (op, text): equal/insert/delete/gap
    mentions: list[MentionChange] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    status: tuple[str, str] | None = None

    @property
    def body_changed(self) -> bool:
        return any(op in ("insert", "delete") for op, _ in self.body)

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.body_changed or self.mentions or self.quotes or self.events)

    @property
    def listed_mentions(self) -> list[MentionChange]:
        """Mention changes worth a line each: all but those that only shifted with the text."""
        return [change for change in self.mentions if change.kind != "shifted"]

    @property
    def shifted(self) -> int:
        return sum(1 for change in self.mentions if change.kind == "shifted")

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for change in self.mentions:
            result[change.kind] = result.get(change.kind, 0) + 1
        return result


def compare(old: dict, new: dict, *, old_number=None, new_number=None) -> Comparison:
    """What differs between two snapshots: fields, body words, mentions, quotes, event dates."""
    result = Comparison(old_number, new_number)
    for name in Article.SNAPSHOT_FIELDS:
        if name != "body" and old.get(name) != new.get(name):
            result.fields.append(
                FieldChange(name, FIELD_LABELS[name], _text(old.get(name)), _text(new.get(name)))
            )
    result.body = body_diff(old.get("body") or "", new.get("body") or "")
    if old.get("status") and new.get("status") and old["status"] != new["status"]:
        labels = dict(Article.Status.choices)
        result.status = (labels.get(old["status"], ""), labels.get(new["status"], ""))
    labels = _TargetLabels([old, new])
    result.mentions = _compare_mentions(old.get("mentions", []), new.get("mentions", []), labels)
    if "quotes" in old and "quotes" in new:
        result.quotes = _compare_quotes(old["quotes"], new["quotes"], labels)
    result.events = _compare_events(old.get("events", {}), new.get("events", {}))
    return result


def compare_revisions(old: Revision, new: Revision) -> Comparison:
    return compare(old.data, new.data, old_number=old.number, new_number=new.number)


def body_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff of two bodies as (op, text) pieces, long unchanged runs cut to a gap.

    Paragraphs are matched first so a long body does not make the word diff quadratic; the
    pieces are plain text for the template to escape.
    """
    if old == new:
        return []
    pieces: list[tuple[str, str]] = []
    old_paras, new_paras = old.split("\n\n"), new.split("\n\n")
    matcher = difflib.SequenceMatcher(None, old_paras, new_paras, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = "\n\n".join(old_paras[i1:i2]), "\n\n".join(new_paras[j1:j2])
        if op == "equal":
            pieces.append(("equal", a + "\n\n"))
        elif op == "replace":
            pieces.extend(_word_diff(a, b))
            pieces.append(("equal", "\n\n"))
        elif op == "delete":
            pieces.append(("delete", a + "\n\n"))
        else:
            pieces.append(("insert", b + "\n\n"))
    return _with_gaps(_merge(pieces))


def _word_diff(a: str, b: str) -> list[tuple[str, str]]:
    old_words, new_words = re.split(r"(\s+)", a), re.split(r"(\s+)", b)
    pieces = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(old_words[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(old_words[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(new_words[j1:j2])))
    return pieces


def _merge(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for op, text in pieces:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _with_gaps(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    result = []
    for index, (op, text) in enumerate(pieces):
        if op != "equal":
            result.append((op, text))
            continue
        words = re.split(r"(\s+)", text)
        keep = DIFF_CONTEXT_WORDS * 2  # words and the spaces between them
        head = words[:keep] if index > 0 else []
        tail = words[-keep:] if index < len(pieces) - 1 else []
        if len(words) <= len(head) + len(tail) + 1:
            result.append((op, text))
            continue
        if head:
            result.append(("equal", "".join(head)))
        result.append(("gap", "…"))
        if tail:
            result.append(("equal", "".join(tail)))
    return result


class _TargetLabels:
    """Names of what mentions point to, looked up once for both snapshots."""

    def __init__(self, snapshots: list[dict]) -> None:
        ids: dict[str, set] = {name: set() for name in MENTION_TARGETS}
        self.quote_text: dict[str, str] = {}
        for snap in snapshots:
            for m in snap.get("mentions", []):
                for name in MENTION_TARGETS:
                    if m.get(name):
                        ids[name].add(m[name])
            for q in snap.get("quotes", []):
                self.quote_text[q["uid"]] = q["text"]
                for key in ("speaker", "addressee"):
                    if q.get(key):
                        ids["actor"].add(q[key])
        self.names = {
            "actor": dict(Actor.objects.filter(pk__in=ids["actor"]).values_list("pk", "name")),
            "event": dict(Event.objects.filter(pk__in=ids["event"]).values_list("pk", "title")),
            "place": dict(Place.objects.filter(pk__in=ids["place"]).values_list("pk", "name")),
            "quote": dict(Quote.objects.filter(pk__in=ids["quote"]).values_list("pk", "text")),
        }

    def target(self, mention: dict) -> str:
        for name in MENTION_TARGETS:
            pk = mention.get(name)
            if pk:
                text = self.names[name].get(pk)
                if text is None and name == "quote":
                    text = self.quote_text.get(mention.get("quote_uid") or "")
                return f"{name} {_short(text) if text else f'#{pk} (deleted)'}"
        return "nothing"

    def actor(self, pk) -> str:
        if not pk:
            return "nobody"
        return self.names["actor"].get(pk, f"actor #{pk} (deleted)")


def _target_key(mention: dict) -> tuple:
    for name in MENTION_TARGETS:
        if mention.get(name):
            # A recreated quote gets a new id; its uid says it is the same quote.
            if name == "quote" and mention.get("quote_uid"):
                return (name, mention["quote_uid"])
            return (name, mention[name])
    return ("", None)


def _compare_mentions(old: list, new: list, labels: _TargetLabels) -> list[MentionChange]:
    before, after = {m["uid"]: m for m in old}, {m["uid"]: m for m in new}
    changes = []
    for m in new:
        if m["uid"] not in before:
            where = f"{m['start']}–{m['end']}"
            changes.append(
                MentionChange("added", m["exact"], f"added at {where} → {labels.target(m)}")
            )
    for m in old:
        if m["uid"] not in after:
            changes.append(
                MentionChange("removed", m["exact"], f"removed (was → {labels.target(m)})")
            )
    for uid, m in after.items():
        o = before.get(uid)
        if o is None:
            continue
        if (o["start"], o["end"]) != (m["start"], m["end"]) or o["exact"] != m["exact"]:
            text = f"moved from {o['start']}–{o['end']} to {m['start']}–{m['end']}"
            if o["exact"] != m["exact"]:
                text += f" (was “{_short(o['exact'])}”)"
            # Same words with the same text on at least one side: the text moved under it (an
            # edit before it, or right beside it); new context on both sides is a real move.
            same_place = o["exact"] == m["exact"] and (
                o.get("prefix") == m.get("prefix") or o.get("suffix") == m.get("suffix")
            )
            changes.append(MentionChange("shifted" if same_place else "moved", m["exact"], text))
        if _target_key(o) != _target_key(m):
            changes.append(
                MentionChange(
                    "retargeted",
                    m["exact"],
                    f"re-targeted from {labels.target(o)} to {labels.target(m)}",
                )
            )
        if o["status"] != m["status"]:
            changes.append(
                MentionChange("status", m["exact"], f"status {o['status']} → {m['status']}")
            )
        orphaned = Mention.Anchor.ORPHANED
        if o.get("anchor_state") != m.get("anchor_state") and orphaned in (
            o.get("anchor_state"), m.get("anchor_state")
        ):  # fmt: skip
            what = "orphaned: its words are gone" if m["anchor_state"] == orphaned else "re-placed"
            changes.append(MentionChange("orphaned", m["exact"], what))
        if o.get("note", "") != m.get("note", ""):
            changes.append(MentionChange("note", m["exact"], f"note “{o['note']}” → “{m['note']}”"))
    return changes


def _compare_quotes(old: list, new: list, labels: _TargetLabels) -> list[str]:
    before, after = {q["uid"]: q for q in old}, {q["uid"]: q for q in new}
    changes = []
    for uid, q in after.items():
        o = before.get(uid)
        words = _short(q["text"])
        if o is None:
            changes.append(f"Quote “{words}” added (speaker {labels.actor(q['speaker'])})")
            continue
        if o["speaker"] != q["speaker"]:
            changes.append(
                f"Quote “{words}”: speaker {labels.actor(o['speaker'])} → "
                f"{labels.actor(q['speaker'])}"
            )
        if o["text"] != q["text"]:
            changes.append(f"Quote “{_short(o['text'])}” now reads “{words}”")
        for key in ("cue", "kind", "said_on"):
            if o.get(key) != q.get(key):
                changes.append(f"Quote “{words}”: {key} {o.get(key)} → {q.get(key)}")
    for uid, o in before.items():
        if uid not in after:
            changes.append(f"Quote “{_short(o['text'])}” removed")
    return changes


def _compare_events(old: dict, new: dict) -> list[str]:
    changes = []
    for pk, e in new.items():
        o = old.get(pk)
        if o is None:
            continue
        if (o["date"], o["date_precision"]) != (e["date"], e["date_precision"]):
            changes.append(f"Event “{e['title']}”: date {_date(o)} → {_date(e)}")
        for key in ("fatalities", "injured"):
            if o.get(key) != e.get(key):
                changes.append(
                    f"Event “{e['title']}”: {key} {_count(o.get(key))} → {_count(e.get(key))}"
                )
    return changes


def _date(event: dict) -> str:
    if not event.get("date"):
        return "unknown"
    value = event["date"]
    return {"year": value[:4], "month": value[:7]}.get(event.get("date_precision"), value)


def _count(value) -> str:
    return "unknown" if value is None else str(value)


def _text(value) -> str:
    return "" if value is None else str(value)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Describing what changed since a version ----------------------------------------------------


def summarize(comparison: Comparison) -> list[str]:
    """One short line per kind of change, for messages."""
    lines = []
    if comparison.status:
        lines.append(f"status {comparison.status[0]} → {comparison.status[1]}")
    for change in comparison.fields:
        lines.append(f"{change.label.lower()} “{_short(change.old)}” → “{_short(change.new)}”")
    if comparison.body_changed:
        edits = [text for op, text in comparison.body if op in ("insert", "delete")]
        lines.append(f"body edited ({len(edits)} passage(s) inserted or deleted)")
    counts = comparison.counts()
    words = {"added": "added", "removed": "removed", "moved": "moved", "retargeted": "re-targeted",
             "status": "accepted/rejected", "note": "with a new note", "orphaned": "orphaned",
             "shifted": "shifted with the text"}  # fmt: skip
    parts = [f"{counts[k]} {w}" for k, w in words.items() if counts.get(k)]
    if parts:
        lines.append("annotations: " + ", ".join(parts))
    lines.extend(comparison.quotes)
    lines.extend(comparison.events)
    return lines


def snapshot_at(article: Article, version: int) -> Revision | None:
    """The latest revision recorded at or before ``version`` of the article."""
    for revision in article.revisions.order_by("-number").only("number", "data", "created_at"):
        recorded = revision.data.get("version")
        if recorded is not None and recorded <= version:
            return revision
    return None


def edited_fields(article: Article, version: int, values: dict) -> list[str] | None:
    """Which editable fields in ``values`` differ from the article at ``version``.

    None when no revision of that version exists (the caller cannot tell what was edited).
    """
    base = snapshot_at(article, version)
    if base is None:
        return None
    edited = []
    for name in Article.EDITABLE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name not in base.data:  # not recorded in revisions (the slug): compare with now
            if value != getattr(article, name):
                edited.append(name)
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        if value != base.data[name]:
            edited.append(name)
    return edited


def changes_since(article: Article, version: int) -> list[str]:
    """What differs between ``version`` of the article and now, and who changed it."""
    current = Article.objects.get(pk=article.pk)
    base = snapshot_at(current, version)
    if base is None:
        lines = ["(no revision of your version to compare with)"]
        since = None
    else:
        lines = summarize(compare(base.data, current.snapshot()))
        since = base.created_at
    entries = AuditEntry.objects.filter(article=current).select_related("user")
    if since is not None:
        entries = entries.filter(created_at__gt=since)
    who = []
    for entry in entries.order_by("created_at", "id")[:20]:
        name = entry.user.get_username() if entry.user else "system"
        when = timezone.localtime(entry.created_at)
        who.append(f"{entry.get_action_display().lower()} by {name} at {when:%H:%M}")
    if who:
        lines.append("by: " + ", ".join(who))
    return lines
