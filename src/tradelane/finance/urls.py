"""The finance app's pages (mounted by web/urls.py under the ``web`` namespace)."""

from .commissions import urls as commissions
from .credit import urls as credit
from .fees import urls as fees
from .payables import urls as payables
from .statements import urls as statements

urlpatterns = [
    *fees.urlpatterns,  # fees per waybill
    *payables.urlpatterns,  # upstream bills, their audit, the lines' payables accounts
    *commissions.urlpatterns,  # agents' and salespeople's commissions
    *credit.urlpatterns,  # balances, credit and arrears holds, ageing
    *statements.urlpatterns,  # statements (对账单), disputes, receipts
]
