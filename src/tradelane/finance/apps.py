from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """Money that the provider bills and the seller side reuses: exchange rates, append-only
    account ledgers, fees per waybill, statements, payables, commissions. One Django app
    (label ``finance``) split into sub-packages by concern, as the logistics kernel is."""

    name = "tradelane.finance"
    label = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tradelane.forwarding.hub import holds
        from tradelane.forwarding.waybills import price_listeners

        from .credit import services as credit
        from .fees import rerating  # noqa: F401  (registers the bulk re-rating job)
        from .fees import services as fees

        # the fee catalogue is written after every migrate (and a test database's flush)
        post_migrate.connect(fees.seed_after_migrate, sender=self, dispatch_uid="finance.fees")
        # a waybill priced at creation, at inbound or on a channel change posts its fee lines
        price_listeners.register_price_listener(fees.on_waybills_priced)
        # a parcel received at the hub is charged to its customer's balance and credit, or held
        holds.register_receipt_check(credit.on_receipt)
        # ... and charged when an arrears hold is released from the problem queue
        holds.register_release_hook(credit.on_release)
