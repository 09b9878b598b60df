"""Annotation operations that span several models: suggestions, accepting and rejecting them,
and keeping an article's annotations on their words when its body is edited.

The pure engines live in briefings.suggest (what to propose) and briefings.anchoring (where a
span went); this module stores their results. Proposals are Suggestion rows, never Mentions,
until an editor accepts them (see the Suggestion model for why). Every change to what an article
says about its text goes through Article.touch() or Article.save_content(), so it bumps the
version (a stale client gets StaleVersion), makes a revision and leaves an audit entry.
"""

from __future__ import annotations

import datetime
import difflib
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from briefings import anchoring, suggest
from briefings.models import (
    EDIT_PERMISSION,
    Actor,
    Article,
    AuditEntry,
    Event,
    Mention,
    Quote,
    Revision,
    Suggestion,
    require_permission,
)

# Accept-all leaves these to a one-by-one decision: a scare quote is usually not a quotation, and
# a date needs the event it belongs to.
ACCEPT_ALL_SKIPS = {
    "quote": "scare quotes are left for a decision one by one",
    "date": "dates without an event in their sentence need one picked",
}
# A sentence ends at ., ! or ? (and any closing quote or bracket) followed by white space, or at
# a line break. Used to find the event a date belongs with.
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+|\n\s*")


# Running suggestions ---------------------------------------------------------------------------


def gazetteer(actors: Iterable[Actor] | None = None) -> suggest.Gazetteer:
    """Every actor's name and aliases, in a stable order so ambiguous names resolve the same way
    on every run."""
    if actors is None:
        actors = Actor.objects.order_by("pk").only("slug", "name", "aliases", "kind")
    return suggest.Gazetteer(
        suggest.GazetteerEntry(key=a.slug, name=a.name, aliases=tuple(a.aliases), kind=a.kind)
        for a in actors
    )


def propose(article: Article, gaz: suggest.Gazetteer | None = None) -> list[suggest.Suggestion]:
    """What briefings.suggest proposes for the article's body, against every known actor."""
    return suggest.suggest(article.body, gaz if gaz is not None else gazetteer(), article.dateline)


