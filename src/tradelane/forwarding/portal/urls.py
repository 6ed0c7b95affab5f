"""The customer portal's pages (mounted by web/urls.py under the ``web`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("portal/", views.workspace, name="portal"),
    path("portal/waybills/", views.waybill_list, name="portal_waybills"),
    path("portal/waybills/new/", views.waybill_new, name="portal_waybill_new"),
    path("portal/waybills/quote/", views.quote, name="portal_quote"),
    path("portal/waybills/labels/", views.waybill_labels, name="portal_waybill_labels"),
    path("portal/waybills/<str:number>/", views.waybill_detail, name="portal_waybill"),
    path("portal/waybills/<str:number>/edit/", views.waybill_edit, name="portal_waybill_edit"),
    path(
        "portal/waybills/<str:number>/cancel/", views.waybill_cancel, name="portal_waybill_cancel"
    ),
    path(
        "portal/waybills/<str:number>/intercept/",
        views.waybill_intercept,
        name="portal_waybill_intercept",
    ),
    path(
        "portal/waybills/<str:number>/label.pdf",
        views.waybill_label,
        {"fmt": "pdf"},
        name="portal_waybill_label_pdf",
    ),
    path(
        "portal/waybills/<str:number>/label.zpl",
        views.waybill_label,
        {"fmt": "zpl"},
        name="portal_waybill_label_zpl",
    ),
    path("portal/prices/", views.prices, name="portal_prices"),
    path("portal/prices/download/", views.prices_download, name="portal_prices_download"),
    path("portal/api/", views.api_page, name="portal_api"),
    path("portal/api/keys/", views.api_key_create, name="portal_api_key_create"),
    path("portal/api/keys/<int:pk>/revoke/", views.api_key_revoke, name="portal_api_key_revoke"),
]
