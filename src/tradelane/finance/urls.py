"""The finance app's pages (mounted by web/urls.py under the ``web`` namespace)."""

from .fees import urls as fees

urlpatterns = [*fees.urlpatterns]  # fees per waybill
