"""The annotation workspace: an admin page showing an article's text with every annotation.

The page is rendered on the server and readable (and its forms usable) without JavaScript: the
body with each mention highlighted by kind, pending suggestions dashed, orphans listed with their
old words, and a side panel of the article's actors, events, quotes and places. The ES modules in
static/briefings/workspace/ add annotating by selection; they talk to the editor API
(/api/editor/…) and then fetch this page again to show the result, so there is one renderer.

Forms on the page (run suggestions, accept or reject them, edit the text) post here and call
briefings.annotations, the same functions the API calls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from briefings import annotations
from briefings.models import (
    Actor,
    Article,
    Event,
    Mention,
    Quote,
    StaleVersion,
    Suggestion,
)

EDIT = "briefings.change_article"
# What a user needs to annotate at all; the endpoints check the finer permissions per action.
ANNOTATE = (EDIT, "briefings.change_mention")

# Kinds in the order the legend and panel list them, with the letter that marks them in the text
# (so they are told apart without colour).
KINDS = {
    "actor": ("A", "Actor", "Actors"),
    "event": ("E", "Event", "Events"),
    "quote": ("Q", "Quote", "Quotes"),
    "place": ("P", "Place", "Places"),
    "date": ("D", "Date", "Dates"),
}


def can_annotate(user) -> bool:
    return user.is_active and user.is_staff and user.has_perms(ANNOTATE)


def workspace_url(article: Article) -> str:
    return reverse("admin:briefings_article_workspace", args=[article.pk])


# Rendering the body ----------------------------------------------------------------------------


@dataclass
class Span:
    """Something drawn over the text: a mention or a pending suggestion."""

    key: str  # "m-<uid>" or "s-<uid>"
    start: int
    end: int
    kind: str  # actor, event, quote, place, date
    label: str  # what it points to, in words
    target: str  # "actor:<slug>" etc., to light up every span of one target
    pending: bool = False

    @property
    def letter(self) -> str:
        return KINDS[self.kind][0]

    @property
    def title(self) -> str:
        kind = KINDS[self.kind][1]
        return f"{'Suggested ' + kind.lower() if self.pending else kind}: {self.label}"


@dataclass
class Piece:
    """A run of text covered by the same spans; ``opens`` are the spans starting here."""

    start: int
    text: str
    spans: list[Span]
    opens: set[str] = field(default_factory=set)

    @property
    def nested(self) -> list[tuple[Span, bool]]:
        return [(span, span.key in self.opens) for span in self.spans]


@dataclass
class Paragraph:
    heading: bool
    pieces: list[Piece]


def paragraphs(body: str, spans: list[Span]) -> list[Paragraph]:
    """The body cut into paragraphs (blank-line separated; "## " starts a subheading) and each
    paragraph into pieces covered by the same spans, outermost span first.

    Spans may nest (a quote holding actor mentions) or cross; each piece of a span is drawn
    separately, and only the piece where a span starts carries its letter.
    """
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.key))
    result = []
    position = 0
    for block in body.split("\n\n"):
        start, end = position, position + len(block)
        position = end + 2
        heading = block.startswith("## ")
        text_start = start + 3 if heading else start
        while text_start < end and body[text_start].isspace():
            text_start += 1
        if text_start >= end:
            continue
        inside = [s for s in ordered if s.start < end and s.end > text_start]
        cuts = {text_start, end}
        for s in inside:
            cuts.update(c for c in (s.start, s.end) if text_start < c < end)
        bounds = sorted(cuts)
        pieces = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            covering = [s for s in inside if s.start <= a and s.end >= b]
            opens = {s.key for s in covering if s.start == a or a == text_start}
            pieces.append(Piece(start=a, text=body[a:b], spans=covering, opens=opens))
        result.append(Paragraph(heading=heading, pieces=pieces))
    return result


def render_piece(piece: Piece) -> SafeString:
    """One piece of text inside its spans' marks, every stored string escaped by format_html.

    No white space between the tags: it would become text between the words.
    """
    html = format_html('<span class="ws-t" data-s="{}">{}</span>', piece.start, piece.text)
    for span, opening in reversed(piece.nested):
        tag = ""
        if opening:
            tag = format_html(
                '<span class="ws-tag"><span aria-hidden="true">{}</span>'
                '<span class="ws-sr">[{}] </span></span>',
                span.letter,
                span.title,
            )
        html = format_html(
            '<mark class="ws-m ws-{}{}" data-key="{}" data-target="{}" title="{}">{}{}</mark>',
            span.kind,
            " ws-pending" if span.pending else "",
            span.key,
            span.target,
            span.title,
            tag,
            html,
        )
    return html


def render_paragraph(paragraph: Paragraph) -> SafeString:
    inner = format_html_join("", "{}", ((render_piece(p),) for p in paragraph.pieces))
    if paragraph.heading:
        return format_html('<h3 class="ws-h">{}</h3>', inner)
    return format_html('<p class="ws-p">{}</p>', inner)


def _label(mention: Mention) -> tuple[str, str]:
    kind, target = mention.kind, mention.target
    if kind == "quote":
        speaker = target.speaker.name if target.speaker_id else "unattributed"
        return f"{speaker}: “{_short(target.text)}”", f"quote:{target.uid}"
    if kind == "event":
        return target.title, f"event:{target.slug}"
    return target.name, f"{kind}:{target.slug}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _suggestion_label(s: Suggestion) -> str:
    if s.kind == "actor":
        return s.actor.name
    if s.kind == "quote":
        if s.value.get("scare_quote"):
            return "probably a scare quote"
        return f"speaker {s.actor.name}" if s.actor_id else "speaker unknown"
    event = f" for {s.event.title}" if s.event_id else ""
    return f"{s.value.get('date')} ({s.value.get('precision')}){event}"


# The view --------------------------------------------------------------------------------------


@dataclass
class TargetGroup:
    key: str
    label: str
    detail: str
    mentions: list[Mention]


def _groups(mentions: list[Mention]) -> dict[str, list[TargetGroup]]:
    grouped: dict[str, dict[str, TargetGroup]] = {kind: {} for kind in Mention.TARGETS}
    for m in mentions:
        label, key = _label(m)
        target = m.target
        if m.kind == "actor":
            detail = ", ".join(filter(None, [target.get_kind_display(), target.role]))
        elif m.kind == "event":
            detail = ", ".join(
                filter(None, [target.get_kind_display(), target.date and target.date.isoformat()])
            )
        elif m.kind == "quote":
            detail = ", ".join(filter(None, [target.get_kind_display(), target.cue]))
        else:
            detail = target.country
        group = grouped[m.kind].setdefault(key, TargetGroup(key, label, detail, []))
        group.mentions.append(m)
    return {kind: list(groups.values()) for kind, groups in grouped.items()}


def workspace_view(request: HttpRequest, object_id: str, model_admin) -> HttpResponse:
    article = get_object_or_404(Article, pk=unquote(object_id))
    if not can_annotate(request.user):
        raise PermissionDenied(
            f"{request.user.get_username()} may not annotate: that needs the “change_article” "
            "and “change_mention” permissions."
        )
    form_error = None
    edited_body = None
    if request.method == "POST":
        try:
            done = _post(request, article)
        except StaleVersion as exc:
            form_error = str(exc)
        except (ValidationError, PermissionDenied) as exc:
            form_error = " ".join(getattr(exc, "messages", [str(exc)]))
        else:
            if done:
                messages.success(request, done)
            return HttpResponseRedirect(request.path)
        if request.POST.get("action") == "edit_body":
            # Keep what the editor typed: losing it to a conflict would be worse than the conflict.
            edited_body = annotations.normalise_body(request.POST.get("body", ""))
        article.refresh_from_db()
    context = _context(request, article, model_admin)
    context.update(form_error=form_error, edited_body=edited_body)
    status = 409 if form_error and "Someone else changed" in form_error else 200
    if form_error and status == 200:
        status = 400
    return TemplateResponse(
        request, "admin/briefings/article/workspace.html", context, status=status
    )


def _post(request: HttpRequest, article: Article) -> str:
    user, data = request.user, request.POST
    action = data.get("action", "")
    article.check_can_edit(user)

    def version() -> int:
        try:
            return int(data.get("version", ""))
        except ValueError:
            raise ValidationError(
                "The form did not say which version of the article it was based on; reload the "
                "page."
            ) from None

    if action == "suggest":
        return annotations.run_suggestions(article, user).summary()
    if action == "edit_body":
        result = annotations.edit_body(
            article, user, data.get("body", ""), expected_version=version(),
            message=data.get("message", "").strip()[:250],
        )  # fmt: skip
        if not result.changed:
            return "The text is unchanged."
        text = "Saved the text"
        if result.moved:
            text += f"; {result.moved} annotation(s) moved with their words"
        if result.orphans:
            words = ", ".join(f"“{_short(m.exact, 40)}”" for m in result.orphans)
            text += (
                f"; {len(result.orphans)} could not be placed and are listed under Orphans: {words}"
            )
        return text + "."
    if action in ("accept", "reject"):
        suggestion = get_object_or_404(
            Suggestion.objects.select_related("article", "actor", "event"),
            article=article, uid=data.get("suggestion", ""),
        )  # fmt: skip
        if action == "reject":
            annotations.reject(suggestion, user)
            return f"Rejected the {suggestion.kind} suggestion “{_short(suggestion.exact)}”."
        annotations.accept(suggestion, user, expected_version=version())
        return f"Accepted the {suggestion.kind} suggestion “{_short(suggestion.exact)}”."
    if action == "accept_all":
        kind = data.get("kind", "")
        result = annotations.accept_all(article, kind, user, expected_version=version())
        return result.summary(kind)
    raise ValidationError(f"Unknown action {action!r}.")


def _context(request: HttpRequest, article: Article, model_admin) -> dict:
    mentions = list(
        article.mentions.with_targets().select_related("event__place").order_by("start", "end")
    )
    shown = [
        m
        for m in mentions
        if m.status != Mention.Status.REJECTED and m.anchor_state != Mention.Anchor.ORPHANED
    ]
    accepted = [m for m in shown if m.status == Mention.Status.ACCEPTED]
    suggested_mentions = [m for m in shown if m.status == Mention.Status.SUGGESTED]
    orphans = [m for m in mentions if m.anchor_state == Mention.Anchor.ORPHANED]
    pending = list(
        article.suggestions.pending().select_related("actor", "event").order_by("start", "end")
    )
    # A pending suggestion whose words changed under it (an edit outside save_content) is not
    # drawn: it would point at other words.
    pending = [s for s in pending if article.body[s.start : s.end] == s.exact]
    spans = []
    for m in shown:
        label, target = _label(m)
        spans.append(
            Span(f"m-{m.uid}", m.start, m.end, m.kind, label, target,
                 pending=m.status == Mention.Status.SUGGESTED)
        )  # fmt: skip
    for s in pending:
        spans.append(Span(f"s-{s.uid}", s.start, s.end, s.kind, _suggestion_label(s), ""))
        spans[-1].pending = True
    groups = _groups(accepted)
    by_kind: dict[str, list[Suggestion]] = defaultdict(list)
    for s in pending:
        by_kind[s.kind].append(s)
    opts = Article._meta
    editable = article.can_edit(request.user)
    data = {
        "slug": article.slug,
        "version": article.version,
        "body": article.body,
        "dateline": article.dateline.isoformat(),
        "api": "/api/editor",
        "canDelete": request.user.has_perm("briefings.delete_mention"),
        "readOnly": not editable,
        "mentions": [
            {
                "uid": str(m.uid), "start": m.start, "end": m.end, "exact": m.exact,
                "kind": m.kind, "label": _label(m)[0], "target": _label(m)[1],
                "status": m.status, "anchor": m.anchor_state, "note": m.note,
                "reason": m.reason,
            }
            for m in mentions
        ],
        "suggestions": [
            {
                "uid": str(s.uid), "start": s.start, "end": s.end, "exact": s.exact,
                "kind": s.kind, "label": _suggestion_label(s), "reason": s.reason,
                "confidence": s.confidence,
                "actor": s.actor.slug if s.actor_id else None,
                "actorName": s.actor.name if s.actor_id else None,
                "event": s.event.slug if s.event_id else None,
                "eventTitle": s.event.title if s.event_id else None,
                "value": s.value,
            }
            for s in pending
        ],
        "choices": {
            "actorKinds": Actor.Kind.choices,
            "eventKinds": Event.Kind.choices,
            "quoteKinds": Quote.Kind.choices,
        },
    }  # fmt: skip
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "original": article,
        "article": article,
        "title": f"Annotate “{article.title}”",
        "subtitle": None,
        "body_html": format_html_join(
            "\n", "{}", ((render_paragraph(p),) for p in paragraphs(article.body, spans))
        ),
        "groups": [
            (kind, KINDS[kind], groups[kind], sum(len(g.mentions) for g in groups[kind]))
            for kind in Mention.TARGETS
        ],
        "pending": [
            (kind, KINDS[kind], by_kind[kind]) for kind in Suggestion.Kind.values if by_kind[kind]
        ],
        "pending_total": len(pending),
        "suggestion_total": len(pending) + len(suggested_mentions),
        "suggested_mentions": suggested_mentions,
        "orphans": orphans,
        "legend": [(kind, *KINDS[kind]) for kind in KINDS],
        "change_url": reverse("admin:briefings_article_change", args=[article.pk]),
        "preview_url": article.get_absolute_url() + "?preview=1",
        "workspace_data": data,
        "editable": editable,
    }
