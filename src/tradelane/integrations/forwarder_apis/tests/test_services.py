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
