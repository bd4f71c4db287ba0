"""Top-level URL map: the public site, the admin, the health check, the read-only API."""

from django.contrib import admin
from django.urls import include, path

from kb.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("", include("cases.urls")),
]
