from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "tradelane.logistics"
    label = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        # job kinds and outbox handlers register themselves on import (tracking: expiry sweep)
        from .shipping import automation, carrier_calls  # noqa: F401
        from .shopping import services as shopping  # noqa: F401
        from .tracking import services as tracking  # noqa: F401
