from django.urls import include, path

from . import views
from .views import auth as auth_views
from .views import logistics
from .views import shipping as _ship
from .views import tracking as tracking_views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("settings/login-lockouts/", auth_views.login_lockouts, name="login_lockouts"),
    path("orders/", views.workbench, name="orders"),
    path("orders/bulk/", views.bulk, name="orders_bulk"),
    path("orders/import/", views.import_orders, name="orders_import"),
    path("orders/import/sample.csv", views.import_sample, name="orders_import_sample"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/action/", views.order_action, name="order_action"),
    path("orders/<int:pk>/split/", views.order_split, name="order_split"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
    path("products/", views.products, name="products"),
    path("stock/", views.stock_page, name="stock"),
    path("", include("tradelane.integrations.spreadsheets.urls")),
    path("", include("tradelane.integrations.stores.web_urls")),
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
]

# the shipping workbench (发货)

urlpatterns += [
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
