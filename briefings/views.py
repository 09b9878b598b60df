from django.shortcuts import get_object_or_404, render

from briefings.models import Actor, Article, Event


def home(request):
    articles = Article.objects.published().for_listing()[:20]
    return render(request, "briefings/home.html", {"articles": articles})


def briefing(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return render(request, "briefings/briefing.html", {"article": article})


def actor(request, slug):
    actor = get_object_or_404(Actor.objects.public(), slug=slug)
    return render(request, "briefings/actor.html", {"actor": actor})


def event(request, slug):
    event = get_object_or_404(Event, slug=slug)
    return render(request, "briefings/event.html", {"event": event})
