"""The service's addresses: the pages, the API under /api/v1/ (docs at /api/v1/docs), the admin."""
from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("service.pages")),
    path("", include("service.pages_loop")),  # the 整改 loop, history, audit
    path("", include("service.pages_assessor")),  # rounds, verification, publication
]
