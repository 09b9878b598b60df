from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils.html import format_html

from briefings import search, workspace
from briefings.admin_workflow import ArticleWorkflowAdmin
from briefings.models import (
    Actor,
    Article,
    AuditEntry,
    Event,
    EventParticipant,
    Mention,
    Place,
    Quote,
    Revision,
)

# How long a changelist filter's list of values is reused before it is read again.
FILTER_VALUES_TIMEOUT = 300
# The changelist search's subquery LIMIT (see ArticleAdmin.get_search_results).
SEARCH_MATCHES = 1_000_000


class CachedValuesListFilter(admin.AllValuesFieldListFilter):
    """The values a column takes, listed as AllValuesFieldListFilter does, but read from the
    database once every few minutes instead of on every view: SELECT DISTINCT over a column
    without an index reads every row (every article, for the source or the language). A value
    that first appears in the meantime is listed when the entry expires."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        key = f"admin-filter-values:{model._meta.label_lower}:{field_path}"
        values = cache.get(key)
        if values is None:
            values = list(self.lookup_choices)
            cache.set(key, values, FILTER_VALUES_TIMEOUT)
        self.lookup_choices = values


class ArticleChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list never shows the text: 100 bodies a page are read and thrown away otherwise.
        return super().get_queryset(request, exclude_parameters).defer("body")


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "latitude", "longitude"]
    list_filter = ["country"]
    search_fields = ["name", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "role", "alias_list", "wikidata_id"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases", "role", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Aliases")
    def alias_list(self, obj: Actor) -> str:
        return ", ".join(obj.aliases)


class EventParticipantInline(admin.TabularInline):
    model = EventParticipant
    autocomplete_fields = ["actor"]
    extra = 1


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "date", "date_precision", "place", "fatalities", "injured"]
    list_filter = ["kind", "date_precision", ("place", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["place"]
    search_fields = ["title", "description", "date_text"]
    autocomplete_fields = ["place"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "date"
    inlines = [EventParticipantInline]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["short_text", "speaker", "cue", "kind", "addressee", "article"]
    list_filter = ["kind", ("speaker", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["speaker", "addressee", "article"]
    search_fields = ["text", "speaker__name", "cue"]
    autocomplete_fields = ["article", "speaker", "addressee", "event"]

    @admin.display(description="Quote")
    def short_text(self, obj: Quote) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:77] + "…"


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["exact", "kind_label", "target_label", "article", "start", "end", "status",
                    "anchor_state"]  # fmt: skip
    list_filter = ["status", "anchor_state", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "actor", "event", "quote__speaker", "place"]
    search_fields = ["exact", "note", "article__title"]
    autocomplete_fields = ["article", "actor", "event", "quote", "place"]
    readonly_fields = ["uid", "prefix", "suffix", "reason", "confidence", "author"]

    @admin.display(description="Kind")
    def kind_label(self, obj: Mention) -> str:
        return obj.kind

    @admin.display(description="Target")
    def target_label(self, obj: Mention) -> str:
        return str(obj.target)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        obj.capture()
        super().save_model(request, obj, form, change)


@admin.register(Article)
class ArticleAdmin(ArticleWorkflowAdmin):
    list_display = ["title", "state", "dateline", "publish_at", "source", "mention_count",
                    "orphan_count", "version"]  # fmt: skip
    list_filter = [
        "status",
        ("source", CachedValuesListFilter),
        ("language", CachedValuesListFilter),
        "dateline",
    ]
    search_fields = ["title", "slug", "standfirst"]
    search_help_text = "Words of the headline, standfirst or text, or the exact slug."
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "dateline"
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_queryset(self, request):
        # Counted by correlated subqueries, not Count() over a join: the database counts the
        # mentions of the rows shown only, and the changelist's other queries (the total, the
        # date hierarchy, the filter choices) leave them out instead of grouping every mention
        # of every article (seconds at 100,000 articles).
        mentions = Mention.objects.filter(article=OuterRef("pk")).order_by().values("article")
        orphans = mentions.filter(anchor_state=Mention.Anchor.ORPHANED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                _mentions=Coalesce(Subquery(mentions.annotate(n=Count("pk")).values("n")), 0),
                _orphans=Coalesce(Subquery(orphans.annotate(n=Count("pk")).values("n")), 0),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        # The site's article search (briefings.search: the full-text index on PostgreSQL) rather
        # than search_fields' LIKE '%…%' on three columns, which reads every article twice (the
        # count and the page). A pasted slug finds its article (looked up first: OR-ed with the
        # search, it made PostgreSQL read every article again).
        term = search_term.strip()
        if not term:
            return queryset, False
        if " " not in term:
            by_slug = queryset.filter(slug=term)
            if by_slug.exists():
                return by_slug, False
        found = search.articles(queryset, term, ranked=False)
        if search.full_text():
            # The match is tested twice on PostgreSQL: in place, so that each of the list's
            # queries (the count, the page, the date range) reads the matches from the full-text
            # index alone, and in a subquery that keeps its LIMIT (run once, from the same index).
            # Taking the two as independent, PostgreSQL expects few rows, so it neither walks the
            # list's order testing every article's stored vector on the way (seconds for a word
            # in a few thousand articles) nor reads the whole table to join the matches.
            matches = search.articles(Article.objects.order_by(), term, ranked=False)
            found = found.filter(pk__in=matches.values("pk")[:SEARCH_MATCHES])
        return found, False

    @admin.display(description="Mentions", ordering="_mentions")
    def mention_count(self, obj: Article) -> int:
        return obj._mentions

    @admin.display(description="Orphans", ordering="_orphans")
    def orphan_count(self, obj: Article) -> int:
        return obj._orphans

    # The annotation workspace (briefings.workspace), linked only for users who may annotate.

    def get_urls(self):
        view = self.admin_site.admin_view(self.workspace_view)
        return [
            path("<path:object_id>/annotate/", view, name="briefings_article_workspace"),
            *super().get_urls(),
        ]

    def workspace_view(self, request, object_id):
        return workspace.workspace_view(request, object_id, self)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if workspace.can_annotate(request.user):
            columns = [*columns, "annotate_link"]
        return columns

    @admin.display(description="Annotate")
    def annotate_link(self, obj: Article) -> str:
        return format_html(
            '<a href="{}" aria-label="Annotate “{}”">Annotate</a>',
            workspace.workspace_url(obj),
            obj.title,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and workspace.can_annotate(request.user):
            context["workspace_url"] = workspace.workspace_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "author", "created_at", "message"]
    list_filter = [("author", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "author"]
    search_fields = ["article__title", "message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "action", "article_link", "detail"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter),
                   ("article", admin.RelatedOnlyFieldListFilter)]  # fmt: skip
    list_select_related = ["user"]
    search_fields = ["article_title", "detail", "user__username"]
    date_hierarchy = "created_at"

    @admin.display(description="Article", ordering="article_title")
    def article_link(self, obj: AuditEntry) -> str:
        # The title is kept on the entry, so it still reads after the article is deleted.
        if obj.article_id is None:
            return obj.article_title
        url = reverse("admin:briefings_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article_title)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
