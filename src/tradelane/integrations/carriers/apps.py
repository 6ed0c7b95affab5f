import threading

from django.apps import AppConfig

_load_lock = threading.Lock()


def load_gateway(carrier: str):
    """A ``KarrioGateway`` for the carrier, importing karrio on the first call of the process.

    karrio is not imported at start-up: it costs about 50 MB and a second in every web process
    and worker, and most never make a carrier call. ``karrio_tls`` makes the late import safe
    from any thread: certificate checks stay on while karrio loads and after (its docstring
    says how), and ``client`` routes karrio's HTTP through our verifying context.
    """
    with _load_lock:
        from .gateway import KarrioGateway

    return KarrioGateway(carrier)


class CarriersConfig(AppConfig):
    name = "tradelane.integrations.carriers"
    label = "carriers"
    verbose_name = "Carrier connections"

    def ready(self) -> None:
        from tradelane.logistics.carriers import contract as gateways

        from . import polling  # noqa: F401  (registers the periodic tracking poll)
        from .catalog import CARRIERS, INFOS

        for carrier in CARRIERS:
            gateways.register(
                carrier, lambda carrier=carrier: load_gateway(carrier), INFOS[carrier]
            )
        # a Tradelane provider: plain HTTP (httpx), nothing heavy to load
        from .tradelane_provider import pending  # noqa: F401  (registers its sweep)
        from .tradelane_provider.gateway import CARRIER, INFO, ProviderGateway

        gateways.register(CARRIER, ProviderGateway, INFO)
