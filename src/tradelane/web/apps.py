from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tradelane.web"
    label = "web"
    verbose_name = "Web UI"
