from django.contrib import admin
from django.urls import include, path, re_path

from tradelane.api.errors import api_not_found
from tradelane.api.root import api
from tradelane.api.root import docs as api_docs

urlpatterns = [
    path("admin/", admin.site.urls),
    # carrier tracking webhooks before the stores' /hooks/<platform>/<token>
    path("hooks/tracking/", include("tradelane.integrations.tracking_hooks.urls")),
    # the ECCANG and Hualei compatible APIs, at the vendors' own paths
    path("", include("tradelane.integrations.forwarder_apis.urls")),
    path("", include("tradelane.integrations.stores.urls")),
    path("api/v1/", api.urls),
    path("api/docs", api_docs, name="api-docs"),
    path("api/docs/", api_docs),
    re_path(r"^api/", api_not_found),  # JSON 404, not the HTML page
    path("", include("tradelane.web.urls")),
]
