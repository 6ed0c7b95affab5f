from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tradelane.core"
    label = "core"
    verbose_name = "Core"
