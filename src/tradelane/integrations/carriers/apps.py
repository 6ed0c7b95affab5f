from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "tradelane.integrations.carriers"
    label = "carriers"
    verbose_name = "Carrier connections"

    def ready(self) -> None:
        from tradelane.logistics import gateways

        from . import polling  # noqa: F401  (registers the periodic tracking poll)
        from .gateway import CARRIERS, KarrioGateway

        for carrier in CARRIERS:
            gateways.register(carrier, lambda carrier=carrier: KarrioGateway(carrier))
