"""The link, end to end: a seller on Tradelane ships through a provider on Tradelane.

Two live installations, each in its own data folder and served by ``tradelane up`` (waitress
and its task worker) in its own process, as production runs them:

1. the provider (the forwarding test provider: channel USLINE numbers its parcels later)
   makes an API key for its customer ACME's portal user;
2. the seller connects its Shopify store (a local fake, in this process), adds the provider as
   a carrier account (``tradelane``, the provider's URL, the API key) and a ``tradelane``
   channel, registers its webhook with the provider (``manage provider_webhook``) and ships
   an order: its worker creates the waybill (``POST /provider/waybills``), and the answer is
   "number later";
3. the provider's hub receives the parcel with a new weight (``waybills.services.receive``),
   then assigns the last-mile number (``assign_numbers``); its worker sends the webhooks;
4. the seller's shipment gets its cost re-rated, its number and label, is handed over, and the
   fake Shopify receives the fulfilment with the tracking, then the last-mile tracking update.

Slow by nature (two servers, a sweep every 30 seconds each): a few minutes.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pw-Tradelane-1"
LAST_MILE = "9400111899223100000000"

PROVIDER_SEED = """
from tradelane.accounts import services as accounts
from tradelane.forwarding.tests.factories import provider
ns = provider()
_, raw = accounts.create_api_key(ns.admin, user=ns.acme_user, name="seller link")
print("KEY=" + raw)
"""

SELLER_SEED = """
from decimal import Decimal
from django.contrib.auth import get_user_model
from tradelane.catalog.models import Product, Sku
from tradelane.integrations.stores import services as stores
from tradelane.inventory.models import Warehouse
from tradelane.logistics.rates import services as rates
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders import services as orders
from tradelane.orders.models import Order

cfg = {cfg!r}
admin = get_user_model().objects.create_superuser("seller", "s@example.com", "{password}")
wh = Warehouse.objects.create(
    code="SZ", name="Shenzhen", country="CN", priority=10, contact="Li Lei",
    address="1 Keji Road", city="Shenzhen Shi", state="Guangdong Sheng", postcode="518000",
    phone="+86 138 0000 0000",
)
product = Product.objects.create(code="P-MUG", name="马克杯", name_en="Mug")
sku = Sku.objects.create(
    product=product, code="FK-SKU-001", name="Mug", weight_g=1200, length_mm=300,
    width_mm=200, height_mm=100, cost_amount=Decimal("12.50"), cost_currency="CNY",
    declared_name_zh="马克杯", declared_name_en="Mug", hs_code="691200",
    declared_value=Decimal("5.00"), declared_currency="USD",
)
store = orders.create_store(admin, code="SHOP1", name="Shop 1", platform="shopify",
                            currency="USD", country="US")
stores.connect(admin, store, shop_domain=cfg["shop"], base_url=cfg["shopify_url"],
               credentials={{"access_token": cfg["token"], "webhook_secrets": ["shpss_e2e"]}})
rates.create_carrier_account(admin, "prov", "Provider", "tradelane",
                             {{"api_key": cfg["api_key"]}}, base_url=cfg["provider_url"])
own_channel(admin, "PROV", kind="tradelane", service_type="line", carrier="Provider",
            service_code="USLINE", carrier_account="prov")
order = allocated(admin, store, wh, [(sku, 1)])
Order.objects.filter(pk=order.pk).update(external_id=cfg["order_id"])
print("ORDER=%d" % order.pk)
"""

SHIP = """
from django.contrib.auth import get_user_model
from tradelane.logistics.shipping import services as shipping
(s,) = shipping.create_shipments(get_user_model().objects.get(username="seller"),
                                 order_ids=[{order}], channel="PROV")
print("SHIPMENT=" + s.number)
"""

RECEIVE = """
from django.contrib.auth import get_user_model
from tradelane.forwarding.waybills import services
from tradelane.forwarding.waybills.models import Waybill
w = Waybill.objects.get(reference="{reference}")
services.receive(get_user_model().objects.get(username="hub1"), w, weight_g=2600)
w.refresh_from_db()
print("PRICE=%s %s" % (w.sale_amount, w.sale_currency))
"""

ASSIGN = """
from django.contrib.auth import get_user_model
from tradelane.forwarding.waybills import services
from tradelane.forwarding.waybills.models import Waybill
w = Waybill.objects.get(reference="{reference}")
services.assign_numbers(get_user_model().objects.get(username="hub1"), w,
                        last_mile_carrier="USPS", last_mile_number="{number}")
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRADELANE_", "DATABASE_URL", "DJANGO_"))}  # fmt: skip
    env.update(
        TRADELANE_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        TRADELANE_DEBUG="0",
    )
    return env


def _manage(env: dict, *args: str, timeout: float = 300) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "tradelane", "manage", *args], env=env, capture_output=True,
        text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, f"manage {args[0]} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _shell(env: dict, code: str) -> dict[str, str]:
    out = _manage(env, "shell", "-c", code)
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(env: dict, port: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "tradelane", "up", "--no-browser", "--no-demo", "--host",
           "127.0.0.1", "--port", str(port)]  # fmt: skip
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"tradelane up exited:\n{log.read_text()}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing listens on {port}:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _row(db: Path, sql: str, *params) -> tuple | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def _wait(what: str, check, timeout: float = 240.0, logs: tuple[Path, ...] = ()):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(1.0)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})\n{tails}")


@pytest.fixture
def shopify():
    from tradelane.integrations.stores.fakes.shopify import FakeShopify, make_order
    from tradelane.integrations.stores.shopify import client as shopify_client

    shopify_client._buckets.clear()
    fake = FakeShopify().start()
    fake.order = fake.add_order(make_order(1))
    yield fake
    fake.stop()
    shopify_client._buckets.clear()


