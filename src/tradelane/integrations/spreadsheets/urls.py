"""Mounted inside the web app's URLs (names ``web:io...``)."""

from django.urls import path

from . import payable_bills, views

urlpatterns = [
    path("io/", views.page, name="io"),
    path("io/upload/", views.upload, name="io_upload"),
    path("io/<int:pk>/preview/", views.preview, name="io_preview"),
    path("io/<int:pk>/import/", views.run, name="io_import"),
    path("io/jobs/<int:pk>/", views.job, name="io_job"),
    path("io/export/<str:entity>/", views.export, name="io_export"),
    # an upstream line's bill (finance.payables): read here, matched and written by finance
    path("finance/payables/upload/", payable_bills.upload, name="finance_payables_upload"),
]
