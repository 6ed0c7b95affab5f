from django.urls import include, path

from . import views

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
    path("", include("tradelane.integrations.stores.web_urls")),
]