@dataclass
class RunResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    withdrawn: int = 0
    already_annotated: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        if not self.total_created:
            parts = ["No new suggestions"]
        else:
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.created.items()) if n)
            parts = [f"{self.total_created} new suggestion(s): {counts}"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.already_annotated:
            parts.append(f"{self.already_annotated} already annotated")
        if self.withdrawn:
            parts.append(f"{self.withdrawn} no longer proposed and withdrawn")
        return "; ".join(parts) + "."


def run_suggestions(article: Article, by) -> RunResult:
    """Store what briefings.suggest proposes for ``article`` as pending suggestions.

    Proposals the editor has already decided (a suggestion accepted or rejected on the same
    words, or a mention already there) are skipped; pending proposals that the engine no longer
    makes are withdrawn. Nothing the public sees changes, so the article's version does not move.
    """
    require_permission(by, EDIT_PERMISSION, "run suggestions")
    proposals = propose(article)
    actors = dict(Actor.objects.filter(slug__in=_slugs(proposals)).values_list("slug", "pk"))
    mentions = list(
        article.mentions.exclude(anchor_state=Mention.Anchor.ORPHANED).select_related("event")
    )
    sentences = _sentence_starts(article.body)
    result = RunResult(created=dict.fromkeys(Suggestion.Kind.values, 0))
    with transaction.atomic():
        existing = {(s.kind, s.start, s.end): s for s in article.suggestions.select_for_update()}
        proposed: set[tuple[str, int, int]] = set()
        to_create, to_update = [], []
        for proposal in proposals:
            key = (proposal.kind, proposal.start, proposal.end)
            if key in proposed:
                continue
            fields = _fields(article, proposal, actors, mentions, sentences)
            if fields is None:
                result.already_annotated += 1
                continue
            proposed.add(key)
            old = existing.get(key)
            if old is None:
                to_create.append(Suggestion(article=article, **fields))
                result.created[proposal.kind] += 1
            elif old.status == Suggestion.Status.PENDING and _differs(old, fields):
                for name, value in fields.items():
                    setattr(old, name, value)
                to_update.append(old)
                result.updated += 1
        Suggestion.objects.bulk_create(to_create)
        if to_update:
            Suggestion.objects.bulk_update(to_update, list(_UPDATABLE))
        # Pending proposals the engine no longer makes (an actor was renamed, a mention now
        # covers the words) would only be noise.
        stale = [
            s.pk
            for key, s in existing.items()
            if s.status == Suggestion.Status.PENDING and key not in proposed
        ]
        result.withdrawn = Suggestion.objects.filter(pk__in=stale).delete()[0]
    return result


_UPDATABLE = ("exact", "prefix", "suffix", "actor_id", "event_id", "value", "reason", "confidence")


def _slugs(proposals: list[suggest.Suggestion]) -> set[str]:
    slugs = set()
    for p in proposals:
        if p.kind == "actor":
            slugs.add(p.target)
        elif p.kind == "quote":
            slugs.update(s for s in (p.value.get("speaker"), p.value.get("addressee")) if s)
    return slugs


def _fields(
    article: Article,
    proposal: suggest.Suggestion,
    actors: dict[str, int],
    mentions: list[Mention],
    sentences: list[int],
) -> dict | None:
    """The Suggestion fields for a proposal, or None when the words are already annotated."""
    selector = anchoring.capture(article.body, proposal.start, proposal.end)
    value = dict(proposal.value)
    reason = proposal.reason
    actor_id = event_id = None
    if proposal.kind == "actor":
        actor_id = actors.get(proposal.target)
        # The same words linked to any actor, or the same actor on overlapping words: decided.
        if actor_id is None or any(
            m.actor_id is not None
            and (
                (m.start, m.end) == (proposal.start, proposal.end)
                or (m.actor_id == actor_id and _overlap(m, proposal))
            )
            for m in mentions
        ):
            return None
    elif proposal.kind == "quote":
        if any(m.quote_id is not None and _overlap(m, proposal) for m in mentions):
            return None
        actor_id = actors.get(value.get("speaker") or "")
    elif proposal.kind == "date":
        event, why = _date_event(proposal, mentions, sentences, len(article.body))
        if event is None and why == "recorded":
            return None
        if event is not None:
            event_id = event.pk
            reason = f"{reason}; {why}"
    return {
        "kind": proposal.kind,
        "start": selector.start,
        "end": selector.end,
        "exact": selector.exact,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
        "actor_id": actor_id,
        "event_id": event_id,
        "value": value,
        "reason": reason[:300],
        "confidence": proposal.confidence,
    }


def _overlap(a, b) -> bool:
    return a.start < b.end and b.start < a.end


def _differs(old: Suggestion, fields: dict) -> bool:
    return any(getattr(old, name) != fields[name] for name in _UPDATABLE)


def _sentence_starts(body: str) -> list[int]:
    return [0, *(m.end() for m in _SENTENCE_END.finditer(body))]


def _sentence(sentences: list[int], body_len: int, position: int) -> tuple[int, int]:
    i = bisect_right(sentences, position) - 1
    end = sentences[i + 1] if i + 1 < len(sentences) else body_len + 1
    return sentences[i], end


def _date_event(
    proposal: suggest.Suggestion, mentions: list[Mention], sentences: list[int], body_len: int
) -> tuple[Event | None, str]:
    """The event a date most likely belongs to: the nearest event mentioned in its sentence.

    Returns (None, "recorded") when an event in the sentence already has exactly this date, so
    the date is annotated in all but the mention and proposing it again would be noise.
    """
    value = datetime.date.fromisoformat(proposal.value["date"])
    precision = proposal.value["precision"]
    start, end = _sentence(sentences, body_len, proposal.start)
    in_sentence = [
        m for m in mentions if m.event_id is not None and m.start < end and m.end > start
    ]
    if any(m.event.date == value and m.event.date_precision == precision for m in in_sentence):
        return None, "recorded"
    if not in_sentence:
        return None, ""
    nearest = min(
        in_sentence,
        key=lambda m: (
            m.event.date is not None,  # an undated event first: the date most likely fills it
            min(abs(m.start - proposal.end), abs(proposal.start - m.end)),
        ),
    )
    return nearest.event, f"event in the same sentence: {nearest.event.title}"


# Accepting and rejecting -----------------------------------------------------------------------


class SuggestionError(ValidationError):
    """A suggestion cannot be accepted as asked; the message says what is missing or wrong."""


@dataclass
class Accepted:
    suggestion: Suggestion
    mention: Mention
    revision: Revision | None = None
    event_dated: bool = False


def accept(
    suggestion: Suggestion,
    by,
    *,
    expected_version: int | None,
    actor: Actor | None = None,
    speaker: Actor | None | bool = False,
    event: Event | None = None,
    fill_date: bool | None = None,
    cue: str | None = None,
    quote_kind: str | None = None,
    note: str = "",
) -> Accepted:
    """Turn a pending suggestion into an accepted mention (and quote), as one revision.

    ``actor`` re-targets an actor suggestion; ``speaker`` (an Actor or None for unattributed)
    overrides a quote's proposed speaker; ``event`` picks or overrides a date's event, and
    ``fill_date`` says whether the date goes into the event (by default only when it has none).
    """
    with suggestion.article.editing(
        by,
        expected_version=expected_version,
        message=f"Accepted a {suggestion.kind} suggestion",
        action=AuditEntry.Action.SUGGESTION_ACCEPTED,
    ) as edit:
        # Read again under the article's lock: another editor may have decided it meanwhile.
        suggestion.refresh_from_db(fields=["status"])
        accepted = _accept(
            suggestion, by, actor=actor, speaker=speaker, event=event, fill_date=fill_date,
            cue=cue, quote_kind=quote_kind, note=note,
        )  # fmt: skip
        edit.detail = _describe(accepted)
    accepted.revision = edit.revision
    return accepted


@dataclass
class AcceptAllResult:
    accepted: list[Accepted]
    skipped: list[tuple[Suggestion, str]]
    revision: Revision | None = None

    def summary(self, kind: str) -> str:
        text = f"Accepted {len(self.accepted)} {kind} suggestion(s)"
        if self.skipped:
            reasons = sorted({why for _, why in self.skipped})
            text += f"; left {len(self.skipped)} to decide one by one ({'; '.join(reasons)})"
        return text + "."


def accept_all(article: Article, kind: str, by, *, expected_version: int | None) -> AcceptAllResult:
    """Accept every pending suggestion of one kind as a single revision.

    Scare quotes and dates with no event are skipped (and said so): they need a decision each.
    """
    if kind not in Suggestion.Kind.values:
        raise SuggestionError(
            {"kind": f"Unknown kind {kind!r}: choose one of {', '.join(Suggestion.Kind.values)}."}
        )
    require_permission(by, EDIT_PERMISSION, "accept suggestions")
    result = AcceptAllResult(accepted=[], skipped=[])
    pending = article.suggestions.pending().filter(kind=kind)
    if kind == "quote":
        pending = pending.exclude(value__scare_quote=True)
    if kind == "date":
        pending = pending.exclude(event=None)
    if not pending.exists():
        # Nothing to accept: no new version, no empty revision; say what was left and why.
        for suggestion in article.suggestions.pending().filter(kind=kind):
            result.skipped.append((suggestion, ACCEPT_ALL_SKIPS.get(kind, "")))
        return result
    with article.editing(
        by,
        expected_version=expected_version,
        action=AuditEntry.Action.SUGGESTION_ACCEPTED,
    ) as edit:
        pending = list(
            article.suggestions.pending()
            .filter(kind=kind)
            .select_related("actor", "event", "article")
            .order_by("start", "end")
        )
        for suggestion in pending:
            if kind == "quote" and suggestion.value.get("scare_quote"):
                result.skipped.append((suggestion, ACCEPT_ALL_SKIPS["quote"]))
                continue
            if kind == "date" and suggestion.event_id is None:
                result.skipped.append((suggestion, ACCEPT_ALL_SKIPS["date"]))
                continue
            try:
                with transaction.atomic():
                    result.accepted.append(_accept(suggestion, by))
            except SuggestionError as exc:
                result.skipped.append((suggestion, " ".join(exc.messages)))
        edit.message = f"Accepted {len(result.accepted)} {kind} suggestion(s)"
        edit.detail = "; ".join(_describe(a) for a in result.accepted)[:5000] or edit.message
    result.revision = edit.revision
    return result


def reject(suggestion: Suggestion, by) -> None:
    """Mark a pending suggestion rejected; it stays so that later runs do not propose it again.

    No mention changes, so the article's version does not move; the audit trail records it.
    """
    require_permission(by, EDIT_PERMISSION, "reject suggestions")
    _check_pending(suggestion)
    suggestion.status = Suggestion.Status.REJECTED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    AuditEntry.record(
        AuditEntry.Action.SUGGESTION_REJECTED,
        article=suggestion.article,
        user=by,
        detail=f"{suggestion.kind} “{suggestion.exact}” at {suggestion.start}–{suggestion.end}",
    )


def _check_pending(suggestion: Suggestion) -> None:
    if suggestion.status != Suggestion.Status.PENDING:
        raise SuggestionError(
            f"This {suggestion.kind} suggestion (“{suggestion.exact}”) was already "
            f"{suggestion.get_status_display().lower()}."
        )


def _accept(
    suggestion: Suggestion,
    by,
    *,
    actor: Actor | None = None,
    speaker: Actor | None | bool = False,
    event: Event | None = None,
    fill_date: bool | None = None,
    cue: str | None = None,
    quote_kind: str | None = None,
    note: str = "",
) -> Accepted:
    require_permission(by, EDIT_PERMISSION, "accept suggestions")
    require_permission(by, "briefings.add_mention", "accept suggestions")
    _check_pending(suggestion)
    article = suggestion.article
    body = Article.objects.values_list("body", flat=True).get(pk=article.pk)
    if body[suggestion.start : suggestion.end] != suggestion.exact:
        raise SuggestionError(
            f"The text changed since “{suggestion.exact}” was suggested: run the suggestions again."
        )
    selector = anchoring.capture(body, suggestion.start, suggestion.end)
    mention = Mention(
        article=article,
        start=selector.start,
        end=selector.end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        status=Mention.Status.ACCEPTED,
        author=by if by is not None and by.is_authenticated else None,
        note=note,
        reason=suggestion.reason,
        confidence=suggestion.confidence,
    )
    event_dated = False
    if suggestion.kind == "actor":
        mention.actor = actor or suggestion.actor
    elif suggestion.kind == "quote":
        require_permission(by, "briefings.add_quote", "accept quote suggestions")
        mention.quote = _quote(suggestion, speaker, cue, quote_kind)
    else:
        event = event or suggestion.event
        if event is None:
            raise SuggestionError(
                {"event": f"Pick the event that “{suggestion.exact}” dates before accepting it."}
            )
        mention.event = event
        event_dated = _date_event_from(suggestion, event, by, fill_date)
    mention.save()
    suggestion.status = Suggestion.Status.ACCEPTED
    suggestion.mention = mention
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "mention", "decided_by", "decided_at"])
    return Accepted(suggestion=suggestion, mention=mention, event_dated=event_dated)


