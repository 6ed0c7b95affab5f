"""Labels, customs documents and manifests: ZPL text, PDF pages, sizes, text in both
languages, the embedded CJK font, the customs document choice and manifest totals."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tradelane.core.errors import ValidationFailed
from tradelane.core.money import Money
from tradelane.logistics.documents import (
    CN22Limits,
    CustomsDeclaration,
    CustomsItem,
    ManifestData,
    ManifestRow,
    choose_customs_document,
    code128_zpl,
    fonts,
    label_has_cn22,
    render_cn23_pdf,
    render_commercial_invoice_pdf,
    render_label_pdf,
    render_label_zpl,
    render_labels_pdf,
    render_manifest_csv,
    render_manifest_pdf,
)
from tradelane.logistics.documents.samples import (
    DAY,
    DECLARATION,
    ITEMS,
    RECEIVER,
    SENDER,
    sample_label,
)

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
MM = 72 / 25.4


def pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def page_text(reader: PdfReader) -> str:
    return "\n".join(p.extract_text() for p in reader.pages)


def mm(value) -> float:
    return round(float(value) / MM, 1)


# --- ZPL -------------------------------------------------------------------------------------


def test_zpl_4x6_commands_and_barcode():
    zpl = render_label_zpl(sample_label(), "4x6")
    lines = zpl.splitlines()
    assert lines[:6] == ["^XA", "^CI28", "^PW812", "^LL1218", "^LH0,0", "^CWJ,E:ANMDS.TTF"]
    assert lines[-2:] == ["^PQ1", "^XZ"]
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    # RR123456785CN: B for the letters and the odd first digit, C for 8 digits, B again
    assert "^BCN,130,Y,N,N^FD>:RR1>523456785>6CN^FS" in zpl
    assert "^BY4,3,130" in zpl
    assert "^A0N,48,48^FB756,1,0,L,0^FDJennifer Thompson-Williams^FS" in zpl
    assert "^FDUNITED STATES (US)^FS" in zpl
    assert "^FDPCS 1/1^FS" in zpl
    assert "^FDRef: SO-2025-000000^FS" in zpl
    # Chinese goes to the Unicode font J, Latin stays on the resident font 0
    assert "^AJN,18,18^FB327,1,0,L,0^FD2 x 蓝牙耳机 Bluetooth earphones^FS" in zpl
    assert "CUSTOMS DECLARATION CN 22" in zpl
    assert "^FO279,920^GD18,18,3,B,L^FS" in zpl  # the ticked "Sale of goods" box
    assert "^FD29.20^FS" in zpl and "^FD0.240^FS" in zpl  # CN22 totals


def test_zpl_100x100_puts_cn22_on_a_second_label():
    zpl = render_label_zpl(sample_label(), "100x100")
    assert zpl.count("^XA") == 2 and zpl.count("^XZ") == 2
    first, second = zpl.split("^XZ\n")[:2]
    assert "^PW800\n^LL800" in first and "^PW800\n^LL800" in second
    assert "^BCN," in first and "CN 22" not in first
    assert "CN 22" in second and "^BC" not in second


def test_zpl_without_cn22_for_courier():
    zpl = render_label_zpl(sample_label(postal=False), "4x6")
    assert "CN 22" not in zpl
    assert zpl.count("^XA") == 1


def test_zpl_escapes_reserved_characters_and_refuses_bad_size():
    label = sample_label()
    label = dataclasses.replace(label, reference="A^B~C_D")
    zpl = render_label_zpl(label, "4x6")
    assert "^FH^FDRef: A_5EB_7EC_5FD^FS" in zpl
    with pytest.raises(ValidationFailed) as err:
        render_label_zpl(label, "A4")
    assert err.value.code == "invalid_label_size"


@pytest.mark.parametrize(
    ("data", "field", "modules"),
    [
        ("RR123456785CN", ">:RR1>523456785>6CN", 156),
        ("1Z999AA10123456784", ">:1Z999AA1>50123456784", 189),
        ("9400111899223197428490", ">;9400111899223197428490", 156),
        ("ABC", ">:ABC", 68),
        ("12", ">;12", 46),
        ("A>B", ">:A><B", 68),
        ("AB1234", ">:AB>51234", 90),
        ("AB12345C", ">:AB12345C", 123),
    ],
)
def test_code128_zpl_subsets(data, field, modules):
    assert code128_zpl(data) == (field, modules)


@pytest.mark.parametrize("data", ["RR123456785CN", "1Z999AA10123456784", "AB12345C", "A>B"])
def test_code128_zpl_is_as_short_as_reportlabs(data):
    from reportlab.graphics.barcode.code128 import Code128

    bc = Code128(data, barWidth=1, quiet=False, humanReadable=False)
    assert code128_zpl(data)[1] == round(bc.width)


@pytest.mark.parametrize("data", ["", "A^B", "A~B", "ÄB", "A\nB"])
def test_code128_zpl_refuses(data):
    with pytest.raises(ValidationFailed):
        code128_zpl(data)


# --- PDF labels ------------------------------------------------------------------------------


def test_pdf_label_4x6_size_text_and_barcode_in_both_languages():
    reader = pdf(render_label_pdf(sample_label(), "4x6"))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (mm(box.width), mm(box.height)) == (101.6, 152.4)
    text = page_text(reader)
    for expected in (
        "RR 1234 5678 5 CN",
        "Jennifer Thompson-Williams",
        "Mountain View, CA 94043-1351",
        "UNITED STATES (US)",
        "蓝牙耳机",
        "Bluetooth earphones",
        "手机壳",
        "深圳市前海跨境电商有限公司",
        "CUSTOMS DECLARATION",
        "PCS 1/1",
        "SO-2025-000000",
        "29.20",
    ):
        assert expected in text, expected


def test_pdf_label_100x100_has_cn22_page():
    reader = pdf(render_label_pdf(sample_label(), "100x100"))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (mm(box.width), mm(box.height)) == (100.0, 100.0)
    assert "CN 22" not in reader.pages[0].extract_text()
    assert "CN 22" in reader.pages[1].extract_text()
    assert "蓝牙耳机" in reader.pages[1].extract_text()


def test_pdf_label_without_customs_or_over_the_limit_has_no_cn22():
    courier = pdf(render_label_pdf(sample_label(postal=False), "4x6"))
    assert "CN 22" not in page_text(courier)
    limits = CN22Limits(max_value=Money.of("20", "USD"), max_weight_g=2000)
    over = dataclasses.replace(sample_label(), cn22_limits=limits)  # 29.20 USD > 20 USD
    assert not label_has_cn22(over)
    assert "CN 22" not in page_text(pdf(render_label_pdf(over, "4x6")))


def test_batch_of_50_labels_is_one_pdf_of_50_pages():
    labels = [sample_label(i) for i in range(50)]
    reader = pdf(render_labels_pdf(labels, "4x6"))
    assert len(reader.pages) == 50
    assert "RR 1234 5727 8 CN" in reader.pages[49].extract_text()  # serial 12345678 + 49
    # the CJK font is embedded once for the whole batch, not once per page
    fonts_seen = {
        str(f["/BaseFont"])
        for p in reader.pages
        for f in p["/Resources"]["/Font"].values()
        if "/FontFile2" in f.get_object().get("/FontDescriptor", {})
        or f.get_object().get("/Subtype") == "/TrueType"
    }
    assert len(fonts_seen) <= 2


def test_empty_batch_and_bad_size_are_refused():
    with pytest.raises(ValidationFailed) as err:
        render_labels_pdf([], "4x6")
    assert err.value.code == "no_labels"
    with pytest.raises(ValidationFailed) as err:
        render_label_pdf(sample_label(), "6x4")
    assert err.value.code == "invalid_label_size"


def _embedded_font_files(data: bytes) -> int:
    reader = pdf(data)
    count = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            desc = font.get_object().get("/FontDescriptor")
            if desc is not None and "/FontFile2" in desc.get_object():
                count += 1
    return count


def test_cjk_font_is_embedded_when_the_ttf_exists():
    if not os.path.isfile(WQY):
        if os.environ.get("CI"):
            pytest.fail(f"{WQY} is missing in CI: install fonts-wqy-microhei")
        pytest.skip("fonts-wqy-microhei not installed")
    assert fonts.cjk_font().embedded
    assert _embedded_font_files(render_label_pdf(sample_label(), "4x6")) >= 1


def test_without_a_ttf_the_cid_fallback_still_renders(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    monkeypatch.setenv(fonts.ENV_VAR, "/nonexistent/font.ttf")
    fonts.reset_for_tests()
    try:
        with caplog.at_level("WARNING"):
            data = render_label_pdf(sample_label(), "4x6")
        assert fonts.cjk_font().name == fonts.FALLBACK_CID
        assert not fonts.cjk_font().embedded
        assert "no CJK TrueType font found" in caplog.text
        assert _embedded_font_files(data) == 0
        assert "Jennifer Thompson-Williams" in page_text(pdf(data))
    finally:
        monkeypatch.undo()
        fonts.reset_for_tests()


def test_missing_font_check_says_it_once_and_names_the_install_command(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    monkeypatch.setenv(fonts.ENV_VAR, "/nonexistent/font.ttf")
    fonts.reset_for_tests()
    try:
        assert "sudo apt-get install fonts-wqy-microhei" in fonts.MISSING_FONT_WARNING
        with caplog.at_level("WARNING"):
            assert fonts.missing_cjk_font(announced=True) is True  # `up` prints it itself
            render_label_pdf(sample_label(), "4x6")
        assert "no CJK TrueType font found" not in caplog.text
    finally:
        monkeypatch.undo()
        fonts.reset_for_tests()
    if os.path.isfile(WQY):
        assert fonts.missing_cjk_font() is False


# --- customs ---------------------------------------------------------------------------------


def decl(category="sale_of_goods", value="29.20", weight=240) -> CustomsDeclaration:
    item = CustomsItem(name_en="Earphones", name_zh="耳机", quantity=1, unit_value=Decimal(value),
                       currency="USD", weight_g=weight, hs_code="851830")  # fmt: skip
    return CustomsDeclaration(items=(item,), currency="USD", category=category)


LIMIT = Money.of("400", "USD")


@pytest.mark.parametrize(
    ("declaration", "postal", "expected"),
    [
        (decl(), True, "cn22"),
        (decl(value="400"), True, "cn22"),  # at the limit
        (decl(value="400.01"), True, "cn23"),
        (decl(weight=2000), True, "cn22"),
        (decl(weight=2001), True, "cn23"),
        (decl(), False, "invoice"),
        (decl(value="5000", weight=30000), False, "invoice"),
        (decl(category="documents"), True, "none"),
        (decl(category="documents"), False, "none"),
        (decl(category="gift", value="401"), True, "cn23"),
        (decl(category="returned_goods"), True, "cn22"),
    ],
)
def test_choose_customs_document(declaration, postal, expected):
    got = choose_customs_document(
        declaration, postal=postal, cn22_max_value=LIMIT, cn22_max_weight_g=2000
    )
    assert got == expected


def test_choose_refuses_a_limit_in_another_currency():
    with pytest.raises(ValidationFailed) as err:
        choose_customs_document(
            decl(), postal=True, cn22_max_value=Money.of("300", "XDR"), cn22_max_weight_g=2000
        )
    assert err.value.code == "currency_mismatch"


def test_declaration_totals_and_validation():
    assert DECLARATION.total_value == Decimal("29.20")
    assert DECLARATION.total_weight_g == 240
    with pytest.raises(ValidationFailed) as err:
        CustomsDeclaration(items=ITEMS, currency="EUR")
    assert err.value.code == "currency_mismatch"
    with pytest.raises(ValidationFailed) as err:
        CustomsDeclaration(items=ITEMS, currency="USD", category="bribe")
    assert err.value.code == "invalid_category"
    with pytest.raises(ValidationFailed) as err:
        CustomsDeclaration(items=(), currency="USD")
    assert err.value.code == "no_items"
    with pytest.raises(ValidationFailed):
        CustomsItem(name_en="x", quantity=0, unit_value=Decimal(1), currency="USD", weight_g=1)
    with pytest.raises(ValidationFailed):
        CustomsItem(name_en="x", quantity=1, unit_value=1.5, currency="USD", weight_g=1)


def test_cn23_pdf():
    full = dataclasses.replace(
        DECLARATION,
        sender_reference="SR-77",
        importer_reference="US-TAX-12",
        licence_numbers=("LIC-1",),
        certificate_numbers=("CERT-9",),
        postal_charges=Decimal("8.50"),
    )
    reader = pdf(render_cn23_pdf(full, SENDER, RECEIVER, "RR123456785CN"))
    assert len(reader.pages) == 1
    assert (mm(reader.pages[0].mediabox.width), mm(reader.pages[0].mediabox.height)) == (
        210.0,
        297.0,
    )
    text = page_text(reader)
    for expected in ("CN 23", "RR123456785CN", "蓝牙耳机", "Bluetooth earphones", "851830",
                     "SR-77", "US-TAX-12", "LIC-1", "CERT-9", "8.50 USD", "INV-2025-000123",
                     "29.20 USD", "0.240 kg", "Zhang Wei", "2025-06-15", "1/1"):  # fmt: skip
        assert expected in text, expected


def test_commercial_invoice_pdf():
    data = render_commercial_invoice_pdf(
        DECLARATION, SENDER, RECEIVER, tracking="1Z999AA10123456784", carrier="UPS"
    )
    text = page_text(pdf(data))
    for expected in ("COMMERCIAL INVOICE", "INV-2025-000123", "IM2760000742", "DDU",
                     "Sale of goods", "Bluetooth earphones", "手机壳", "392690", "12.50",
                     "25.00", "29.20 USD", "1Z999AA10123456784", "Total pieces: 3"):  # fmt: skip
        assert expected in text, expected


def test_long_invoice_breaks_pages_with_numbers():
    items = tuple(
        CustomsItem(
            name_en=f"Item {n}",
            name_zh="商品",
            quantity=1,
            unit_value=Decimal("1.00"),
            currency="USD",
            weight_g=10,
            hs_code="392690",
        )  # fmt: skip
        for n in range(1, 121)
    )
    big = CustomsDeclaration(items=items, currency="USD", date=DAY)
    reader = pdf(render_commercial_invoice_pdf(big, SENDER, RECEIVER))
    n = len(reader.pages)
    assert n >= 3
    text = page_text(reader)
    assert f"1/{n}" in text and f"{n}/{n}" in text
    assert "Item 1 " in text and "Item 120" in text
    assert "Total value: 120.00 USD" in reader.pages[-1].extract_text()


# --- manifest --------------------------------------------------------------------------------


def manifest(n=120) -> ManifestData:
    rows = tuple(
        ManifestRow(
            tracking_number=f"RR{i:08d}{i % 10}CN",
            reference=f"SO-{i}",
            receiver_name="张三 Zhang San",
            city="Berlin",
            country="DE",
            pieces=1 + i % 2,
            weight_g=250 + i,
            declared_value=Decimal("10.00") if i % 3 else Decimal("7.50"),
            currency="EUR" if i % 3 else "USD",
        )  # fmt: skip
        for i in range(n)
    )
    return ManifestData(number="MF20250615-01", channel="CNPOST-R", date=dt.date(2025, 6, 15),
                        rows=rows)  # fmt: skip


def test_manifest_totals():
    m = manifest()
    assert m.total_pieces == 180  # 60 rows of 1 and 60 of 2
    assert m.total_weight_g == 120 * 250 + sum(range(120))
    assert m.total_values == (("EUR", Decimal("800.00")), ("USD", Decimal("300.00")))


def test_manifest_pdf_pages_totals_and_barcode():
    m = manifest()
    reader = pdf(render_manifest_pdf(m))
    n = len(reader.pages)
    assert n == 3
    text = page_text(reader)
    assert "1/3" in text and "3/3" in text
    assert "RR000000000CN" in text and "RR000001199CN" in text
    last = reader.pages[-1].extract_text()
    assert "Shipments: 120" in last and "Pieces: 180" in last
    assert "Weight: 37.140 kg" in last
    assert "800.00 EUR; 300.00 USD" in last
    assert "张三" in reader.pages[0].extract_text()


def test_manifest_csv():
    m = manifest(4)
    rows = list(csv.reader(io.StringIO(render_manifest_csv(m))))
    assert rows[0][:3] == ["line", "tracking_number", "reference"]
    assert rows[1] == ["1", "RR000000000CN", "SO-0", "张三 Zhang San", "Berlin", "DE", "1",
                       "0.250", "7.50", "USD"]  # fmt: skip
    assert rows[-2] == ["TOTAL", "4", "", "", "", "", "6", "1.006", "20.00", "EUR"]
    assert rows[-1] == ["TOTAL", "4", "", "", "", "", "", "", "15.00", "USD"]
    assert len(rows) == 1 + 4 + 2


def test_manifest_csv_neutralizes_text_a_spreadsheet_would_compute():
    row = ManifestRow(
        tracking_number="RR000000000CN", reference="-5", receiver_name='=HYPERLINK("http://x","y")',
        city="@SUM(A1)", country="DE", pieces=1, weight_g=250, declared_value=Decimal("-1.50"),
        currency="EUR",
    )  # fmt: skip
    m = ManifestData(number="MF-1", channel="X", date=dt.date(2025, 1, 1), rows=(row,))
    rows = list(csv.reader(io.StringIO(render_manifest_csv(m))))
    assert rows[1] == ["1", "RR000000000CN", "'-5", "'=HYPERLINK(\"http://x\",\"y\")",
                       "'@SUM(A1)", "DE", "1", "0.250", "-1.50", "EUR"]  # fmt: skip


def test_empty_manifest_renders():
    m = ManifestData(number="MF-0", channel="X", date=dt.date(2025, 1, 1), rows=())
    assert "Shipments: 0" in page_text(pdf(render_manifest_pdf(m)))
    assert render_manifest_csv(m).splitlines()[-1] == "TOTAL,0,,,,,0,0.000,,"


def _drawn(data: bytes) -> list[tuple[str, float, float, float]]:
    """(text, x, baseline y, end x) of every string drawn on the first page."""
    from tradelane.logistics.documents import pdfdraw

    out = []

    def visit(text, cm, tm, font, size):
        text = text.strip()
        if text:
            scale = tm[0] * cm[0]
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            end = x + pdfdraw.width(text, size * scale, bold=False)
            out.append((text, x, y, end))

    pdf(data).pages[0].extract_text(visitor_text=visit)
    return out


LONG_COMPANY = "深圳市前海跨境电商有限公司 Shenzhen Qianhai Cross-border E-commerce Co., Ltd."


def test_long_company_name_on_the_invoice_signature_line_stops_before_the_date():
    signed = dataclasses.replace(DECLARATION, signature_name=LONG_COMPANY)
    drawn = _drawn(render_commercial_invoice_pdf(signed, SENDER, RECEIVER))
    (label,) = [t for t in drawn if t[0] == "Signature 签名:"]
    line = sorted((t for t in drawn if abs(t[2] - label[2]) < 1 and t != label), key=lambda t: t[1])
    name, date_label, date = line
    assert name[0].startswith("深圳市前海跨境电商有限公司 Shenzhen")
    assert name[3] <= date_label[1] - 5 * MM
    assert (date_label[0], date[0]) == ("Date 日期:", "2025-06-15")
    assert date_label[3] < date[1] and date[3] <= 196 * MM + 0.5  # inside the right margin


def test_long_company_name_on_the_cn23_signature_line_stays_on_the_page():
    signed = dataclasses.replace(DECLARATION, signature_name=LONG_COMPANY)
    drawn = _drawn(render_cn23_pdf(signed, SENDER, RECEIVER, "RR123456785CN"))
    names = [t for t in drawn if "深圳市前海" in t[0] and t[1] > 100 * MM]
    assert names and max(t[3] for t in names) <= 196 * MM + 0.5
