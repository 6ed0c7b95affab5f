"""Bag labels (CN 35 / CN 34 / ours, PDF and ZPL) and manifests (CN 38 for a postal dispatch,
MAWB otherwise; PDF and Excel) with totals that are the dispatch's reconciliation."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tradelane.core.errors import Conflict
from tradelane.forwarding.models import Bag
from tradelane.forwarding.outbound import bags, dispatches, labels, manifests
from tradelane.forwarding.tests.factories import provider

from .factories import make_postal, received
from .test_bags import GB
from .test_dispatches import DAY, air, sealed_bag

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def postal_dispatch(p):
    make_postal(p)
    d = dispatches.create_dispatch(p.hub, channel="EUPOST", mode="air", mawb="784-00000011",
                                   flight="CA937", departure_date=DAY, origin_airport="PEK",
                                   destination_airport="LHR")  # fmt: skip
    sealed = []
    for n, refs in enumerate((["G1", "G2"], ["G3"])):
        bag = bags.open_bag(p.hub, channel="EUPOST", destination="GB")
        for ref in refs:
            bags.scan_into_bag(p.hub, bag, received(p, ref, weight_g=2000, channel="EUPOST",
                                                    consignee=GB).number)  # fmt: skip
        sealed.append(bags.seal_bag(p.hub, bag, last=n == 1))
        dispatches.add_bag(p.hub, d, sealed[-1])
    return d, sealed


def test_a_postal_bag_label_is_a_cn_35_with_its_s9_id_and_an_own_bag_label_otherwise():
    p = provider()
    _, (first, last) = postal_dispatch(p)
    lab = labels.label_of(first)
    assert (lab.form, lab.origin, lab.destination, lab.receptacle, lab.weight_g) == (
        "CN 35",
        "CNSHAA",
        "GBLONA",
        "001",
        4000,
    )
    assert lab.dispatch == first.receptacle_id[:20] and not lab.last and labels.label_of(last).last
    pages = text_of(labels.render_bag_labels_pdf([first, last]))
    assert len(pages) == 2 and "CN 35" in pages[0] and "PAR AVION" in pages[0]
    assert labels._spaced(first.receptacle_id) in pages[0]
    zpl = labels.render_bag_label_zpl(first)
    assert zpl.startswith("^XA") and zpl.endswith("^XZ\n") and "CN 35" in zpl
    assert "^BCN,200" in zpl and "4.0 kg" in zpl
    surface = bags.open_bag(p.hub, channel="USLINE", destination="US", kind="surface")
    own = labels.label_of(surface)
    assert (own.form, own.label_id, own.destination) == ("BAG", surface.number, "US")
    assert surface.number in labels.render_bag_labels_zpl([surface])


def test_a_postal_dispatch_has_a_cn_38_listing_its_receptacles_with_totals():
    p = provider()
    d, (first, last) = postal_dispatch(p)
    m = manifests.build_manifest(d)
    assert m.kind == "cn38"
    assert [(b.receptacle_id, b.receptacle, b.last, b.parcels, b.weight_g) for b in m.bags] == [
        (first.receptacle_id, 1, False, 2, 4000),
        (last.receptacle_id, 2, True, 1, 2000),
    ]
    assert (m.totals.bags, m.totals.parcels, m.totals.gross_weight_g) == (2, 3, 6000)
    text = "\n".join(text_of(manifests.render_manifest_pdf(m)))
    assert "CN 38" in text and first.receptacle_id in text and "784-00000011" in text
    assert "Bags" in text and "6.000 kg" in text
    wb = load_workbook(io.BytesIO(manifests.render_manifest_xlsx(m)))
    assert wb.sheetnames == ["CN 38", "Parcels"]
    rows = list(wb["CN 38"].values)
    assert rows[0][:2] == ("Dispatch", d.number)
    assert rows[-1] == ("Total", None, 2, None, None, 3, 3, 6)
    assert manifests.manifest_filename(m, "pdf") == f"CN38-{d.number}.pdf"


def test_a_mawb_manifest_lists_every_house_parcel_over_many_pages():
    p = provider()
    d = air(p)
    one = sealed_bag(p, [f"A{i}" for i in range(60)], weight_g=1200)
    two = sealed_bag(p, ["B1"], weight_g=500)
    for b in (one, two):
        dispatches.add_bag(p.hub, d, b)
    m = manifests.build_manifest(d)
    assert m.kind == "mawb" and len(m.lines) == 61
    x = m.lines[0]
    assert (x.bag, x.consignee, x.country, x.goods, x.hs_codes, x.pieces, x.gross_weight_g) == (
        one.number,
        "Jane Doe",
        "US",
        "Cotton T-shirt",
        "610910",
        1,
        1200,
    )
    assert m.values_by_currency == [("USD", sum(line.value for line in m.lines))]
    pages = text_of(manifests.render_manifest_pdf(m))
    assert len(pages) == 2 and "MAWB MANIFEST" in pages[0] and "2/2" in pages[1]
    assert x.number in pages[0] and "Parcels 票数: 61" in pages[-1]
    assert "72.500 kg" in pages[-1]
    wb = load_workbook(io.BytesIO(manifests.render_manifest_xlsx(m)))
    assert wb.sheetnames == ["Parcels"]
    rows = list(wb["Parcels"].values)
    assert rows[0][:2] == ("Dispatch", d.number) and rows[7] == manifests.PARCEL_HEAD
    assert rows[8][:4] == (x.number, one.number, "Jane Doe", "US") and rows[8][10] == 1.2
    assert rows[-1][0] == "Total: 61 parcels in 2 bags" and rows[-1][10] == 72.5
    assert rows[2][:2] == ("MAWB", "176-12345675") and len(rows) == 8 + 61 + 1


def test_no_manifest_for_a_dispatch_that_does_not_reconcile():
    p = provider()
    d = air(p)
    bag = sealed_bag(p, ["A1"])
    dispatches.add_bag(p.hub, d, bag)
    Bag.objects.filter(pk=bag.pk).update(piece_count=5)
    with pytest.raises(Conflict) as exc:
        manifests.build_manifest(d)
    assert exc.value.code == "dispatch_does_not_reconcile"
    assert exc.value.details["differences"] == [
        {"bag": bag.number, "field": "pieces", "counter": 5, "counted": 1}
    ]
