from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tradelane.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        # Register the bulk job kinds (orders.review, orders.allocate, ...) in every process,
        # the task worker included, so a queued job finds its function.
        from . import automation, jobs  # noqa: F401  (automation: its follow-ups)
