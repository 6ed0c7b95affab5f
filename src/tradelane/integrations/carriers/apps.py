from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "tradelane.integrations.carriers"
    label = "carriers"
    verbose_name = "Carrier connections"

    def ready(self) -> None:
        from tradelane.logistics.carriers import contract as gateways

        from . import polling  # noqa: F401  (registers the periodic tracking poll)

        # Importing the gateway imports karrio (about a second) at start-up on purpose: karrio
        # switches off TLS certificate checks for the whole process while it loads
        # (karrio_tls puts them back); done here, before any request thread runs, no other
        # thread can make an HTTPS call in that window.
        from .gateway import CARRIERS, KarrioGateway

        for carrier in CARRIERS:
            gateways.register(carrier, lambda carrier=carrier: KarrioGateway(carrier))
