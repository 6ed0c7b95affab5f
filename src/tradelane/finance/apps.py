from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """Money that the provider bills and the seller side reuses: exchange rates, append-only
    account ledgers, fees per waybill, statements, payables, commissions. One Django app
    (label ``finance``) split into sub-packages by concern, as the logistics kernel is."""

    name = "tradelane.finance"
    label = "finance"
    verbose_name = "Finance"
