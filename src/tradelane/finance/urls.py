"""The finance app's pages (mounted by web/urls.py under the ``web`` namespace)."""

from .credit import urls as credit
from .fees import urls as fees

urlpatterns = [*fees.urlpatterns, *credit.urlpatterns]  # fees per waybill; balances and credit
