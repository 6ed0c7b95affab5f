import pytest
from django.contrib.auth.models import Group

from tradelane.accounts import apikeys, roles, services
from tradelane.accounts.models import ApiKey, User
from tradelane.core.errors import PermissionDenied, ValidationFailed
from tradelane.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_every_role_exists_with_exactly_its_permissions():
    for role, perms in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert have == set(perms), role


# the permissions each role held before shipping was split (release 2026-11), to prove that an
# existing installation is brought to today's table by its next ``migrate``
OLD_SHIPPING_ROLES = {
    roles.LOGISTICS: ["logistics.view_channel", "logistics.ship", "logistics.manage_tracking",
                      "stores.view_storeconnection", "stores.change_storeconnection"],
    roles.WAREHOUSE: ["logistics.view_channel", "logistics.ship"],
    roles.BOSS: ["orders.view_reports", "stores.view_storeconnection"],
    roles.PURCHASING: ["catalog.change_product"],
}  # fmt: skip
NEW_PERMISSIONS = ("cancel_shipment", "rate_shop", "close_manifest")


def _names(perms) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def test_an_existing_installation_gets_the_new_permissions_at_its_next_migrate():
    from django.contrib.auth.models import Permission
    from django.core.management import call_command

    new = Permission.objects.filter(
        content_type__app_label="logistics", codename__in=NEW_PERMISSIONS
    )
    new.delete()
    everything = Permission.objects.select_related("content_type")
    for role, names in OLD_SHIPPING_ROLES.items():
        Group.objects.get(name=role).permissions.set(
            [p for p in everything if _names([p]) <= {*names}]
        )
    call_command("migrate", verbosity=0, interactive=False)  # nothing to apply: post_migrate
    assert new.count() == len(NEW_PERMISSIONS)
    for role, perms in roles.ROLE_PERMISSIONS.items():
        assert _names(Group.objects.get(name=role).permissions.all()) == set(perms), role


def test_the_boss_reads_everything_and_writes_nothing():
    boss = roles.ROLE_PERMISSIONS[roles.BOSS]
    assert all(p.split(".", 1)[1].startswith("view_") for p in boss), boss
    reads = {v for k, v in vars(roles.P).items() if k.isupper() and ".view_" in v}
    assert set(boss) == reads  # every read permission there is


def test_roles_gate_actions(cs, warehouse_user, admin):
    assert cs.has_perm(roles.P.ORDER_REVIEW) and not cs.has_perm(roles.P.STOCK_ADJUST)
    assert warehouse_user.has_perm(roles.P.STOCK_ADJUST)
    assert not warehouse_user.has_perm(roles.P.ORDER_REVIEW)
    assert all(admin.has_perm(p) for p in roles.ROLE_PERMISSIONS[roles.ADMIN])


def test_create_user_needs_the_right_and_known_roles(admin, cs):
    with pytest.raises(PermissionDenied):
        services.create_user(cs, username="x", password="Quartz-Lantern-47", roles=["sales"])
    with pytest.raises(ValidationFailed) as err:
        services.create_user(admin, username="x", password="Quartz-Lantern-47", roles=["pilot"])
    assert err.value.code == "unknown_role"
    assert not User.objects.filter(username="x").exists()
    user = services.create_user(admin, username="x", password="Quartz-Lantern-47", roles=["sales"])
    assert roles.roles_of(user) == ["sales"]
    assert AuditLog.objects.filter(action="accounts.user.create", actor=admin).count() == 1


def test_api_keys_are_stored_hashed_and_can_be_revoked(cs):
    key, raw = services.create_api_key(cs, user=cs, name="shop sync")
    assert raw.startswith(f"tl_{key.prefix}_")
    stored = ApiKey.objects.get()
    assert raw not in (stored.digest, stored.prefix) and len(stored.digest) == 64
    assert apikeys.authenticate_key(raw) == cs
    assert apikeys.authenticate_key(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert apikeys.authenticate_key("tl_nope_x") is None
    services.revoke_api_key(cs, key)
    assert apikeys.authenticate_key(raw) is None


def test_api_key_for_someone_else_needs_user_management(cs, admin):
    with pytest.raises(PermissionDenied):
        services.create_api_key(cs, user=admin, name="steal")
    assert ApiKey.objects.count() == 0


def test_company_profile_defaults_and_validation(company, admin):
    assert (company.base_currency, company.time_zone) == ("CNY", "Asia/Shanghai")
    with pytest.raises(ValidationFailed):
        services.update_company(admin, base_currency="XYZ")
    company.refresh_from_db()
    assert company.base_currency == "CNY"


def test_block_buyer_needs_email_or_phone(cs):
    with pytest.raises(ValidationFailed):
        services.block_buyer(cs)
    row = services.block_buyer(cs, email=" Bad@Example.com ", reason="chargebacks")
    assert row.email == "bad@example.com"
