"""The orders' pages (joined to the web UI's namespace by ``tradelane.web.urls``): the order
workbench, an order's page and split, the order file import, and a job's progress."""

from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.workbench, name="orders"),
    path("orders/bulk/", views.bulk, name="orders_bulk"),
    path("orders/import/", views.import_orders, name="orders_import"),
    path("orders/import/sample.csv", views.import_sample, name="orders_import_sample"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/action/", views.order_action, name="order_action"),
    path("orders/<int:pk>/split/", views.order_split, name="order_split"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
]
