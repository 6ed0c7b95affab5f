from django.apps import AppConfig


class ForwarderApisConfig(AppConfig):
    name = "tradelane.integrations.forwarder_apis"
    label = "forwarder_apis"
    verbose_name = "ECCANG and Hualei compatible APIs"
