"""Sitemaps of the public pages, split by section so each stays under the 50,000 URL limit."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from briefings.models import Article
from briefings.views import public_actors, public_events


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["briefings:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class BriefingSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8
    limit = 10_000

    def items(self):
        return Article.objects.published().only("id", "slug", "updated_at").order_by("-id")

    def lastmod(self, item: Article):
        return item.updated_at


class ActorSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = 10_000

    def items(self):
        return public_actors().only("id", "slug", "updated_at").order_by("id")

    def lastmod(self, item):
        return item.updated_at


class EventSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4
    limit = 10_000

    def items(self):
        return public_events().only("id", "slug", "updated_at").order_by("id")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "home": HomeSitemap,
    "briefings": BriefingSitemap,
    "actors": ActorSitemap,
    "events": EventSitemap,
}
