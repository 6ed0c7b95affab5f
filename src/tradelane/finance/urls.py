"""The finance app's pages (mounted by web/urls.py under the ``web`` namespace)."""

from .commissions import urls as commissions
from .fees import urls as fees

urlpatterns = [*fees.urlpatterns, *commissions.urlpatterns]  # fees per waybill; commissions
