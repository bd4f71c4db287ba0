"""Top-level URL map: the public site, the admin, the health check, robots.txt, the read-only API."""

from django.contrib import admin
from django.urls import include, path

from kb.health import healthz
from kb.views import robots_txt

handler400 = "kb.views.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path("api/v1/", include("api.urls")),
    path("", include("cases.urls")),
]
