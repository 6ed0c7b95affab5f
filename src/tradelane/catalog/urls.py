"""The catalog's pages (joined to the web UI's namespace by ``tradelane.web.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.products, name="products"),
]
