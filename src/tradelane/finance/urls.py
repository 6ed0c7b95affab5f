"""The finance app's pages (mounted by web/urls.py under the ``web`` namespace)."""

from .fees import urls as fees
from .statements import urls as statements

urlpatterns = [*fees.urlpatterns, *statements.urlpatterns]  # fees per waybill, statements
