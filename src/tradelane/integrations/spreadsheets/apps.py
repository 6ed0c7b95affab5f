from django.apps import AppConfig


class SpreadsheetsConfig(AppConfig):
    name = "tradelane.integrations.spreadsheets"
    label = "spreadsheets"
    verbose_name = "Spreadsheets"
