"""The fees pages, joined to the web UI's namespace by ``tradelane.finance.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("finance/waybills/<str:number>/fees/", views.waybill_fees, name="finance_waybill_fees"),
    path("finance/rerate/", views.rerate, name="finance_rerate"),
]
