from __future__ import annotations

import pytest
from django.db import connection

from tradelane.core.audit import AuditLog
from tradelane.core.errors import Conflict, PermissionDenied, ValidationFailed
from tradelane.logistics.models import CarrierAccount
from tradelane.logistics.rates import services

SECRET = "s3cr3t-Very-Private-Value"


def _raw_column(code: str) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT credentials FROM logistics_carrieraccount WHERE code = %s", [code])
        return cur.fetchone()[0]


@pytest.mark.django_db
def test_credentials_are_encrypted_at_rest_and_decrypted_for_the_gateway(logistics):
    account = services.create_carrier_account(
        logistics, "ups-main", "UPS main", "ups",
        {"client_id": "my-client", "client_secret": SECRET, "account_number": "A1B2C3"},
        test_mode=True, base_url="https://wwwcie.ups.com",
    )  # fmt: skip
    raw = _raw_column("ups-main")
    assert SECRET not in raw and "my-client" not in raw and raw
    data = services.carrier_account_data(account)
    assert data.credentials == {"client_id": "my-client", "client_secret": SECRET,
                                "account_number": "A1B2C3"}  # fmt: skip
    assert (data.code, data.carrier, data.test_mode, data.base_url) == (
        "ups-main",
        "ups",
        True,
        "https://wwwcie.ups.com",
    )
    logs = AuditLog.objects.filter(action="logistics.carrier_account.create")
    assert logs.count() == 1
    assert SECRET not in str(logs.get().changes)
    assert logs.get().changes["credential_keys"] == ["account_number", "client_id",
                                                     "client_secret"]  # fmt: skip


@pytest.mark.django_db
def test_update_replaces_credentials_still_encrypted(logistics):
    account = services.create_carrier_account(
        logistics, "fx", "FedEx", "fedex", {"api_key": "k", "secret_key": "old"}
    )
    services.update_carrier_account(
        logistics, account, name="FedEx CN", credentials={"api_key": "k", "secret_key": SECRET}
    )
    assert SECRET not in _raw_column("fx")
    account.refresh_from_db()
    assert account.name == "FedEx CN"
    assert services.carrier_account_data(account).credentials["secret_key"] == SECRET
    assert SECRET not in str(list(AuditLog.objects.values_list("changes", flat=True)))


@pytest.mark.django_db
def test_refusals_write_nothing(logistics, cs):
    with pytest.raises(PermissionDenied):
        services.create_carrier_account(cs, "x", "X", "ups", {"client_secret": SECRET})
    with pytest.raises(ValidationFailed):
        services.create_carrier_account(logistics, "bad code!", "X", "ups", {})
    with pytest.raises(ValidationFailed):
        services.create_carrier_account(logistics, "x", "X", "ups", {}, base_url="ftp://x")
    assert CarrierAccount.objects.count() == 0
    services.create_carrier_account(logistics, "x", "X", "ups", {})
    with pytest.raises(Conflict):
        services.create_carrier_account(logistics, "x", "Y", "ups", {})
    with pytest.raises(ValidationFailed):
        services.update_carrier_account(logistics, CarrierAccount.objects.get(), carrier="fedex")
    assert CarrierAccount.objects.get().name == "X"