def _quote(
    suggestion: Suggestion, speaker: Actor | None | bool, cue: str | None, kind: str | None
) -> Quote:
    value = suggestion.value
    if speaker is False:
        speaker = suggestion.actor
    addressee = None
    if value.get("addressee"):
        addressee = Actor.objects.filter(slug=value["addressee"]).first()
    if kind is None:
        # A cue that only reports a discussion ("discussed") quotes the gist, not the words.
        kind = "paraphrase" if "only reports a discussion" in suggestion.reason else None
        kind = kind or value.get("quote_kind") or Quote.Kind.DIRECT
    if kind not in Quote.Kind.values:
        raise SuggestionError({"quote_kind": f"Unknown quote kind {kind!r}."})
    quote = Quote(
        article=suggestion.article,
        text=suggestion.exact,
        speaker=speaker or None,
        cue=(cue if cue is not None else value.get("cue") or "")[:50],
        addressee=addressee,
        kind=kind,
    )
    quote.full_clean(exclude=["article", "speaker", "addressee", "event"])
    quote.save()
    return quote


def _date_event_from(suggestion: Suggestion, event: Event, by, fill_date: bool | None) -> bool:
    """Write the suggested date into the event when asked (by default: when it has none)."""
    value = datetime.date.fromisoformat(suggestion.value["date"])
    precision = suggestion.value["precision"]
    if fill_date is None:
        fill_date = event.date is None
    if not fill_date or (event.date == value and event.date_precision == precision):
        return False
    require_permission(by, "briefings.change_event", "set an event's date")
    Event.objects.filter(pk=event.pk).update(
        date=value, date_precision=precision, date_text=suggestion.exact[:200],
        updated_at=timezone.now(),
    )  # fmt: skip
    event.date, event.date_precision, event.date_text = value, precision, suggestion.exact[:200]
    return True


