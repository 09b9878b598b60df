from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.cache import cache_control

from briefings import views
from briefings.feeds import LatestBriefingsFeed
from briefings.sitemaps import SITEMAPS

app_name = "briefings"

# Crawlers fetch these often; a short shared cache keeps them cheap without going stale.
crawler_cache = cache_control(public=True, max_age=views.PUBLIC_MAX_AGE * 5)

urlpatterns = [
    path("", views.home, name="home"),
    path("briefings/<slug:slug>/", views.briefing, name="briefing"),
    path("actors/<slug:slug>/", views.actor, name="actor"),
    path("actors/<slug:slug>/quotes/", views.actor_quotes, name="actor-quotes"),
    path("actors/<slug:slug>/events/", views.actor_events, name="actor-events"),
    path("events/<slug:slug>/", views.event, name="event"),
    path("events/<slug:slug>/quotes/", views.event_quotes, name="event-quotes"),
    path("events/<slug:slug>/briefings/", views.event_briefings, name="event-briefings"),
    path("search/", views.search_page, name="search"),
    path("feeds/briefings/", crawler_cache(LatestBriefingsFeed()), name="feed"),
    path(
        "sitemap.xml",
        crawler_cache(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "briefings:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        crawler_cache(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
