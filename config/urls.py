from django.contrib import admin
from django.urls import include, path

from briefings.api import api
from briefings.auth import ThrottledAdminLoginForm
from briefings.health import healthz

# Says plainly when repeated failed logins are slowed or locked out (briefings.auth).
admin.site.login_form = ThrottledAdminLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("briefings.urls")),
]
