"""The hub's pages, joined to the web UI's namespace by ``tradelane.web.urls``, before the
other apps' pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("hub/inbound/scan", views.inbound_scan, name="hub_inbound_scan"),
    path("hub/inbound/recent", views.inbound_recent, name="hub_inbound_recent"),
    path("hub/scan/", views.scan_screen, name="hub_scan"),
    path("hub/problems/", views.problems, name="hub_problems"),
    path("hub/problems/<int:pk>/take/", views.problem_take, name="hub_problem_take"),
    path("hub/problems/<int:pk>/resolve/", views.problem_resolve, name="hub_problem_resolve"),
    path("hub/unknown/", views.unknown_parcels, name="hub_unknown"),
    path("hub/unknown/<int:pk>/attach/", views.unknown_attach, name="hub_unknown_attach"),
]
