from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "tradelane.logistics"
    label = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        # job kinds and outbox handlers register themselves on import
        from . import carrier_calls, shopping  # noqa: F401