def _describe(accepted: Accepted) -> str:
    s, m = accepted.suggestion, accepted.mention
    text = f"{s.kind} “{s.exact}” at {s.start}–{s.end} → {m.target}"
    if accepted.event_dated:
        text += f" (event dated {m.event.date.isoformat()}, {m.event.date_precision})"
    return text


# Editing the body ------------------------------------------------------------------------------


def reanchor(article: Article, old_body: str) -> str:
    """After ``article.body`` changed from ``old_body``: move every mention and suggestion.

    Mentions that cannot be placed are marked orphaned, keeping their old words and context for
    the editor; the summary names them. Suggestions that cannot be
    placed are deleted: they proposed something about words that are gone, and the next run
    proposes afresh. Returns a summary for the audit trail. Called by Article.save_content().
    """
    mentions = list(article.mentions.select_related("quote").order_by("start", "end", "pk"))
    was = {m.pk: (m.start, m.end, m.anchor_state) for m in mentions}
    _reanchor_mentions(article, old_body, mentions)
    lost = [
        m
        for m in mentions
        if m.anchor_state == Mention.Anchor.ORPHANED and was[m.pk][2] != Mention.Anchor.ORPHANED
    ]
    edited = _follow_edited_words(article.body, lost)
    orphans = [m.exact for m in lost if m not in edited]
    moved = sum(
        1
        for m in mentions
        if m.anchor_state != Mention.Anchor.ORPHANED
        and was[m.pk][:2] != (m.start, m.end)
        and m not in edited
    )
    parts = [f"{moved} annotation(s) moved"] if moved else []
    if edited:
        parts.append(
            "words edited in place: "
            + ", ".join(f"“{old[:60]}” → “{m.exact[:60]}”" for m, old in edited.items())
        )
    if orphans:
        parts.append(
            f"{len(orphans)} orphaned: " + ", ".join(f"“{text[:60]}”" for text in orphans[:20])
        )
    withdrawn = _reanchor_suggestions(article, old_body)
    if withdrawn:
        parts.append(f"{withdrawn} suggestion(s) on removed words withdrawn")
    return "; ".join(parts)


