"""Mounted inside the web app's URLs (names ``web:dispatch...`` and ``web:stores...``)."""

from django.urls import path

from .views import catalog as c
from .views import onboarding as onb
from .views import pages as v

urlpatterns = [
    path("dispatch/", v.dispatch_page, name="dispatch"),
    path("dispatch/tab/", v.dispatch_tab, name="dispatch_tab"),
    path("dispatch/summary/", v.dispatch_summary, name="dispatch_summary"),
    path("dispatch/payload/<str:kind>/<int:pk>/", v.dispatch_payload, name="dispatch_payload"),
    path("dispatch/action/", v.dispatch_action, name="dispatch_action"),
    path("stores/", v.stores_page, name="stores"),
    path("stores/<int:store_id>/connect/", v.store_connect, name="store_connect"),
    path("stores/connections/<int:pk>/settings/", v.store_settings, name="store_settings"),
    path("stores/connections/<int:pk>/disconnect/", v.store_disconnect, name="store_disconnect"),
    path("stores/connections/<int:pk>/sync/", v.store_sync, name="store_sync"),
    # onboarding: the connection's health and the re-verify button
    path("stores/connections/<int:pk>/health/", onb.store_health, name="store_health"),
    path("stores/connections/<int:pk>/verify/", onb.store_verify, name="store_verify"),
    # the store's catalog and locations (views/catalog.py)
    path("stores/connections/<int:pk>/catalog/", c.catalog_page, name="store_catalog"),
    path(
        "stores/connections/<int:pk>/catalog/import/", c.catalog_import, name="store_catalog_import"
    ),
    path(
        "stores/connections/<int:pk>/catalog/progress/",
        c.catalog_progress,
        name="store_catalog_progress",
    ),
    path(
        "stores/connections/<int:pk>/catalog/decide/", c.catalog_decide, name="store_catalog_decide"
    ),
    path("stores/connections/<int:pk>/locations/", c.locations_save, name="store_locations"),
]
