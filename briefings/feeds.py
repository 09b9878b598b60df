"""The Atom feed of the latest published briefings."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from briefings.models import Article

FEED_SIZE = 20


class LatestBriefingsFeed(Feed):
    feed_type = Atom1Feed
    link = reverse_lazy("briefings:home")
    feed_url = reverse_lazy("briefings:feed")

    def title(self) -> str:
        return f"{settings.SITE_NAME}: latest briefings"

    def subtitle(self) -> str:
        return "Wire stories annotated: who is who, what happened when, and who said what."

    def items(self):
        return (
            Article.objects.published()
            .only("id", "title", "slug", "standfirst", "source", "publish_at", "updated_at")
            .order_by("-publish_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # Atom's <summary type="html"> is unescaped once by the reader and then read as HTML:
        # the standfirst is plain text, so it is escaped here as well as by the XML writer.
        return escape(item.standfirst)

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return item.source
