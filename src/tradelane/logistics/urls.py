"""The logistics kernel's pages (joined to the web UI's namespace by ``tradelane.web.urls``):
channels and rate sheets, the quote calculator, tracking and the public tracking page, and the
shipping workbench (发货)."""

from django.urls import path

from .rates import views as logistics
from .shipping import views as _ship
from .tracking import views as tracking_views

urlpatterns = [
    path("channels/", logistics.channels, name="channels"),
    path("quote/", logistics.quote, name="quote"),
    path("channels/<str:code>/", logistics.channel_detail, name="channel"),
    path("channels/<str:code>/edit/", logistics.channel_edit, name="channel_edit"),
    path("channels/<str:code>/active/", logistics.channel_active, name="channel_active"),
    path("channels/<str:code>/upload/", logistics.sheet_upload, name="sheet_upload"),
    path("channels/<str:code>/fuel/", logistics.fuel_add, name="fuel_add"),
    path("channels/<str:code>/sheets/<int:pk>/", logistics.sheet_detail, name="sheet"),
    path(
        "channels/<str:code>/sheets/<int:pk>/download/",
        logistics.sheet_download,
        name="sheet_download",
    ),
    path(
        "channels/<str:code>/sheets/<int:pk>/action/", logistics.sheet_action, name="sheet_action"
    ),
    path("tracking/", tracking_views.search, name="tracking"),
    path("tracking/exceptions/", tracking_views.exception_queue, name="tracking_exceptions"),
    path("tracking/exceptions/<int:pk>/resolve/", tracking_views.resolve, name="tracking_resolve"),
    path("tracking/shipments/<int:pk>/", tracking_views.shipment_page, name="tracking_shipment"),
    path(
        "tracking/shipments/<int:pk>/action/",
        tracking_views.shipment_action,
        name="tracking_shipment_action",
    ),
    path("t/<str:number>", tracking_views.public_page, name="public_tracking"),
    path("t/<str:number>/<str:key>", tracking_views.public_page, name="public_tracking_key"),
    path("shipping/", _ship.pending, name="shipping"),
    path("shipping/rate-shop/", _ship.rate_shop, name="shipping_rate_shop"),
    path("shipping/create/", _ship.create, name="shipping_create"),
    path("shipping/shipments/", _ship.shipments, name="shipments"),
    path("shipping/shipments/bulk/", _ship.shipments_bulk, name="shipments_bulk"),
    path("shipping/shipments/labels/", _ship.labels_bulk, name="shipments_labels"),
    path("shipping/shipments/<int:pk>/", _ship.shipment_detail, name="shipment"),
    path(
        "shipping/shipments/<int:pk>/label.pdf",
        _ship.shipment_label,
        {"fmt": "pdf"},
        name="shipment_label_pdf",
    ),
    path(
        "shipping/shipments/<int:pk>/label.zpl",
        _ship.shipment_label,
        {"fmt": "zpl"},
        name="shipment_label_zpl",
    ),
    path(
        "shipping/shipments/<int:pk>/customs.pdf", _ship.shipment_customs, name="shipment_customs"
    ),
    path("shipping/manifests/", _ship.manifests_page, name="manifests"),
    path(
        "shipping/manifests/<int:pk>.pdf", _ship.manifest_file, {"fmt": "pdf"}, name="manifest_pdf"
    ),
    path(
        "shipping/manifests/<int:pk>.csv", _ship.manifest_file, {"fmt": "csv"}, name="manifest_csv"
    ),
]
