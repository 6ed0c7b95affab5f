from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "tradelane.integrations.stores"
    label = "stores"
    verbose_name = "Store integrations"

    def ready(self) -> None:
        # Register connectors, outbox handlers and the periodic reconciliation in every
        # process (web, worker), so queued work finds its function; the provider's webhooks
        # to its customers (``forwarding.customer_webhook``) are delivered here too.
        from tradelane.integrations.provider_webhooks import delivery  # noqa: F401

        from . import handlers, periodic  # noqa: F401
        from .amazon import connector as _amazon  # noqa: F401
        from .onboarding import catalog_import  # noqa: F401  (the catalog import job)
        from .shopify import connector  # noqa: F401
        from .woocommerce import connector as _woocommerce  # noqa: F401
