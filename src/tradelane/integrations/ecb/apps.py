from django.apps import AppConfig


class EcbConfig(AppConfig):
    name = "tradelane.integrations.ecb"
    label = "ecb"
    verbose_name = "ECB reference rates"

    def ready(self) -> None:
        # registers the worker's scheduled fetch in every process (it does nothing while
        # TRADELANE_ECB_FETCH is off)
        from . import periodic  # noqa: F401
