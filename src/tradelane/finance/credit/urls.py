"""The credit pages, joined to the web UI's namespace by ``tradelane.finance.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("finance/credit/", views.credit, name="finance_credit"),
    path("finance/credit/top-up/", views.top_up, name="finance_credit_top_up"),
    path("finance/credit/holds/<int:pk>/release/", views.release, name="finance_credit_release"),
    path("finance/credit/ageing/", views.ageing, name="finance_ageing"),
    path("finance/credit/ageing.xlsx", views.ageing_export, name="finance_ageing_export"),
    path("portal/balance/", views.portal_balance, name="portal_balance"),
]
