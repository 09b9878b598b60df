"""The site mounted under /mounted/, for tests of URL building."""

from django.urls import include, path

urlpatterns = [path("mounted/", include("config.urls"))]
