from django.urls import include, path

from . import views
from .views import logistics

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
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
]
