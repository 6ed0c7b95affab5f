"""The credentials kept between calls (``selectors``): every change to what they were built
from is seen on the very next call, also when it is written past the ORM's signals (another
process, a plain UPDATE)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tradelane.forwarding.partners.models import CustomerAccount, PartnerStatus
from tradelane.forwarding.waybills.models import Waybill

from .. import selectors, services
from ..models import Vendor, VendorCredential
from .test_eccang import order

pytestmark = pytest.mark.django_db

AUTH_FAILED = "1001"
REFUSED = "3001"


def _code(answer: dict) -> str:
    return answer.get("Error", {}).get("errCode", "")


def test_a_kept_credential_reads_no_permissions_again(world):
    assert world.acme.call("createOrder", order(reference_no="K-1"))["ask"] == "Success"
    with CaptureQueriesContext(connection) as seen:
        assert world.acme.call("createOrder", order(reference_no="K-2"))["ask"] == "Success"
    sql = [q["sql"] for q in seen.captured_queries]
    assert sql[0].startswith("SELECT c.*, u.*")  # the rows the kept objects were built from
    rest = " ".join(sql[1:])  # and none of those objects built again
    for table in ("vendorcredential", "auth_permission", "portalmembership"):
        assert table not in rest
    assert Waybill.objects.filter(reference__in=["K-1", "K-2"]).count() == 2


def test_revoked_or_a_new_key_is_seen_on_the_next_call(world):
    assert world.acme.call("createOrder", order(reference_no="R-1"))["ask"] == "Success"
    cred = VendorCredential.objects.get(identifier=world.acme.token)
    VendorCredential.objects.filter(pk=cred.pk).update(secret_digest=services.digest("new"))
    assert _code(world.acme.call("createOrder", order(reference_no="R-2"))) == AUTH_FAILED
    assert world.acme.call("createOrder", order(reference_no="R-2"), key="new")["ask"] == (
        "Success"
    )
    services.revoke(world.p.sales1, cred)
    assert _code(world.acme.call("createOrder", order(reference_no="R-3"), key="new")) == (
        AUTH_FAILED
    )


def test_a_user_deactivated_or_without_its_role_is_refused_at_once(world):
    assert world.acme.call("createOrder", order(reference_no="U-1"))["ask"] == "Success"
    user = world.p.acme_user
    groups = list(user.groups.all())
    user.groups.clear()
    answer = world.acme.call("createOrder", order(reference_no="U-2"))
    assert _code(answer) == REFUSED
    user.groups.set(groups)
    assert world.acme.call("createOrder", order(reference_no="U-2"))["ask"] == "Success"
    # a group that loses the permission (the same group ids): refused too
    group = Group.objects.get(pk=groups[0].pk)
    kept = list(group.permissions.all())
    group.permissions.clear()
    assert _code(world.acme.call("createOrder", order(reference_no="U-3"))) == REFUSED
    group.permissions.set(kept)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert _code(world.acme.call("createOrder", order(reference_no="U-3"))) == AUTH_FAILED


def test_a_suspended_customer_is_refused_on_the_next_call(world):
    assert world.acme.call("createOrder", order(reference_no="S-1"))["ask"] == "Success"
    code = world.p.acme_user.portal_membership.customer.code
    CustomerAccount.objects.filter(code=code).update(status=PartnerStatus.SUSPENDED)
    answer = world.acme.call("createOrder", order(reference_no="S-2"))
    assert _code(answer) == REFUSED
    assert "suspended" in answer["message"]
    CustomerAccount.objects.filter(code=code).update(status=PartnerStatus.ACTIVE)
    assert world.acme.call("createOrder", order(reference_no="S-2"))["ask"] == "Success"


def test_each_call_gets_its_own_objects(world):
    first, _ = selectors._credential(Vendor.ECCANG, "identifier", world.acme.token)
    again, _ = selectors._credential(Vendor.ECCANG, "identifier", world.acme.token)
    assert first is not again and first.user is not again.user
    assert first.customer is not again.customer
    assert first.pk == again.pk and first.user.pk == again.user.pk
