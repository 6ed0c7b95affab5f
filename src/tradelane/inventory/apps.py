from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "tradelane.inventory"
    label = "inventory"
    verbose_name = "Inventory"
