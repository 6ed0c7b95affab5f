"""The statements pages, for finance and for the customer's portal (``web`` namespace)."""

from django.urls import path

from .views import portal as portal_views
from .views import staff as views

staff = [
    path("finance/statements/", views.statement_list, name="finance_statements"),
    path("finance/statements/disputes/", views.dispute_list, name="finance_disputes"),
    path("finance/statements/disputes/<int:pk>/resolve/", views.dispute_resolve,
         name="finance_dispute_resolve"),
    path("finance/statements/receipts/", views.receipt_list, name="finance_receipts"),
    path("finance/statements/<str:number>/", views.statement_detail, name="finance_statement"),
    path("finance/statements/<str:number>/statement.pdf", views.statement_download,
         {"fmt": "pdf"}, name="finance_statement_pdf"),
    path("finance/statements/<str:number>/statement.xlsx", views.statement_download,
         {"fmt": "xlsx"}, name="finance_statement_xlsx"),
]  # fmt: skip
# walked by ``tests/test_views.py`` with the other customer's statements, as every portal route is
portal = [
    path("portal/statements/", portal_views.statements, name="portal_statements"),
    path("portal/statements/<str:number>/", portal_views.statement, name="portal_statement"),
    path("portal/statements/<str:number>/confirm/", portal_views.statement_confirm,
         name="portal_statement_confirm"),
    path("portal/statements/<str:number>/dispute/", portal_views.statement_dispute,
         name="portal_statement_dispute"),
    path("portal/statements/<str:number>/statement.pdf", portal_views.statement_download,
         {"fmt": "pdf"}, name="portal_statement_pdf"),
    path("portal/statements/<str:number>/statement.xlsx", portal_views.statement_download,
         {"fmt": "xlsx"}, name="portal_statement_xlsx"),
]  # fmt: skip
urlpatterns = [*staff, *portal]
