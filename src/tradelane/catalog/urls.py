"""The catalog's pages (joined to the web UI's namespace by ``tradelane.web.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/skus/new/", views.sku_new, name="sku_new"),
    path("products/skus/<int:pk>/edit/", views.sku_edit, name="sku_edit"),
    path("products/<int:pk>/image/", views.image, {"kind": "product"}, name="product_image"),
    path("products/skus/<int:pk>/image/", views.image, {"kind": "sku"}, name="sku_image"),
]
