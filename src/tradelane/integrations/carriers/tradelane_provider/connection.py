"""Connecting a seller's carrier account to its provider's webhooks.

``register_webhook`` tells the provider where to send its webhooks (``PUT /provider/webhook``
with our intake URL for this account, ``/hooks/tracking/<account code>``) and keeps the secret
the provider returns, shown once, in the account's encrypted credentials as
``webhook_secret`` (through ``rates.services.update_carrier_account``: ``P.CHANNEL_CHANGE``,
audited with the credential key names only).
"""

from __future__ import annotations

from django.conf import settings

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import ValidationFailed
from tradelane.logistics.carriers import contract as g
from tradelane.logistics.models import CarrierAccount
from tradelane.logistics.rates import selectors
from tradelane.logistics.rates import services as rate_services

from .client import ProviderClient, error_of
from .gateway import CARRIER


def intake_url(account: CarrierAccount, public_url: str = "") -> str:
    base = (public_url or getattr(settings, "TRADELANE_PUBLIC_URL", "") or "").rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ValidationFailed(
            "Our public address is needed for the provider's webhooks (TRADELANE_PUBLIC_URL)",
            code="public_url_missing",
        )
    return f"{base}/hooks/tracking/{account.code}"


def register_webhook(
    actor, account: CarrierAccount, public_url: str = "", *, transport=None
) -> str:
    """Register our intake with the provider; returns the URL registered."""
    require(actor, P.CHANNEL_CHANGE)
    if account.carrier != CARRIER:
        raise ValidationFailed(f"Carrier account {account.code} is not a Tradelane provider",
                               code="not_a_provider_account")  # fmt: skip
    url = intake_url(account, public_url)
    data = selectors.carrier_account_data(account)
    with ProviderClient(data.base_url, str(data.credentials.get("api_key") or ""),
                        transport=transport) as c:  # fmt: skip
        resp = c.request("PUT", "/webhook", json={"url": url})
        if resp.status_code >= 400:
            code, message, _ = error_of(resp)
            raise g.CarrierError(
                f"The provider refused the webhook: {message}", code="carrier_refused",
                details={"carrier_code": code},
            )  # fmt: skip
        secret = str((resp.json() or {}).get("secret") or "")
    if not secret:
        raise g.CarrierError("The provider returned no webhook secret", code="carrier_refused")
    rate_services.update_carrier_account(
        actor, account, credentials={**data.credentials, "webhook_secret": secret}
    )
    return url
