"""The hub's outbound pages, joined to the web UI's namespace by ``forwarding.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("hub/bags/", views.bags_board, name="hub_bags"),
    path("hub/bags/<int:pk>/", views.bag, name="hub_bag"),
    path("hub/bags/<int:pk>/scan/", views.bag_scan, name="hub_bag_scan"),
    path("hub/bags/<int:pk>/weigh/", views.bag_weigh, name="hub_bag_weigh"),
    path("hub/bags/<int:pk>/seal/", views.bag_seal, name="hub_bag_seal"),
    path("hub/bags/<int:pk>/label.<str:fmt>", views.bag_label, name="hub_bag_label"),
    path("hub/dispatches/", views.dispatch_list, name="hub_dispatches"),
    path("hub/dispatches/<int:pk>/", views.dispatch, name="hub_dispatch"),
    path("hub/dispatches/<int:pk>/action/", views.dispatch_action, name="hub_dispatch_action"),
    path(
        "hub/dispatches/<int:pk>/manifest.<str:fmt>",
        views.dispatch_manifest,
        name="hub_dispatch_manifest",
    ),
]
