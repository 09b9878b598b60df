"""The editorial workflow in the article admin: state buttons, versioned saves, revisions.

Everything here is a thin adapter over the Article methods (submit_for_review, publish, …,
save_content, revert) and briefings.workflow (compare): the admin never changes a status or a
version itself, so it cannot disagree with the API.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from briefings import workflow
from briefings.models import Article, AuditEntry, StaleVersion, WorkflowError

WORKFLOW_REFUSALS = (PermissionDenied, WorkflowError, StaleVersion, ValidationError)


def refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


class ArticleAdminForm(forms.ModelForm):
    """The article form, carrying the version it was loaded at so a stale save is refused."""

    source_url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label="Source URL"
    )
    # The version the editor loaded, and the one their save is based on: they differ only after a
    # conflict was shown and the editor chose to save their input over the newer version.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    revision_message = forms.CharField(
        max_length=300,
        required=False,
        label="Describe your change",
        help_text="Optional; shown in the article's history.",
    )

    class Meta:
        model = Article
        fields = list(Article.EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
            self.fields["loaded_version"].initial = self.instance.version
        self.conflict: StaleVersion | None = None

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        base = cleaned.get("base_version")
        if base is None:
            raise ValidationError(
                "This form does not say which version of the article it was loaded from; "
                "reload the page and make your changes again.",
                code="no_version",
            )
        current = Article.objects.get(pk=self.instance.pk)
        if current.version != base:
            self.conflict = current.stale(base)
            # The editor has now seen what changed: saving this form again applies their input
            # on top of the current version, deliberately.
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = str(current.version)
            raise ValidationError(
                [
                    f"Not saved: someone else saved this article while you were editing it "
                    f"(version {base} → {current.version}). Changed meanwhile:",
                    *self.conflict.changes,
                    "Your input is kept below. Save again to apply your edits on top of theirs "
                    "(only the fields you changed are saved; where you both changed a field, "
                    "yours wins), or reload the page to start from the current version.",
                ],
                code="stale",
            )
        return cleaned


class ArticleWorkflowAdmin(admin.ModelAdmin):
    """Workflow behaviour of the article admin; ArticleAdmin adds the lists and filters."""

    form = ArticleAdminForm
    change_form_template = "admin/briefings/article/change_form.html"
    actions = ["submit_selected", "publish_selected_now"]
    workflow_readonly_fields = ["state", "review_comment", "unpublished_reason", "published_at",
                                "version", "created_by", "updated_by", "created_at",
                                "updated_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.workflow_readonly_fields

    def has_change_permission(self, request, obj=None):
        # A published briefing is read-only to those who may not publish: the page still shows
        # it and the workflow steps open to them.
        if obj is not None and not obj.can_edit(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["title", "slug", "standfirst", "body"]}),
            (
                "Source",
                {
                    "fields": [
                        "source",
                        "source_url",
                        "agency",
                        "language",
                        "translated_from",
                        "dateline",
                    ]
                },
            ),  # fmt: skip
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Workflow",
                    {
                        "fields": [
                            "state",
                            "review_comment",
                            "unpublished_reason",
                            "published_at",
                            "version",
                            ("created_by", "created_at"),
                            ("updated_by", "updated_at"),
                        ]
                    },
                )  # fmt: skip
            )
        fieldsets.append(
            ("Save", {"fields": ["revision_message", "base_version", "loaded_version"]})
        )
        return fieldsets

    @admin.display(description="Status", ordering="status")
    def state(self, obj: Article) -> str:
        return obj.status_label()

    # Saving -----------------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion:
            # Another save landed between this form's validation and its own: the same request
            # handled again now fails validation and re-shows the form with the editor's input.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        message = form.cleaned_data.get("revision_message", "")
        if not change:
            obj.status = Article.Status.DRAFT
            obj.created_by = obj.updated_by = request.user
            super().save_model(request, obj, form, change)
            obj.make_revision(request.user, message or "Created in the admin")
            AuditEntry.record(
                AuditEntry.Action.EDITED, article=obj, user=request.user,
                detail="created in the admin",
            )  # fmt: skip
            return
        names = [name for name in form.changed_data if name in Article.EDITABLE_FIELDS]
        loaded, base = form.cleaned_data.get("loaded_version"), form.cleaned_data["base_version"]
        if loaded is not None and loaded != base:
            # Saving over a conflict: keep the other editor's changes to fields this one left.
            edited = workflow.edited_fields(obj, loaded, form.cleaned_data)
            if edited is not None:
                names = edited
        fields = {name: form.cleaned_data[name] for name in names}
        if fields or message:
            obj.save_content(
                request.user,
                expected_version=form.cleaned_data["base_version"],
                message=message,
                **fields,
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            now = timezone.now()
            form = context["adminform"].form
            allowed = set(obj.allowed_transitions(request.user, now))
            context.update(
                workflow_allowed=allowed,
                workflow_state=obj.status_label(now),
                workflow_is_public=obj.is_public,
                workflow_timezone=timezone.get_current_timezone_name(),
                workflow_min_time=timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
                preview_url=obj.get_absolute_url() + "?preview=1",
                audit_url=self._audit_url(obj),
                conflict=getattr(form, "conflict", None),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Transitions ------------------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/workflow/<slug:transition>/",
                view(self.workflow_view),
                name=f"{prefix}_workflow",
            ),
            path(
                "<path:object_id>/revisions/compare/",
                view(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:number>/revert/",
                view(self.revert_view),
                name=f"{prefix}_revert",
            ),
            *super().get_urls(),
        ]

    def _article_or_403(self, request, object_id) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise PermissionDenied("No such article, or you may not see it.")
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied(f"{request.user.get_username()} may not see this article.")
        return article

    def _change_url(self, article: Article) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[article.pk]
        )

    def _audit_url(self, article: Article) -> str:
        return (
            reverse("admin:briefings_auditentry_changelist") + f"?article__id__exact={article.pk}"
        )

    def workflow_view(self, request, object_id, transition):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_403(request, object_id)
        user = request.user
        try:
            version = self._posted_version(request)
            if transition == "submit":
                article.submit_for_review(user, expected_version=version)
                done = "submitted for review"
            elif transition == "send-back":
                article.send_back(user, request.POST.get("comment", ""), expected_version=version)
                done = "sent back to draft with your comment"
            elif transition == "publish":
                article.publish(user, expected_version=version)
                done = "published"
            elif transition == "schedule":
                at = self._posted_time(request)
                article.publish(user, at=at, expected_version=version)
                done = f"scheduled for {timezone.localtime(at):%Y-%m-%d %H:%M %Z}"
            elif transition == "unpublish":
                article.unpublish(user, request.POST.get("reason", ""), expected_version=version)
                done = "unpublished"
            else:
                raise WorkflowError(f"There is no workflow step called “{transition}”.")
        except WORKFLOW_REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, f"“{article.title}” {done}.")
        return HttpResponseRedirect(self._change_url(article))

    @staticmethod
    def _posted_version(request) -> int:
        try:
            return int(request.POST["version"])
        except (KeyError, ValueError):
            raise ValidationError(
                "The request does not say which version of the article it acts on; "
                "reload the page and try again."
            ) from None

    @staticmethod
    def _posted_time(request) -> datetime.datetime:
        raw = request.POST.get("publish_at", "").strip()
        if not raw:
            raise ValidationError("Choose the date and time to publish at.")
        try:
            value = datetime.datetime.fromisoformat(raw)
        except ValueError:
            raise ValidationError(
                f"“{raw}” is not a date and time (expected YYYY-MM-DDTHH:MM)."
            ) from None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    @admin.action(description="Submit selected articles for review", permissions=["change"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submitted for review",
                   lambda article: article.submit_for_review(request.user))  # fmt: skip

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_selected_now(self, request, queryset):
        self._bulk(request, queryset, "published",
                   lambda article: article.publish(request.user))  # fmt: skip

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("briefings.publish_article")

    def _bulk(self, request, queryset, done: str, apply) -> None:
        succeeded = 0
        for article in queryset:
            try:
                apply(article)
            except WORKFLOW_REFUSALS as exc:
                messages.error(request, f"“{article.title}” not {done}: {refusal_text(exc)}")
            else:
                succeeded += 1
        if succeeded:
            messages.success(request, f"{succeeded} article(s) {done}.")

    # Revisions --------------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        """The article's revisions (author, time, message) with compare and revert."""
        article = self._article_or_403(request, object_id)
        revisions = article.revisions.select_related("author").only(
            "number", "message", "created_at", "author__username", "article_id"
        )
        page = Paginator(revisions.order_by("-number"), 50).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of “{article.title}”",
            "subtitle": None,
            "object": article,
            "page": page,
            "can_revert": article.can_revert(request.user),
            "audit_url": self._audit_url(article),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/briefings/article/revisions.html", context)

    def compare_view(self, request, object_id):
        """Text and annotation diff between two revisions, ?a=older&b=newer."""
        article = self._article_or_403(request, object_id)
        try:
            numbers = [int(request.GET[key]) for key in ("a", "b")]
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions to compare.")
            return HttpResponseRedirect(self._history_url(article))
        found = {r.number: r for r in article.revisions.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            messages.error(request, f"This article has no revision {missing[0]}.")
            return HttpResponseRedirect(self._history_url(article))
        old, new = found[min(numbers)], found[max(numbers)]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revision {old.number} → {new.number} of “{article.title}”",
            "subtitle": None,
            "object": article,
            "old": old,
            "new": new,
            "comparison": workflow.compare_revisions(old, new),
            "can_revert": article.can_revert(request.user),
            "history_url": self._history_url(article),
        }
        return TemplateResponse(request, "admin/briefings/article/compare.html", context)

    def revert_view(self, request, object_id, number):
        """Confirm (GET) and restore (POST) a revision as a new one; Editors only."""
        article = self._article_or_403(request, object_id)
        if not article.can_revert(request.user):
            raise PermissionDenied(
                f"{request.user.get_username()} may not revert articles: that needs the "
                "“publish_article” permission."
            )
        revision = article.revisions.filter(number=number).first()
        if revision is None:
            messages.error(request, f"This article has no revision {number}.")
            return HttpResponseRedirect(self._history_url(article))
        if request.method == "POST":
            try:
                new = article.revert(
                    revision,
                    request.user,
                    expected_version=self._posted_version(request),
                    message=request.POST.get("message", "").strip(),
                )
            except WORKFLOW_REFUSALS as exc:
                messages.error(request, refusal_text(exc))
                return HttpResponseRedirect(request.path)
            messages.success(
                request, f"Reverted to revision {number}; this is now revision {new.number}."
            )
            return HttpResponseRedirect(self._change_url(article))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revert “{article.title}” to revision {number}?",
            "subtitle": None,
            "object": article,
            "revision": revision,
            # What the revert will change: from the article as it is now to the revision.
            "comparison": workflow.compare(article.snapshot(), revision.data, new_number=number),
            "history_url": self._history_url(article),
        }
        return TemplateResponse(request, "admin/briefings/article/revert.html", context)

    def _history_url(self, article: Article) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[article.pk]
        )
