from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from mutualis.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("members/", include("mutualis.members.urls")),
    path("benefits/", include("mutualis.benefits.urls")),
    path("contributions/", include("mutualis.contributions.urls")),
    path("providers/", include("mutualis.providers.urls")),
    path("claims/", include("mutualis.claims.urls")),
    path("accounting/", include("mutualis.accounting.urls")),
    path("indicators/", include("mutualis.indicators.urls")),
    path("governance/", include("mutualis.governance.urls")),
    path("verify/", include("mutualis.members.verify_urls")),
    path("", include("mutualis.web.urls")),
]

if settings.SERVE_STATIC:
    # Small own CSS/JS: served by Django itself so `make run` needs no proxy.
    from django.contrib.staticfiles.views import serve as static_serve

    urlpatterns += [
        re_path(r"^static/(?P<path>.*)$", static_serve, {"insecure": True}),
    ]
