from django.urls import path

from briefings import views

app_name = "briefings"

urlpatterns = [
    path("", views.home, name="home"),
    path("briefings/<slug:slug>/", views.briefing, name="briefing"),
    path("actors/<slug:slug>/", views.actor, name="actor"),
    path("events/<slug:slug>/", views.event, name="event"),
]
