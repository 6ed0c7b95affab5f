"""The commission pages, joined to the web UI's namespace by ``tradelane.finance.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("finance/commissions/", views.index, name="commissions"),
    path("finance/commissions/compute/", views.compute, name="commission_compute"),
    path("finance/commissions/adopt/", views.adopt, name="commission_adopt"),
    path("finance/commissions/agreements/new/", views.agreement_new,
         name="commission_agreement_new"),
    path("finance/commissions/agreements/<int:pk>/", views.agreement_edit,
         name="commission_agreement"),
    path("finance/commissions/statements/<int:pk>/", views.statement,
         name="commission_statement"),
    path("finance/commissions/statements/<int:pk>/export.xlsx", views.statement_xlsx,
         name="commission_statement_xlsx"),
    path("finance/commissions/salespeople/", views.salespeople, name="commission_sales"),
    # an agent's portal user: its own confirmed and settled statements (scoping.py)
    path("portal/commissions/", views.portal_statements, name="portal_commissions"),
    path("portal/commissions/<int:pk>/", views.portal_statement,
         name="portal_commission_statement"),
    path("portal/commissions/<int:pk>/export.xlsx", views.portal_statement_xlsx,
         name="portal_commission_statement_xlsx"),
]  # fmt: skip
