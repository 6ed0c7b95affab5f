"""The payables pages, joined to the web UI's namespace by ``tradelane.finance.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("finance/payables/", views.payables, name="finance_payables"),
    path("finance/payables/bills/<int:pk>/", views.bill, name="finance_payables_bill"),
    path(
        "finance/payables/bills/<int:pk>/audit.xlsx",
        views.bill_export,
        name="finance_payables_export",
    ),  # fmt: skip
    path(
        "finance/payables/lines/<str:code>/", views.upstream_line, name="finance_payables_line"
    ),  # fmt: skip
]
