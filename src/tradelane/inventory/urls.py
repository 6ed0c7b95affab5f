"""The stock pages (joined to the web UI's namespace by ``tradelane.web.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("stock/", views.stock_page, name="stock"),
]
