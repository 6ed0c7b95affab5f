from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "tradelane.integrations.spreadsheets"
    label = "spreadsheets"
    verbose_name = "Spreadsheets"

    def ready(self) -> None:
        from tradelane.core.periodic import every_sweep

        from . import services

        every_sweep("spreadsheet-uploads")(services.prune_uploads)