def _reanchor_mentions(article: Article, old_body: str, mentions: list[Mention]) -> None:
    """Move ``mentions`` from ``old_body`` onto ``article.body`` with briefings.anchoring.

    One that cannot be placed is marked orphaned and keeps its old offsets and words, so the
    editor sees what it was and where; it is never deleted.

    Most mentions only shift by the length of the edit before them, so they are written with
    one UPDATE per distinct shift; only those whose words or context changed are written one by
    one (bulk_update's CASE expressions cost more than the anchoring itself for 1,000 rows).
    """
    if not mentions:
        return
    selectors = [anchoring.Selector(m.start, m.end, m.exact, m.prefix, m.suffix) for m in mentions]
    results = anchoring.reanchor(old_body, article.body, selectors)
    shifted: dict[tuple[int, str], list[int]] = defaultdict(list)
    rewritten = []
    for m, result in zip(mentions, results, strict=True):
        before = (m.start, m.end, m.exact, m.prefix, m.suffix, m.anchor_state)
        if result.selector is None:
            m.anchor_state = Mention.Anchor.ORPHANED
        else:
            sel = result.selector
            m.start, m.end = sel.start, sel.end
            m.exact, m.prefix, m.suffix = sel.exact, sel.prefix, sel.suffix
            if result.state == "reanchored" or m.anchor_state == Mention.Anchor.ORPHANED:
                m.anchor_state = Mention.Anchor.REANCHORED
        after = (m.start, m.end, m.exact, m.prefix, m.suffix, m.anchor_state)
        if after == before:
            continue
        delta = m.start - before[0]
        if after[2:5] == before[2:5] and m.end - before[1] == delta:
            shifted[(delta, m.anchor_state)].append(m.pk)
        else:
            rewritten.append(m)
    for (delta, state), pks in shifted.items():
        for i in range(0, len(pks), 500):
            Mention.objects.filter(pk__in=pks[i : i + 500]).update(
                start=F("start") + delta, end=F("end") + delta, anchor_state=state
            )
    Mention.objects.bulk_update(
        rewritten, ["start", "end", "exact", "prefix", "suffix", "anchor_state"], batch_size=200
    )


# Words edited inside a span keep their annotation when the span's own context on both sides is
# intact around the new words and the new words resemble the old: a corrected spelling or
# mistranslation ("Secretary of Condition" -> "Secretary of State"), not a different name.
EDITED_MIN_CONTEXT = 8
EDITED_MIN_SIMILARITY = 0.6


