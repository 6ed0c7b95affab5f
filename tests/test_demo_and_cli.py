"""The demo data and the ``tradelane`` command.

The demo is loaded through the services and must leave something in every tab of the order
workbench, a non-empty low-stock list, and a ledger that agrees with its balances. ``tradelane
up`` is started for real (a subprocess on a free port, SQLite in a temporary folder): it
serves pages and static files with DEBUG off, runs a worker, and stops both on SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Count, Sum

from tradelane import demo


def _ledger_matches_balances() -> list:
    from tradelane.inventory.models import StockBalance, StockMovement

    sums = {
        (r["sku_id"], r["warehouse_id"]): (r["on_hand"], r["reserved"])
        for r in StockMovement.objects.values("sku_id", "warehouse_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
    }
    wrong = []
    for b in StockBalance.objects.all():
        if sums.get((b.sku_id, b.warehouse_id), (0, 0)) != (b.on_hand, b.reserved):
            wrong.append((b.sku_id, b.warehouse_id, b.on_hand, b.reserved))
    return wrong


def _check_channels_carry_the_waiting_orders(summary: dict) -> None:
    """Every demo channel declares only countries its cost sheet prices, and at least 90% of
    the orders waiting for shipment have a channel; the one that has none goes to Switzerland,
    which no channel serves, and its stored choice says so."""
    from tradelane.logistics.models import Channel, RateChoice
    from tradelane.logistics.rates import selectors as rates
    from tradelane.logistics.shipping.selectors import waiting_for_shipment

    # the link's channel is priced by the provider's API (its sheet is what the seller expects)
    channels = list(Channel.objects.exclude(kind="tradelane").order_by("code"))
    coverage = rates.channel_coverage(channels)
    assert len(coverage) == len(channels) >= 5
    assert [ch.code for ch in channels if coverage[ch.pk].overclaims] == [], coverage
    n, total = summary["waiting_with_channel"], summary["waiting_for_shipment"]
    assert total >= 10 and n / total >= 0.9, (n, total)
    assert demo.channel_share_text(summary) == (
        f"orders waiting for shipment with a channel: {n}/{total} ({n * 100 // total}%)"
    )
    waiting = waiting_for_shipment()
    assert waiting.count() == total
    # a split order has one choice per parcel: count orders
    chosen = RateChoice.objects.filter(order__in=waiting, channel__isnull=False)
    assert chosen.values("order_id").distinct().count() == n
    without = list(waiting.exclude(pk__in=chosen.values("order_id")))
    assert [o.ship_country for o in without] == ["CH"] * (total - n)
    for order in without:
        explanation = RateChoice.objects.get(order=order).explanation
        assert explanation[1] == "no channel can carry this parcel"
        assert any("no zone of the rate sheet covers CH 8001 [no_zone]" in e for e in explanation)


def _check_pickups() -> None:
    """The forwarder's pickups: today's two routes by area with one stop collected (its two
    waybills picked up), one short count and one nobody there; tomorrow one stop waits outside
    every area."""
    from tradelane.forwarding.bookings import selectors
    from tradelane.forwarding.models import PickupTask, WaybillEvent

    tasks = PickupTask.objects.order_by("route__date", "route__driver__username", "sequence")
    assert [(t.route.driver.username, t.status, t.exception, t.collected_pieces)
            for t in tasks] == [
        ("fwd.driver", "collected", "", 3),
        ("fwd.driver", "assigned", "", None),
        ("fwd.driver", "exception", "nobody_there", None),
        ("fwd.driver2", "assigned", "", None),
        ("fwd.driver2", "exception", "fewer_pieces", 4),
        ("fwd.driver", "assigned", "", None),
    ]  # fmt: skip
    assert WaybillEvent.objects.filter(status="picked_up").count() == 2
    assert selectors.unassigned_pickups().count() == 1


def _check_provider(summary: dict) -> None:
    """The forwarder: its staff and portal users log in with the printed passwords, its
    customers and levels, and waybills in every state, priced, numbered or "number pending"."""
    from tradelane.accounts.models import User
    from tradelane.forwarding.models import CustomerAccount, CustomerLevel, Waybill
    from tradelane.forwarding.partners import scoping
    from tradelane.forwarding.partners.models import PortalMembership
    from tradelane.forwarding.waybills import selectors
    from tradelane.forwarding.waybills.models import WaybillStatus

    # the hub's morning (demo/provider_hub.py): six forecast waybills scanned in (one of them
    # then intercepted by its customer, so held), a parcel with no forecast, four bags and
    # an air dispatch of today's date
    provider = dict(summary["provider"])
    hub = dict(provider.pop("hub"))
    dispatch = hub.pop("dispatch")
    assert hub == {"scanned": 7, "bags": 4, "held": 1}
    assert dispatch.startswith("DP") and len(dispatch) == 13
    assert provider == {
        "customers": 5,
        "waybills": 40,
        "waybills_by_status": {
            "created": 4, "received": 10, "held": 6, "in_transit": 5, "delivered": 5,
            "returned": 5, "cancelled": 5,
        },
        "number_pending": 9,
        "departures": 3,
        "link": {"orders": 3, "shipments": 4},  # one of them split in two parcels
    }  # fmt: skip
    assert set(summary["provider"]["waybills_by_status"]) == set(WaybillStatus.values)
    assert demo.provider_text(summary) == (
        "provider (Shenzhen forwarder): 5 customers, 40 waybills (created 4, received 10, held "
        "6, in_transit 5, delivered 5, returned 5, cancelled 5; tracking number pending 9), "
        f"3 departures; hub: 7 scans this morning, 4 bags, dispatch {dispatch}; 3 of the "
        "seller's orders go to it over HTTP (the open API) once `up` runs"
    )
    text = demo.logins_text()
    for u in demo.PROVIDER_USERS:
        user = User.objects.get(username=u.username)
        assert user.check_password(u.password)
        assert list(user.groups.values_list("name", flat=True)) == [u.role]
        assert re.search(rf"^  {re.escape(u.username)}\s+{re.escape(u.password)}\s", text, re.M)
    for p in demo.PORTAL_USERS:
        user = User.objects.get(username=p.username)
        assert user.check_password(p.password)
        member = PortalMembership.objects.get(user=user)
        account = member.agent if p.is_agent else member.customer
        assert account.code == p.account
        assert re.search(rf"^  {p.username}\s+{p.password}\s.*: {p.account}$", text, re.M)
    assert sorted(CustomerLevel.objects.values_list("code", flat=True)) == [
        "GOLD", "SILVER", "STD",
    ]  # fmt: skip
    assert CustomerAccount.objects.filter(agent__code="HKLINK").count() == 2
    assert set(CustomerAccount.objects.values_list("salesperson__username", flat=True)) == {
        "fwd.sales1", "fwd.sales2",
    }  # fmt: skip
    # HUAQI is priced with its own sheet on the US line; the others with their level's
    huaqi = Waybill.objects.filter(customer__code="HUAQI", channel__code="SZ-USLINE")
    assert set(huaqi.values_list("sale_level", flat=True)) == {"customer:HUAQI"}
    longteng = Waybill.objects.filter(customer__code="LONGTENG")
    assert set(longteng.values_list("sale_level", flat=True)) == {"STD"}
    # the postal channel numbers at once (S10), the lines wait for a number before they leave
    post = Waybill.objects.filter(channel__code="SZ-EUPOST")
    assert post.exists() and not post.filter(tracking_status="pending").exists()
    assert all(
        re.fullmatch(r"LZ\d{9}CN", n) for n in post.values_list("tracking_number", flat=True)
    )
    pending = Waybill.objects.filter(tracking_status="pending")
    assert set(pending.values_list("status", flat=True)) <= {"created", "received", "held",
                                                            "cancelled"}  # fmt: skip
    # weighed in heavier than forecast: the price changed; 25 by the fates (+180 g), six at
    # the hub's scan screen this morning (one far heavier, +1,600 g, the others +120 g)
    weighed = Waybill.objects.exclude(measured_weight_g=None)
    assert weighed.count() == 31
    extra = Counter(w.measured_weight_g - w.forecast_weight_g for w in weighed)
    assert extra == {180: 25, 120: 5, 1600: 1}
    assert not weighed.filter(sale_amount=None).exists()
    # a portal customer sees its own waybills only, the boss every one
    portal = User.objects.get(username="huaqi")
    mine = selectors.search(portal, status="delivered")
    assert [w.customer.code for w in mine] == ["HUAQI"]
    assert scoping.scoped(User.objects.get(username="boss"), Waybill.objects.all()).count() == 40
    _check_departures_and_link()


def _check_departures_and_link() -> None:
    """Two flights and a sailing with space booked on them; the seller's side of the link: its
    carrier account and channel onto the provider's US line, and four draft shipments, each
    with its label to buy (over HTTP, by the worker of ``up``: ``test_tradelane_up_...``)."""
    from tradelane.core.models import OutboxMessage
    from tradelane.forwarding.bookings.models import Departure
    from tradelane.logistics.models import CarrierAccount, Channel, Shipment, ShipmentOrder

    got = sorted(
        (d.mode, d.origin, d.destination, d.booked_g, d.booked_cm3) for d in Departure.objects.all()
    )
    assert got == [
        ("air", "SZX", "FRA", 310_000, 1_600_000),
        ("air", "SZX", "LAX", 281_000, 1_400_000),
        ("sea", "CNYTN", "USLGB", 3_220_000, 13_700_000),
    ]
    account = CarrierAccount.objects.get(code=demo.link.ACCOUNT)
    assert (account.carrier, account.base_url) == ("tradelane", "http://127.0.0.1:8000")
    channel = Channel.objects.get(code=demo.link.CHANNEL)
    assert (channel.kind, channel.service_code, channel.carrier_account.code) == (
        "tradelane", "SZ-USLINE", "szfwd",
    )  # fmt: skip
    shipments = Shipment.objects.filter(channel=channel)
    assert [(s.status, s.tracking_number) for s in shipments] == [("draft", "")] * 4
    countries = ShipmentOrder.objects.filter(shipment__in=shipments).values_list(
        "order__ship_country", "order__store__code"
    )
    assert set(countries) == {("US", "SHOP-US")}
    topics = OutboxMessage.objects.filter(
        topic="logistics.buy_label", payload__shipment_id__in=[s.pk for s in shipments]
    )
    assert topics.count() == 4


@pytest.mark.django_db
def test_demo_fills_every_tab_and_reloads_the_same():
    from django.contrib.auth.models import Group

    from tradelane.accounts.models import User
    from tradelane.core.models import FxRate
    from tradelane.inventory import selectors as stock
    from tradelane.orders.models import Order, Package, StoreSkuMapping
    from tradelane.orders.states import OrderStatus

    assert demo.should_load_first_time()
    summary = demo.load()
    assert demo.is_loaded() and not demo.should_load_first_time()

    # every workbench tab has orders
    assert 70 <= summary["orders"] <= 100
    empty = [s for s, n in summary["orders_by_status"].items() if n == 0]
    assert not empty, f"workbench tabs without orders: {empty}"
    assert set(summary["orders_by_status"]) == set(OrderStatus.values)
    # several countries, three stores, review verdicts stored
    assert Order.objects.values("ship_country").distinct().count() >= 10
    assert Order.objects.values("store").distinct().count() == 3
    contact = Order.objects.filter(status=OrderStatus.PENDING_CONTACT)
    assert all(any(v["result"] != "pass" for v in o.review) for o in contact)
    short = Order.objects.filter(status=OrderStatus.PENDING_PURCHASE)
    assert all(o.shortage for o in short)
    # a bundle, merged and split parcels
    bundles = StoreSkuMapping.objects.values("store", "store_sku").annotate(n=Count("id"))
    assert any(b["n"] > 1 for b in bundles)
    assert set(Package.objects.values_list("kind", flat=True)) == {"merged", "split"}
    # one user per role, with the printed password
    for u in demo.DEMO_USERS:
        user = User.objects.get(username=u.username)
        assert user.check_password(u.password)
        assert list(user.groups.values_list("name", flat=True)) == [u.role]
        assert u.username in demo.logins_text() and u.password in demo.logins_text()
    boss = User.objects.get(username="boss")
    assert stock.low_stock_for(boss).exists()
    assert FxRate.objects.filter(source="demo", quote="CNY").count() >= 3
    # the ECB's rates of the shipped file: 65 fixings of 29 currencies, so a conversion on any
    # date since the first one finds a rate
    assert summary["ecb_rates"]["fixings"] == 65 and summary["ecb_rates"]["added"] == 65 * 29
    assert FxRate.objects.filter(source="ECB", base="EUR").count() == 65 * 29
    assert not _ledger_matches_balances()
    _check_channels_carry_the_waiting_orders(summary)
    _check_provider(summary)
    _check_pickups()

    # reset empties the data but keeps the roles; a reload gives the same data
    demo.reset()
    assert not User.objects.exists() and not Order.objects.exists()
    assert Group.objects.filter(name="customer_service").exists()
    assert demo.should_load_first_time()
    again = demo.load()
    assert again == summary
    assert not _ledger_matches_balances()


# --- tradelane up -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_up(data_dir: Path, port: int) -> tuple[subprocess.Popen, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TRADELANE_DATA_DIR"] = str(data_dir)
    env.pop("TRADELANE_DEBUG", None)
    env.pop("TRADELANE_PUBLIC_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradelane", "up", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if line.startswith("└"):  # the bottom of the demo logins' box, printed last
            return proc, lines
    proc.kill()
    pytest.fail("tradelane up did not start:\n" + "\n".join(lines))


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode("utf-8", "replace")


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_tradelane_demo_prints_the_share_of_waiting_orders_with_a_channel(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TRADELANE_DATA_DIR"] = str(tmp_path / "var")
    done = subprocess.run(
        [sys.executable, "-m", "tradelane", "demo", "--yes"],
        capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(
        r"^Shipping: orders waiting for shipment with a channel: (\d+)/(\d+) \((\d+)%\)$",
        done.stdout,
        re.M,
    )
    assert found, done.stdout
    n, total, percent = map(int, found.groups())
    assert total >= 10 and n * 100 // total == percent >= 90, done.stdout
    assert re.search(r"^Forwarding: provider \(Shenzhen forwarder\): 5 customers, 40 waybills",
                     done.stdout, re.M), done.stdout  # fmt: skip
    assert "fwd.hub" in done.stdout and "huaqi-demo" in done.stdout


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _check_link_over_http(db: Path, port: int, timeout: float = 150.0) -> None:
    """The demo seller's shipments reach the provider through its open API (the worker of
    ``up`` POSTs them to this same server), the seller's webhook intake is registered with the
    provider, and the hub's part comes back: the first waybill weighed in heavier re-rates its
    shipment, the second is numbered with its last mile, so its shipment gets the number."""
    intake = f"http://127.0.0.1:{port}/hooks/tracking/{demo.link.ACCOUNT}"
    deadline = time.monotonic() + timeout
    got: tuple = ()
    while time.monotonic() < deadline:
        pushed = _rows(
            db,
            "SELECT w.reference, w.source, w.status FROM forwarding_waybill w "
            "JOIN forwarding_customeraccount c ON c.id = w.customer_id "
            "WHERE c.code = ? AND w.source = 'api' ORDER BY w.id",
            demo.link.CUSTOMER,
        )
        hooks = _rows(db, "SELECT webhook_url FROM forwarding_customeraccount WHERE code = ?",
                      demo.link.CUSTOMER)  # fmt: skip
        numbered = _rows(db, "SELECT s.number, s.tracking_number, s.last_mile_carrier "
                         "FROM logistics_shipment s JOIN logistics_channel c ON c.id = "
                         "s.channel_id WHERE c.code = ? AND s.tracking_number != ''",
                         demo.link.CHANNEL)  # fmt: skip
        got = (pushed, hooks, numbered)
        if len(pushed) == 4 and hooks == [(intake,)] and numbered:
            break
        time.sleep(2)
    pushed, hooks, numbered = got
    assert len(pushed) == 4, got  # one waybill per shipment, by the shipment's number
    shipments = {n for (n,) in _rows(db, "SELECT s.number FROM logistics_shipment s JOIN "
                                     "logistics_channel c ON c.id = s.channel_id WHERE c.code = ?",
                                     demo.link.CHANNEL)}  # fmt: skip
    assert {r[0] for r in pushed} == shipments
    assert [r[2] for r in pushed[:2]] == ["received", "in_transit"]
    assert hooks == [(intake,)]
    assert [(n[2], n[1].startswith(demo.link.LAST_MILE[1])) for n in numbered] == [("USPS", True)]


def test_tradelane_up_serves_runs_a_worker_and_stops(tmp_path):
    port = _free_port()
    proc, lines = _start_up(tmp_path / "var", port)
    try:
        text = "\n".join(lines)
        assert (tmp_path / "var" / "tradelane.sqlite3").exists()
        assert "Loading the demo data (first start)" in text
        assert re.search(
            r"^  Shipping: orders waiting for shipment with a channel: \d+/\d+", text, re.M
        )
        assert f"Tradelane is up at http://127.0.0.1:{port}/" in text
        assert f"Public address: http://127.0.0.1:{port} (the address `up` serves on;" in text
        for u in demo.DEMO_USERS:
            assert re.search(rf"^│\s+{u.username}\s+{re.escape(u.password)}\s", text, re.M), text
        for login in (*demo.PROVIDER_USERS, *demo.PORTAL_USERS):
            assert re.search(rf"^│\s+{re.escape(login.username)}\s+{re.escape(login.password)}\s",
                             text, re.M), text  # fmt: skip
        assert re.search(r"^  Forwarding: provider \(Shenzhen forwarder\): 5 customers, 40 ", text,
                         re.M)  # fmt: skip
        ctrl_c = lines.index("Press Ctrl-C to stop.")
        assert lines[ctrl_c + 2].startswith("┌") and lines[ctrl_c + 3].startswith("│ Demo logins")
        box = len(demo.logins_text().splitlines()) + 2
        assert lines[-1].startswith("└") and len(lines) == ctrl_c + 2 + box
        worker_pid = int(re.search(r"Task worker: running \(pid (\d+)\)", text).group(1))
        assert _alive(worker_pid)

        status, body = _get(f"http://127.0.0.1:{port}/login/")
        assert status == 200 and "<form" in body
        status, css = _get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        assert status == 200 and css  # WhiteNoise serves collected files with DEBUG off
        assert "Demo link: the seller ships through the demo provider over its open API" in text
        _check_link_over_http(tmp_path / "var" / "tradelane.sqlite3", port)
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out
    assert not _alive(worker_pid), "the worker outlived tradelane up"

    # A second start reuses the database and does not load the demo again.
    proc, lines = _start_up(tmp_path / "var", port)
    try:
        assert not any("Loading the demo data" in line for line in lines)
        assert any(line.startswith("│ Demo logins") for line in lines)
        time.sleep(8)  # the worker runs the live demo's first sync and outbox tasks
    finally:
        out = _stop(proc)
    assert proc.returncode == 0
    assert "Task id=" not in out and "Starting worker" not in out, out  # failures only


@pytest.mark.django_db(transaction=True)
def test_live_demo_connects_the_demo_stores_to_running_fakes_and_a_sync_imports_orders():
    from tradelane.integrations.stores import live_demo, sync
    from tradelane.integrations.stores.models import StoreConnection
    from tradelane.orders.models import Order

    demo.load()
    live = live_demo.start(place=False)
    try:
        conns = {c.store.code: c for c in StoreConnection.objects.select_related("store")}
        assert set(conns) == {"SHOP-US", "WOO-DE", "AMZ-UK"}
        for code, conn in conns.items():
            assert conn.state == "connected"
            assert conn.base_url == live.fakes[code].base_url  # the worker reads it here
        before = Order.objects.count()
        runs = {code: sync.sync(conn) for code, conn in conns.items()}
        assert {code: (r.status, r.created) for code, r in runs.items()} == {
            code: ("succeeded", live_demo.SEED_ORDERS) for code in conns
        }, {code: r.error for code, r in runs.items()}
        assert Order.objects.count() == before + 3 * live_demo.SEED_ORDERS
        imported = Order.objects.filter(source__in=["shopify", "woocommerce", "amazon"])
        assert not imported.filter(lines__sku__isnull=True).exists()  # every SKU is mapped
        # tracking of the demo's shipments flows back into the fakes (none refused)
        from tradelane.core import outbox
        from tradelane.core.models import OutboxMessage

        pushes = OutboxMessage.objects.filter(topic="store.fulfillment")
        assert pushes.count() >= 1
        outbox.deliver_due()
        assert set(pushes.values_list("status", flat=True)) == {"sent"}, list(
            pushes.values_list("last_error", flat=True)
        )
        # a second start (the next `tradelane up`) re-connects to the new ports
        again = live_demo.start(place=False)
        try:
            conn = StoreConnection.objects.get(store__code="SHOP-US")
            assert conn.state == "connected" and conn.base_url == again.fakes["SHOP-US"].base_url
        finally:
            again.stop()
    finally:
        live.stop()


@pytest.mark.django_db
def test_live_demo_orders_flow_from_the_store_to_a_label_with_no_click(
    settings, django_capture_on_commit_callbacks
):
    """The demo stores allocate and ship automatically: a synced order ends with a shipment
    made by the automation, or stopped with its reason; the demo's own waiting orders, loaded
    before the switches went on, still wait."""
    from tradelane.integrations.stores import live_demo, sync
    from tradelane.integrations.stores.models import StoreConnection
    from tradelane.logistics.models import ShipmentOrder
    from tradelane.orders.models import Order, Store

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    demo.load()
    assert set(Store.objects.values_list("code", "auto_allocate", "auto_ship")) == {
        ("SHOP-US", True, True), ("WOO-DE", True, True), ("AMZ-UK", True, True),
    }  # fmt: skip
    waiting = set(Order.objects.filter(status="approved").values_list("id", flat=True))
    assert waiting
    live = live_demo.start(place=False)
    try:
        before = set(Order.objects.values_list("id", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            for conn in StoreConnection.objects.select_related("store"):
                sync.sync(conn)
    finally:
        live.stop()
    new = Order.objects.exclude(id__in=before)
    assert new.count() == 3 * live_demo.SEED_ORDERS
    shipped = ShipmentOrder.objects.filter(
        order__in=new, shipment__created_by__username="system.automation"
    )
    assert shipped.exists()
    for order in new.filter(status="pending_shipment"):
        has_shipment = ShipmentOrder.objects.filter(order=order).exists()
        assert has_shipment or order.automation_stop, order.pk
    assert not new.filter(status="approved").exists()  # none left waiting for a click
    assert set(Order.objects.filter(id__in=waiting).values_list("status", flat=True)) == {
        "approved"
    }
