from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tradelane.orders"
    label = "orders"
    verbose_name = "Orders"
