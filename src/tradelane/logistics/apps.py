from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "tradelane.logistics"
    label = "logistics"
    verbose_name = "Logistics"

    def ready(self) -> None:
        from . import tracking  # noqa: F401 - registers the expiry sweep
