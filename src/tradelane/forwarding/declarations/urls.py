"""The customs pages, joined to the web UI's namespace by ``forwarding.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("hub/customs/", views.customs, name="customs"),
    path("hub/customs/waybill/<str:number>/<str:kind>.pdf", views.customs_waybill_document,
         name="customs_waybill_document"),
    path("hub/customs/from-dispatch/<int:pk>/", views.customs_from_dispatch,
         name="customs_from_dispatch"),
    path("hub/customs/<str:number>/", views.customs_batch, name="customs_batch"),
    path("hub/customs/<str:number>/export.xlsx", views.customs_export, {"fmt": "xlsx"},
         name="customs_export_xlsx"),
    path("hub/customs/<str:number>/export.csv", views.customs_export, {"fmt": "csv"},
         name="customs_export_csv"),
    path("hub/customs/<str:number>/documents.pdf", views.customs_documents,
         name="customs_documents"),
]  # fmt: skip
