"""The settings pages for people (joined to the web UI's namespace by ``tradelane.web.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/users/", views.users, name="users"),
    path("settings/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("settings/company/", views.company, name="company"),
    path("settings/blocked-buyers/", views.blocked_buyers, name="blocked_buyers"),
    path(
        "settings/blocked-buyers/<int:pk>/remove/",
        views.blocked_buyer_remove,
        name="blocked_buyer_remove",
    ),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password, name="set_password"),
]
