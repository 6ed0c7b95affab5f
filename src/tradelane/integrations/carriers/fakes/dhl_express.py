"""DHL Express XML-PI (``POST /XMLShippingServlet``: DCTRequest GetQuote, ShipmentRequest,
KnownTrackingRequest), as karrio-dhl-express speaks it. Credentials are the SiteID and
Password in each request's ServiceHeader; errors come back as HTTP 200 with an
``ErrorResponse`` (or ``ShipmentValidateErrorResponse``) holding ``Condition`` elements.
XML-PI has no shipment cancellation."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .base import FakeCarrier, Reply, Request

NS = "http://www.dhl.com"
HEADER = ("<Response><ServiceHeader><MessageTime>2026-11-20T10:00:00+08:00</MessageTime>"
          "<MessageReference>1234567890123456789012345678901</MessageReference>"
          "<SiteID>{site}</SiteID></ServiceHeader></Response>")  # fmt: skip
EVENTS = [  # (date, time, code, description, service area)
    ("2026-11-20", "17:10:00", "PU", "Shipment picked up", "SHENZHEN-CHN"),
    ("2026-11-20", "23:40:00", "DF", "Departed Facility in HONG KONG - HONG KONG", "HONG KONG-HKG"),
    ("2026-11-22", "06:15:00", "CD", "Clearance delay", "CINCINNATI HUB,OH-USA"),
    ("2026-11-22", "11:20:00", "CR", "Clearance processing complete", "CINCINNATI HUB,OH-USA"),
    ("2026-11-23", "08:00:00", "WC", "With delivery courier", "NEW YORK CITY,NY-USA"),
    ("2026-11-23", "12:30:00", "NH", "Delivery attempted; recipient not home",
     "NEW YORK CITY,NY-USA"),
    ("2026-11-24", "10:05:00", "OK", "Delivered", "NEW YORK CITY,NY-USA"),
]  # fmt: skip


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(root: ET.Element, name: str) -> str:
    for el in root.iter():
        if _local(el.tag) == name and el.text:
            return el.text.strip()
    return ""


def _all(root: ET.Element, name: str) -> list[str]:
    return [el.text.strip() for el in root.iter() if _local(el.tag) == name and el.text]


class FakeDHLExpress(FakeCarrier):
    prefix = "57"

    def _xml(self, body: str) -> Reply:
        return Reply(200, '<?xml version="1.0" encoding="UTF-8"?>' + body,
                     content_type="application/xml")  # fmt: skip

    def _error(self, root_tag: str, code: str, message: str) -> Reply:
        return self._xml(
            f'<res:{root_tag} xmlns:res="{NS}"><Response><ServiceHeader>'
            "<MessageTime>2026-11-20T10:00:00+08:00</MessageTime></ServiceHeader>"
            f"<Status><ActionStatus>Error</ActionStatus><Condition><ConditionCode>{code}"
            f"</ConditionCode><ConditionData>{message}</ConditionData></Condition></Status>"
            f"</Response></res:{root_tag}>"
        )

    def handle(self, req: Request) -> Reply:
        if req.path != "/XMLShippingServlet":
            return Reply(404, "Not Found", content_type="text/plain")
        try:
            root = ET.fromstring(req.body)
        except ET.ParseError:
            return self._error("ErrorResponse", "111", "Error in parsing request XML")
        c = self.credentials
        if (_text(root, "SiteID"), _text(root, "Password")) != (c["site_id"], c["password"]):
            return self._error(
                "ErrorResponse", "100", "Failure - Authentication failed: SiteID/Password invalid"
            )
        kind = _local(root.tag)
        if kind == "DCTRequest":
            return self.rate()
        if kind == "ShipmentRequest":
            return self.ship(root)
        if kind == "KnownTrackingRequest":
            return self.track(_all(root, "AWBNumber"))
        return self._error("ErrorResponse", "111", f"Unsupported request {kind}")

    def _quote(self, global_code: str, name: str, weight: float, total: float) -> str:
        fuel = round(total - weight, 2)
        return (
            f"<QtdShp><GlobalProductCode>{global_code}</GlobalProductCode>"
            f"<LocalProductCode>{global_code}</LocalProductCode>"
            f"<ProductShortName>{name}</ProductShortName><LocalProductName>{name}"
            "</LocalProductName><NetworkTypeCode>TD</NetworkTypeCode>"
            "<PickupDate>2026-11-20</PickupDate><CurrencyCode>USD</CurrencyCode>"
            f"<WeightCharge>{weight:.2f}</WeightCharge><WeightChargeTax>0</WeightChargeTax>"
            "<TotalTransitDays>3</TotalTransitDays><QtdShpExChrg>"
            "<SpecialServiceType>FF</SpecialServiceType><LocalServiceType>FF</LocalServiceType>"
            "<GlobalServiceName>FUEL SURCHARGE</GlobalServiceName><LocalServiceTypeName>FUEL "
            "SURCHARGE</LocalServiceTypeName><ChargeCodeType>SCH</ChargeCodeType>"
            f"<CurrencyCode>USD</CurrencyCode><ChargeValue>{fuel:.2f}</ChargeValue>"
            f"</QtdShpExChrg><ShippingCharge>{total:.2f}</ShippingCharge>"
            "<TotalTaxAmount>0</TotalTaxAmount><PricingDate>2026-11-20</PricingDate>"
            "<DeliveryDate><DeliveryType>QDDC</DeliveryType>"
            "<DlvyDateTime>2026-11-23 23:59:00</DlvyDateTime></DeliveryDate></QtdShp>"
        )

    def rate(self) -> Reply:
        quotes = self._quote("P", "EXPRESS WORLDWIDE", 88.0, 101.2) + self._quote(
            "Y", "EXPRESS 12:00", 120.0, 138.0
        )
        return self._xml(
            f'<res:DCTResponse xmlns:res="{NS}"><GetQuoteResponse>'
            + HEADER.format(site=self.credentials["site_id"])
            + f"<BkgDetails>{quotes}</BkgDetails></GetQuoteResponse></res:DCTResponse>"
        )

    def ship(self, root: ET.Element) -> Reply:
        refs = _all(root, "ReferenceID")
        label = self.create_label(refs[0] if refs else "")
        return self._xml(
            f'<res:ShipmentResponse xmlns:res="{NS}">'
            + HEADER.format(site=self.credentials["site_id"])
            + "<RegionCode>AP</RegionCode><Note><ActionNote>Success</ActionNote></Note>"
            f"<AirwayBillNumber>{label.tracking_number}</AirwayBillNumber>"
            "<CurrencyCode>USD</CurrencyCode><PackageCharge>88.000</PackageCharge>"
            "<Rated>Y</Rated><ShippingCharge>101.200</ShippingCharge><WeightUnit>K"
            "</WeightUnit><ChargeableWeight>1.5</ChargeableWeight><CountryCode>CN"
            "</CountryCode><Piece>1</Piece>"
            f"<Reference><ReferenceID>{label.reference}</ReferenceID></Reference>"
            f"<Pieces><Piece><PieceNumber>1</PieceNumber><DataIdentifier>J</DataIdentifier>"
            f"<LicensePlate>JD01{label.tracking_number}</LicensePlate></Piece></Pieces>"
            f"<LabelImage><OutputFormat>PDF</OutputFormat><OutputImage>{self.b64(label.label)}"
            "</OutputImage></LabelImage></res:ShipmentResponse>"
        )

    def track(self, numbers: list[str]) -> Reply:
        infos = []
        for number in numbers:
            if number not in self.labels:
                infos.append(
                    f"<AWBInfo><AWBNumber>{number}</AWBNumber><Status><ActionStatus>"
                    "No Shipments Found</ActionStatus><Condition><ConditionCode>209"
                    "</ConditionCode><ConditionData>No Shipments Found for AWBNumber "
                    f"{number}</ConditionData></Condition></Status></AWBInfo>"
                )
                continue
            events = "".join(
                f"<ShipmentEvent><Date>{d}</Date><Time>{t}</Time><ServiceEvent><EventCode>{code}"
                f"</EventCode><Description>{text}</Description></ServiceEvent><Signatory/>"
                f"<ServiceArea><ServiceAreaCode>XXX</ServiceAreaCode><Description>{area}"
                "</Description></ServiceArea></ShipmentEvent>"
                for d, t, code, text, area in EVENTS
            )
            infos.append(
                f"<AWBInfo><AWBNumber>{number}</AWBNumber><Status><ActionStatus>success"
                "</ActionStatus></Status><ShipmentInfo><ShipperName>Shenzhen Trading"
                "</ShipperName><ShipmentDate>2026-11-20T16:00:00</ShipmentDate><Pieces>1"
                "</Pieces><Weight>1.2</Weight><WeightUnit>K</WeightUnit>"
                "<EstDlvyDate>2026-11-24 23:59:00 GMT+08:00</EstDlvyDate>"
                f"<GlobalProductCode>P</GlobalProductCode>{events}</ShipmentInfo></AWBInfo>"
            )
        return self._xml(
            f'<req:TrackingResponse xmlns:req="{NS}">'
            + HEADER.format(site=self.credentials["site_id"])
            + "".join(infos)
            + "<LanguageCode>en</LanguageCode></req:TrackingResponse>"
        )
