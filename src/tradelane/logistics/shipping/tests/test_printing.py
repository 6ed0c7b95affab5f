"""Printing: label data per parcel, PDF/ZPL batches (ours and carriers'), customs documents
chosen by channel type and value, daily manifests; the API for them, permissions and bounds."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from tradelane.accounts import roles
from tradelane.api.testing import role_clients
from tradelane.core.errors import Conflict, NotFound, ValidationFailed
from tradelane.core.models import AuditLog
from tradelane.logistics.documents import render_labels_pdf
from tradelane.logistics.documents.samples import sample_label
from tradelane.logistics.models import Manifest, S10Series, Shipment, ShipmentDocument
from tradelane.logistics.rates.parcels import Measured
from tradelane.logistics.shipping import manifests, printing
from tradelane.logistics.shipping import services as shipping
from tradelane.logistics.tests.shipfix import allocated, own_channel
from tradelane.orders.tests.factories import make_store

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_cache")]


@pytest.fixture
def chans(logistics, wh_cn):
    wh_cn.address, wh_cn.city, wh_cn.postcode, wh_cn.contact = (
        "科技园 18 号", "Shenzhen", "518057", "王仓"
    )  # fmt: skip
    wh_cn.save()
    own_channel(logistics, "POST", service_type="postal", s10_prefix="RR", s10_country="CN")
    own_channel(logistics, "LINE", service_type="line", label_size="100x100")
    S10Series.objects.create(prefix="RR", country="CN", next_serial=1, last_serial=9999)


@pytest.fixture
def store():
    return make_store()


def ship_one(actor, store, wh, sku, qty=1, channel="POST", **kw):
    order = allocated(actor, store, wh, [(sku, qty)])
    (s,) = shipping.create_shipments(actor, order_ids=[order.pk], channel=channel, **kw)
    return s


def pages(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF")
    return len(PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_label_data_postal_cn22_sender_is_the_warehouse(logistics, chans, store, wh_cn, make_sku):
    s = ship_one(logistics, store, wh_cn, make_sku("MUG"), 2)
    (label,) = printing.label_data(printing.load([s.pk])[0])
    assert label.tracking_number == s.tracking_number == "RR000000014CN"  # 11 - 7*1 % 11
    assert (label.sender.name, label.sender.address1, label.sender.postcode) == (
        "王仓", "科技园 18 号", "518057",
    )  # fmt: skip
    assert label.sender.company == "Tradelane Demo Co."
    assert (label.receiver.name, label.receiver.country) == (s.ship_name, "US")
    assert (label.channel_code, label.service_name, label.piece, label.pieces) == (
        "POST",
        "POST",
        1,
        1,
    )
    assert label.postal is True and label.weight_g == 700 and label.reference == s.reference
    assert label.customs is not None and label.customs.total_value == 20
    assert label.customs.items[0].weight_g == 700 and label.customs.items[0].hs_code == "691200"
    assert label.cn22_limits is not None and label.cn22_limits.max_weight_g == 2000
    # USD declaration: 300 XDR at the documented 1.33 USD
    assert (
        label.cn22_limits.max_value.amount == 399 and label.cn22_limits.max_value.currency == "USD"
    )


def test_one_label_per_parcel_and_sizes(logistics, chans, store, wh_cn, make_sku):
    s = ship_one(logistics, store, wh_cn, make_sku("MUG"), 1, channel="LINE",
                 parcels=[Measured(400, 200, 150, 100, 3)])  # fmt: skip
    labels = printing.label_data(printing.load([s.pk])[0])
    assert [(lb.piece, lb.pieces, lb.weight_g, lb.length_mm) for lb in labels] == [
        (1, 3, 400, 200), (2, 3, 400, 200), (3, 3, 400, 200),
    ]  # fmt: skip
    assert all(lb.customs is None and not lb.postal for lb in labels)  # a line: invoice
    pdf = printing.labels(logistics, [s.pk], "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    # the channel's 100x100, unless asked otherwise
    assert round(float(reader.pages[0].mediabox.width)) == round(100 / 25.4 * 72)
    big = PdfReader(io.BytesIO(printing.labels(logistics, [s.pk], "pdf", "4x6")))
    assert round(float(big.pages[0].mediabox.height)) == round(6 * 72)
    zpl = printing.labels(logistics, [s.pk], "zpl")
    assert zpl.count("^XA") == 3 and zpl.count("^XZ") == 3


def test_batch_mixes_sizes_in_order_and_bounded_queries(logistics, chans, store, wh_cn, make_sku):
    sku = make_sku("MUG")
    ids = [ship_one(logistics, store, wh_cn, sku, channel=c).pk for c in ("POST", "LINE", "POST")]
    pdf = printing.labels(logistics, ids, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    widths = [round(float(p.mediabox.width)) for p in reader.pages]
    assert widths == [round(4 * 72), round(100 / 25.4 * 72), round(4 * 72)]
    assert Shipment.objects.get(pk=ids[1]).tracking_number in reader.pages[1].extract_text()
    with CaptureQueriesContext(connection) as few:
        printing.labels(logistics, ids[:1], "zpl")
    more = [ship_one(logistics, store, wh_cn, sku).pk for _ in range(6)]
    with CaptureQueriesContext(connection) as many:
        zpl = printing.labels(logistics, ids + more, "zpl")
    assert zpl.count("^XA") == 9
    assert len(many) == len(few)  # no query per shipment


def test_carrier_labels_are_used_as_sent(logistics, chans, store, wh_cn, make_sku):
    ours = ship_one(logistics, store, wh_cn, make_sku("MUG"))
    carrier = ship_one(logistics, store, wh_cn, make_sku("CUP"), channel="LINE")
    # the carrier's label arrived (as carrier_calls stores it): two pages of its own PDF
    from tradelane.logistics.models import Channel

    Channel.objects.filter(code="LINE").update(kind="karrio")
    Shipment.objects.filter(pk=carrier.pk).update(tracking_number="1Z999")
    two = render_labels_pdf([sample_label(1, postal=False, tracking="1Z999")] * 2, "100x100")
    ShipmentDocument.objects.create(
        shipment=carrier, kind="carrier_label", format="pdf", content=two
    )
    ShipmentDocument.objects.create(
        shipment=carrier, kind="carrier_label", format="zpl", content=b"^XA^FDcarrier^FS^XZ"
    )
    pdf = printing.labels(logistics, [ours.pk, carrier.pk, ours.pk], "pdf")
    assert pages(pdf) == 1 + 2  # ours, then the carrier's two pages (a repeated id prints once)
    pdf = printing.labels(logistics, [carrier.pk, ours.pk], "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    assert ours.tracking_number in reader.pages[2].extract_text().replace(" ", "")
    zpl = printing.labels(logistics, [carrier.pk, ours.pk], "zpl")
    assert zpl.startswith("^XA^FDcarrier^FS^XZ\n") and zpl.count("^XA") == 2
    # a carrier label only in PDF cannot be printed as ZPL
    ShipmentDocument.objects.filter(format="zpl").delete()
    with pytest.raises(ValidationFailed) as exc:
        printing.labels(logistics, [ours.pk, carrier.pk], "zpl")
    assert exc.value.code == "labels_unavailable"
    assert exc.value.details["unlabelled"] == [carrier.pk] and exc.value.details["unknown"] == []


def test_unknown_and_unlabelled_are_refused_all_listed(logistics, chans, store, wh_cn, make_sku):
    s = ship_one(logistics, store, wh_cn, make_sku("MUG"))
    gone = ship_one(logistics, store, wh_cn, make_sku("CUP"))
    shipping.cancel_shipment(logistics, gone)
    with pytest.raises(ValidationFailed) as exc:
        printing.labels(logistics, [s.pk, gone.pk, 999999], "pdf")
    assert exc.value.details == {"unknown": [999999], "unlabelled": [gone.pk], "format": "pdf"}


def test_customs_document_by_channel_type_and_value(logistics, chans, store, wh_cn, make_sku):
    light = ship_one(logistics, store, wh_cn, make_sku("MUG"))
    with pytest.raises(NotFound) as exc:
        printing.customs_document(logistics, light)
    assert exc.value.code == "no_customs_document" and exc.value.details == {"document": "cn22"}
    heavy = ship_one(logistics, store, wh_cn, make_sku("ANVIL", weight_g=2500))
    kind, pdf = printing.customs_document(logistics, heavy)
    assert kind == "cn23" and "CN23" in text_of(pdf) and heavy.tracking_number in text_of(pdf)
    # 40 x 10 USD = 400 USD > 300 SDR (399 USD), light enough: still CN23 by value
    dear = ship_one(logistics, store, wh_cn, make_sku("PIN", weight_g=10), 40)
    assert printing.customs_document(logistics, dear)[0] == "cn23"
    line = ship_one(logistics, store, wh_cn, make_sku("CUP"), channel="LINE")
    kind, pdf = printing.customs_document(logistics, line)
    assert kind == "invoice" and "COMMERCIAL INVOICE" in text_of(pdf)
    assert line.number in text_of(pdf)


def test_manifest_close_contents_and_idempotency(logistics, chans, store, wh_cn, make_sku):
    sku = make_sku("MUG")
    a, b, other = (
        ship_one(logistics, store, wh_cn, sku, channel=c) for c in ("POST", "POST", "LINE")
    )
    unshipped = ship_one(logistics, store, wh_cn, sku)
    for s in (a, b, other):
        shipping.ship_shipment(logistics, s)
    today = timezone.localdate()
    with pytest.raises(Conflict) as exc:  # nothing shipped yesterday
        manifests.close_manifest(logistics, "POST", today - dt.timedelta(days=1))
    assert exc.value.code == "manifest_empty" and not Manifest.objects.exists()
    m = manifests.close_manifest(logistics, "POST", today)
    assert m.number == f"MF{today:%Y%m%d}-POST-1"
    assert sorted(m.shipments.values_list("pk", flat=True)) == sorted([a.pk, b.pk])
    assert AuditLog.objects.filter(action="logistics.manifest.close", object_id=str(m.pk)).exists()
    with pytest.raises(Conflict):  # again, nothing new: refused, nothing written
        manifests.close_manifest(logistics, "POST", today)
    assert Manifest.objects.count() == 1
    shipping.ship_shipment(logistics, unshipped)
    m2 = manifests.close_manifest(logistics, "POST", today)
    assert m2.number == f"MF{today:%Y%m%d}-POST-2"
    assert list(m2.shipments.values_list("pk", flat=True)) == [unshipped.pk]
    _m, text = manifests.manifest_csv(logistics, m.pk)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["line", "tracking_number", "reference"]
    assert [r[1] for r in rows[1:3]] == [a.tracking_number, b.tracking_number]
    _m, pdf = manifests.manifest_pdf(logistics, m.pk)
    assert pages(pdf) == 1 and m.number in text_of(pdf)
    assert a.tracking_number in text_of(pdf).replace(" ", "")


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api_as(make_user):
    return role_clients(make_user)


def test_api_labels_documents_manifests(api_as, logistics, chans, store, wh_cn, make_sku):
    api = api_as(roles.LOGISTICS)
    s = ship_one(logistics, store, wh_cn, make_sku("MUG"))
    line = ship_one(logistics, store, wh_cn, make_sku("CUP"), channel="LINE")
    r = api.get(f"/shipments/{s.pk}/label")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'inline; filename="label-{s.number}.pdf"'
    assert pages(r.content) == 1
    r = api.get(f"/shipments/{s.pk}/label", {"format": "zpl", "size": "100x100"})
    assert r["Content-Type"] == "text/plain; charset=utf-8"  # as the OpenAPI says
    assert r["Content-Disposition"] == f'attachment; filename="label-{s.number}.zpl"'
    assert r.content.decode().count("^XA") == 2  # 100x100: the CN22 is the next label
    r = api.get(f"/shipments/{s.pk}/label", {"size": "100x100"})
    assert pages(r.content) == 2
    r = api.get(f"/shipments/{s.pk}/label", {"size": "A4"})
    assert r.status_code == 422
    r = api.post("/shipments/labels", {"ids": [s.pk, line.pk]})
    assert r.status_code == 200 and pages(r.content) == 2
    r = api.post("/shipments/labels", {"ids": [s.pk, line.pk], "format": "zpl"})
    assert r.content.decode().count("^XA") == 2
    r = api.post("/shipments/labels", {"ids": [s.pk, 424242]})
    assert r.status_code == 422 and r.json()["code"] == "labels_unavailable"
    assert r.json()["details"]["unknown"] == [424242]
    r = api.get(f"/shipments/{s.pk}/customs-document")
    assert r.status_code == 404 and r.json()["code"] == "no_customs_document"
    r = api.get(f"/shipments/{line.pk}/customs-document")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'inline; filename="invoice-{line.number}.pdf"'
    # manifests
    r = api.post("/manifests", {"channel": "POST"})
    assert r.status_code == 409 and r.json()["code"] == "manifest_empty"
    shipping.ship_shipment(logistics, s)
    r = api.post("/manifests", {"channel": "POST"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["shipments"] == 1 and body["tracking_numbers"] == [s.tracking_number]
    r = api.get("/manifests", {"channel": "POST"})
    assert [(m["number"], m["shipments"]) for m in r.json()["items"]] == [(body["number"], 1)]
    assert api.get("/manifests", {"channel": "LINE"}).json()["items"] == []
    r = api.get(f"/manifests/{body['id']}.csv")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == f'attachment; filename="{body["number"]}.csv"'
    assert s.tracking_number in r.content.decode()
    r = api.get(f"/manifests/{body['id']}.pdf")
    assert r["Content-Type"] == "application/pdf" and pages(r.content) == 1
    assert api.get("/manifests/999999.pdf").status_code == 404


def test_api_refuses_roles_without_ship(api_as, logistics, chans, store, wh_cn, make_sku):
    s = ship_one(logistics, store, wh_cn, make_sku("MUG"))
    shipping.ship_shipment(logistics, s)
    api = api_as(roles.CUSTOMER_SERVICE)
    before = (Manifest.objects.count(), AuditLog.objects.count())
    assert api.get(f"/shipments/{s.pk}/label").status_code == 403
    assert api.post("/shipments/labels", {"ids": [s.pk]}).status_code == 403
    assert api.get(f"/shipments/{s.pk}/customs-document").status_code == 403
    r = api.post("/manifests", {"channel": "POST"})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert api.get("/manifests").status_code == 403
    assert (Manifest.objects.count(), AuditLog.objects.count()) == before