def test_a_seller_ships_through_a_provider_and_the_store_gets_the_tracking(tmp_path, shopify):
    prov_dir, seller_dir = tmp_path / "provider", tmp_path / "seller"
    prov_env, seller_env = _env(prov_dir), _env(seller_dir)
    prov_port, seller_port = _free_port(), _free_port()
    prov_url, seller_url = f"http://127.0.0.1:{prov_port}", f"http://127.0.0.1:{seller_port}"
    prov_db, seller_db = prov_dir / "tradelane.sqlite3", seller_dir / "tradelane.sqlite3"
    logs = (tmp_path / "provider.log", tmp_path / "seller.log")
    procs = []
    try:
        for env in (prov_env, seller_env):
            _manage(env, "migrate", "--verbosity", "0")
        api_key = _shell(prov_env, PROVIDER_SEED)["KEY"]
        procs.append(_up(prov_env, prov_port, logs[0]))
        cfg = {"shop": shopify.shop, "shopify_url": shopify.base_url, "token": shopify.token,
               "api_key": api_key, "provider_url": prov_url,
               "order_id": str(shopify.order["id"]).rsplit("/", 1)[-1]}  # fmt: skip
        order_id = _shell(seller_env, SELLER_SEED.format(cfg=cfg, password=PASSWORD))["ORDER"]
        procs.append(_up(seller_env, seller_port, logs[1]))
        out = _manage(seller_env, "provider_webhook", "prov", "--user", "seller",
                      "--public-url", seller_url)  # fmt: skip
        assert out.strip() == f"webhook registered: {seller_url}/hooks/tracking/prov"
        assert _row(prov_db, "SELECT webhook_url FROM forwarding_customeraccount WHERE code = ?",
                    "ACME") == (f"{seller_url}/hooks/tracking/prov",)  # fmt: skip

        # the seller ships: its worker creates the waybill; the provider numbers it later
        shipment = _shell(seller_env, SHIP.format(order=order_id))["SHIPMENT"]
        waybill = _wait("the waybill at the provider", lambda: _row(
            prov_db, "SELECT number, tracking_status, channel_id FROM forwarding_waybill "
            "WHERE reference = ?", shipment), logs=logs)  # fmt: skip
        assert waybill[1] == "pending"
        _wait("the seller's shipment to wait for its number", lambda: _row(
            seller_db, "SELECT 1 FROM logistics_shipment WHERE number = ? AND status = 'draft' "
            "AND carrier_shipment_id = ? AND tracking_number = ''", shipment, waybill[0]),
            logs=logs)  # fmt: skip
        first_cost = _row(seller_db, "SELECT cost_amount, charge_currency FROM "
                          "logistics_shipment WHERE number = ?", shipment)  # fmt: skip

        # the hub weighs it heavier: the fee changes, and the seller hears of it
        price = _shell(prov_env, RECEIVE.format(reference=shipment))["PRICE"]
        amount, currency = price.split()
        cost = _wait("the re-rated fee on the seller's shipment", lambda: (
            row if (row := _row(seller_db, "SELECT cost_amount, charge_currency, "
                                "chargeable_weight_g FROM logistics_shipment WHERE number = ?",
                                shipment)) and row[0] is not None
            and float(row[0]) == float(amount) else None), logs=logs)  # fmt: skip
        assert cost[1] == currency and cost[2] >= 2600
        assert first_cost != (cost[0], cost[1])

        # the last-mile number: it is also the parcel's number, so the label comes, the
        # shipment is handed over, and the store hears of the tracking, then the last mile
        _shell(prov_env, ASSIGN.format(reference=shipment, number=LAST_MILE))
        got = _wait("the shipment numbered, shipped and switched to the last mile", lambda: _row(
            seller_db, "SELECT status, tracking_number, last_mile_carrier, "
            "last_mile_tracking_number FROM logistics_shipment WHERE number = ? AND "
            "last_mile_tracking_number != '' AND status = 'shipped'", shipment),
            logs=logs)  # fmt: skip
        assert got == ("shipped", LAST_MILE, "USPS", LAST_MILE)
        label = _row(seller_db, "SELECT length(d.content) FROM logistics_shipmentdocument d "
                     "JOIN logistics_shipment s ON s.id = d.shipment_id WHERE s.number = ? "
                     "AND d.kind = 'carrier_label'", shipment)  # fmt: skip
        assert label and label[0] > 100
        fulfilment = _wait(
            "the fulfilment and its tracking update at Shopify",
            lambda: next((f for f in shopify.fulfillments if f.get("updates")), None),
            logs=logs,
        )
        assert (fulfilment["trackingInfo"]["company"], fulfilment["trackingInfo"]["number"]) == (
            "USPS",
            LAST_MILE,
        )
        assert len(shopify.fulfillments) == 1
        # every webhook the provider sent was taken once, and none failed
        conn = sqlite3.connect(f"file:{seller_db}?mode=ro", uri=True)
        rows = conn.execute("SELECT status, error, headers FROM logistics_inboundtracking "
                            "WHERE source = 'prov'").fetchall()  # fmt: skip
        conn.close()
        events = sorted(json.loads(h)["X-Tradelane-Event"] for _, _, h in rows)
        assert {
            "waybill.status_changed",
            "waybill.fees_changed",
            "waybill.tracking_number_assigned",
            "waybill.last_mile_assigned",
        } <= set(events)
        assert [(s, e) for s, e, _ in rows if s != "processed"] == []
    finally:
        for proc in reversed(procs):
            _stop(proc)
