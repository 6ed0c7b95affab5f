"""The stock pages (joined to the web UI's namespace by ``tradelane.web.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("stock/", views.stock_page, name="stock"),
    path("stock/operations/", views.stock_operations, name="stock_operations"),
    path("settings/warehouses/", views.warehouses, name="warehouses"),
    path("settings/warehouses/<int:pk>/", views.warehouse_edit, name="warehouse_edit"),
]
