"""Issuing and revoking vendor credentials: who may, for whom, and what is kept."""

from __future__ import annotations

import pytest

from tradelane.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog

from .. import services
from ..models import Vendor, VendorCredential
from ..selectors import authenticate

pytestmark = pytest.mark.django_db


def test_who_may_issue_for_whom_and_refusals_write_nothing(world):
    p = world.p
    before = (VendorCredential.objects.count(), AuditLog.objects.count())
    with pytest.raises(PermissionDenied):
        services.issue(p.acme_user, vendor=Vendor.ECCANG, user=p.acme_user)
    with pytest.raises(ValidationFailed) as err:
        services.issue(p.admin, vendor=Vendor.ECCANG, user=p.hub)
    assert err.value.code == "customer_portal_user_required"
    with pytest.raises(ValidationFailed) as err:
        services.issue(p.admin, vendor=Vendor.ECCANG, user=p.agent_user)
    assert err.value.code == "customer_portal_user_required"
    with pytest.raises(NotFound) as err:  # sales2 looks after BOLT, not ACME
        services.issue(p.sales2, vendor=Vendor.ECCANG, user=p.acme_user)
    assert err.value.code == "customer_not_found"
    with pytest.raises(Conflict) as err:
        services.issue(p.sales2, vendor=Vendor.HUALEI, user=p.bolt_user, username="acme-erp")
    assert err.value.code == "username_taken"
    with pytest.raises(ValidationFailed) as err:
        services.issue(p.admin, vendor=Vendor.HUALEI, user=p.bolt_user, username="a b")
    assert err.value.code == "invalid_username"
    with pytest.raises(ValidationFailed) as err:
        services.issue(p.admin, vendor="cainiao", user=p.bolt_user)
    assert err.value.code == "invalid_choice"
    assert (VendorCredential.objects.count(), AuditLog.objects.count()) == before


def test_issue_keeps_a_digest_and_revoke_closes_the_door(world):
    cred = VendorCredential.objects.get(vendor=Vendor.ECCANG, customer=world.p.acme)
    assert (cred.identifier, cred.user, cred.created_by) == (
        world.acme.token,
        world.p.acme_user,
        world.p.sales1,
    )
    assert len(cred.identifier) == len(world.acme.key) == 32
    assert cred.secret_digest == services.digest(world.acme.key) != world.acme.key
    issued = AuditLog.objects.get(action="forwarder_api.credential_issue", object_id=str(cred.pk))
    assert world.acme.key not in str(issued.changes)
    assert authenticate(Vendor.ECCANG, world.acme.token, world.acme.key) == cred
    assert authenticate(Vendor.HUALEI, world.acme.token, world.acme.key) is None
    with pytest.raises(NotFound):
        services.revoke(world.p.sales2, cred)
    services.revoke(world.p.sales1, cred)
    assert authenticate(Vendor.ECCANG, world.acme.token, world.acme.key) is None
    answer = world.acme.call("getShippingMethod", {})
    assert answer["Error"]["errCode"] == "1001"


def test_the_command_issues_lists_and_revokes(world, capsys):
    from django.core.management import call_command

    call_command("tms_credentials", "issue", "--vendor", "eccang", "--user", "bolt",
                 "--by", "sales2")  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    token, key = out[0].split()[-1], out[1].split()[-1]
    cred = VendorCredential.objects.get(identifier=token)
    assert (cred.customer, cred.user) == (world.p.bolt, world.p.bolt_user)
    assert authenticate(Vendor.ECCANG, token, key) == cred
    call_command("tms_credentials", "list", "--customer", "BOLT")
    listed = capsys.readouterr().out
    assert f"{cred.pk}\teccang\t{token}\tBOLT\tbolt\tactive" in listed
    assert key not in listed
    call_command("tms_credentials", "revoke", "--id", str(cred.pk), "--by", "sales2")
    assert authenticate(Vendor.ECCANG, token, key) is None
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="customer_not_found"):
        call_command("tms_credentials", "issue", "--vendor", "eccang", "--user", "acme",
                     "--by", "sales2")  # fmt: skip