def _follow_edited_words(body: str, mentions: list[Mention]) -> dict[Mention, str]:
    """Re-place mentions whose words were edited between their intact prefix and suffix.

    briefings.anchoring never moves a span onto different text; here a span that it orphaned is
    carried onto new words only when exactly one place in the new body has the old prefix
    immediately followed, within a short stretch of the same paragraph, by the old suffix, and
    the words between are similar to the old ones. Returns each moved mention with its old text.
    """
    moved: dict[Mention, str] = {}
    for m in mentions:
        if min(len(m.prefix), len(m.suffix)) < EDITED_MIN_CONTEXT:
            continue
        limit = 2 * len(m.exact) + 40
        places = []
        hit = body.find(m.prefix)
        while hit != -1 and len(places) < 2:
            start = hit + len(m.prefix)
            end = body.find(m.suffix, start, start + limit + len(m.suffix))
            if end > start and "\n\n" not in body[start:end]:
                places.append((start, end))
            hit = body.find(m.prefix, hit + 1)
        if len(places) != 1:
            continue
        start, end = places[0]
        similarity = difflib.SequenceMatcher(None, m.exact, body[start:end]).ratio()
        if similarity < EDITED_MIN_SIMILARITY:
            continue
        old = m.exact
        sel = anchoring.capture(body, start, end)
        m.start, m.end, m.exact, m.prefix, m.suffix = (
            sel.start, sel.end, sel.exact, sel.prefix, sel.suffix,
        )  # fmt: skip
        m.anchor_state = Mention.Anchor.REANCHORED
        moved[m] = old
        if m.quote is not None and m.quote.text == old:
            # The quote's words are the corrected words now too.
            Quote.objects.filter(pk=m.quote_id).update(text=sel.exact, updated_at=timezone.now())
    Mention.objects.bulk_update(
        list(moved), ["start", "end", "exact", "prefix", "suffix", "anchor_state"]
    )
    return moved


def _reanchor_suggestions(article: Article, old_body: str) -> int:
    suggestions = list(article.suggestions.all())
    if not suggestions:
        return 0
    selectors = [
        anchoring.Selector(s.start, s.end, s.exact, s.prefix, s.suffix) for s in suggestions
    ]
    results = anchoring.reanchor(old_body, article.body, selectors)
    lost, moved = [], []
    for s, result in zip(suggestions, results, strict=True):
        if result.selector is None:
            lost.append(s.pk)
            continue
        sel = result.selector
        s.start, s.end, s.exact, s.prefix, s.suffix = (
            sel.start, sel.end, sel.exact, sel.prefix, sel.suffix,
        )  # fmt: skip
        moved.append(s)
    Suggestion.objects.bulk_update(moved, ["start", "end", "exact", "prefix", "suffix"])
    Suggestion.objects.filter(pk__in=lost).delete()
    return sum(1 for s in suggestions if s.pk in lost and s.status == Suggestion.Status.PENDING)


@dataclass
class EditResult:
    revision: Revision | None
    orphans: list[Mention]
    moved: int = 0

    @property
    def changed(self) -> bool:
        return self.revision is not None


def normalise_body(body: str) -> str:
    """A body as submitted by a browser, with the line endings the offsets are counted in.

    Browsers send a textarea's line breaks as CRLF; one stray CR per line would shift every
    offset after it.
    """
    return body.replace("\r\n", "\n").replace("\r", "\n")


def edit_body(
    article: Article, by, body: str, *, expected_version: int | None, message: str = ""
) -> EditResult:
    """Save a new body: every mention re-anchored, the unplaceable ones orphaned, one revision.

    Returns the mentions orphaned by this edit so the editor can be told about each one.
    """
    body = normalise_body(body)
    if not body.strip():
        raise ValidationError({"body": "The text cannot be empty."})
    if body == article.body:
        return EditResult(revision=None, orphans=[])
    before = dict(article.mentions.values_list("pk", "anchor_state"))
    starts = dict(article.mentions.values_list("pk", "start"))
    revision = article.save_content(
        by,
        expected_version=expected_version,
        message=message or "Edited the text in the annotation workspace",
        body=body,
    )
    orphans = list(
        article.mentions.filter(anchor_state=Mention.Anchor.ORPHANED)
        .filter(~Q(pk__in=[pk for pk, state in before.items() if state == "orphaned"]))
        .with_targets()
    )
    moved = sum(
        1 for pk, start in article.mentions.values_list("pk", "start") if starts.get(pk) != start
    )
    return EditResult(revision=revision, orphans=orphans, moved=moved)
