"""UPS REST (OAuth client credentials with Basic auth; Rating v2409, Shipping v2409, Void,
Tracking v1, Label Recovery v1), as karrio-ups calls it."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

from .base import FakeCarrier, Reply, Request, references

ACTIVITY = [  # (type, code, description, yyyymmdd, hhmmss, city, country)
    ("M", "MP", "Shipper created a label, UPS has not received the package yet.", "20261120",
     "090000", "SHENZHEN", "CN"),
    ("P", "OR", "Origin Scan", "20261120", "180000", "SHENZHEN", "CN"),
    ("I", "DP", "Departed from Facility", "20261121", "020000", "HONG KONG", "HK"),
    ("X", "48", "The receiver was not available for delivery. We'll make a second attempt "
     "the next business day.", "20261123", "143000", "NEW YORK", "US"),
    ("D", "FS", "DELIVERED", "20261124", "101500", "NEW YORK", "US"),
]  # fmt: skip


def _gif() -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (120, 80), 255).save(out, format="GIF")
    return base64.b64encode(out.getvalue()).decode()


def _refs(node: Any) -> list[str]:
    return references(node, "ReferenceNumber", "Value")


class FakeUPS(FakeCarrier):
    prefix = "1ZFAKE"

    def token(self) -> str:
        c = self.credentials
        return (
            "ups-" + hashlib.sha256(f"{c['client_id']}:{c['client_secret']}".encode()).hexdigest()
        )

    def _error(self, status: int, code: str, message: str) -> Reply:
        return Reply(status, {"response": {"errors": [{"code": code, "message": message}]}})

    def handle(self, req: Request) -> Reply:
        if req.path == "/security/v1/oauth/token":
            c = self.credentials
            basic = base64.b64encode(f"{c['client_id']}:{c['client_secret']}".encode()).decode()
            if req.headers.get("authorization") != f"Basic {basic}":
                return self._error(401, "10401", "ClientId is Invalid")
            return Reply(200, {"token_type": "Bearer", "issued_at": "1764500000000",
                               "client_id": c["client_id"], "access_token": self.token(),
                               "expires_in": "14399", "status": "approved"})  # fmt: skip
        if req.headers.get("authorization") != f"Bearer {self.token()}":
            return self._error(401, "250002", "Invalid Authentication Information.")
        p = req.path
        if p.startswith("/api/rating/"):
            return self.rate(req)
        if p.startswith("/api/shipments/") and p.endswith("/ship"):
            return self.ship(req)
        if "/void/cancel/" in p:
            return self.void(p.rsplit("/", 1)[1])
        if p.startswith("/api/track/v1/details/"):
            return self.track(p.rsplit("/", 1)[1])
        if p == "/api/labels/v1/recovery":
            return self.recover(req)
        return self._error(404, "9370701", "Invalid resource")

    def rate(self, req: Request) -> Reply:
        rated = [
            {"Service": {"Code": code, "Description": ""}, "BillingWeight": {
                "UnitOfMeasurement": {"Code": "KGS"}, "Weight": "1.5"},
             "TransportationCharges": {"CurrencyCode": "USD", "MonetaryValue": f"{total:.2f}"},
             "BaseServiceCharge": {"CurrencyCode": "USD", "MonetaryValue": f"{base:.2f}"},
             "ItemizedCharges": [{"Code": "375", "CurrencyCode": "USD",
                                  "MonetaryValue": f"{total - base:.2f}"}],
             "ServiceOptionsCharges": {"CurrencyCode": "USD", "MonetaryValue": "0.00"},
             "TotalCharges": {"CurrencyCode": "USD", "MonetaryValue": f"{total:.2f}"},
             "TimeInTransit": {"ServiceSummary": {"EstimatedArrival": {
                 "BusinessDaysInTransit": days}}}}
            for code, base, total, days in (("65", 80.0, 92.4, "3"), ("08", 60.0, 69.3, "5"))
        ]  # fmt: skip
        return Reply(
            200,
            {
                "RateResponse": {
                    "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                    "RatedShipment": rated,
                }
            },
        )

    def ship(self, req: Request) -> Reply:
        refs = _refs(req.json())
        label = self.create_label(refs[0] if refs else "")
        label.image = _gif()  # type: ignore[attr-defined]
        return Reply(200, {"ShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "ShipmentResults": {
                "ShipmentCharges": {"TotalCharges": {"CurrencyCode": "USD",
                                                     "MonetaryValue": "92.40"}},
                "ShipmentIdentificationNumber": label.tracking_number,
                "PackageResults": [{"TrackingNumber": label.tracking_number,
                                    "ShippingLabel": {"ImageFormat": {"Code": "GIF"},
                                                      "GraphicImage": label.image}}],
            }}})  # fmt: skip

    def void(self, number: str) -> Reply:
        label = self.labels.get(number)
        if label is None or label.voided:
            return self._error(400, "190117", "No shipment found within the allowed void period")
        label.voided = True
        return Reply(
            200,
            {
                "VoidShipmentResponse": {
                    "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                    "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}},
                }
            },
        )

    def track(self, number: str) -> Reply:
        if number not in self.labels:
            return Reply(
                200,
                {
                    "trackResponse": {
                        "shipment": [
                            {
                                "warnings": [
                                    {"code": "TW0001", "message": "Tracking Information Not Found"}
                                ]
                            }
                        ]
                    }
                },
            )
        activity = [{"location": {"address": {"city": city, "country": country}},
                     "status": {"type": t, "code": code, "description": text},
                     "date": day, "time": clock}
                    for t, code, text, day, clock, city, country in reversed(ACTIVITY)]  # fmt: skip
        return Reply(200, {"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [{
            "trackingNumber": number, "deliveryDate": [{"type": "DEL", "date": "20261124"}],
            "activity": activity}]}]}})  # fmt: skip

    def recover(self, req: Request) -> Reply:
        refs = _refs(req.json())
        label = self.by_reference(refs[0]) if refs else None
        if label is None:
            return self._error(404, "120541", "No label found for the reference number")
        return Reply(200, {"LabelRecoveryResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "LabelResults": {"TrackingNumber": label.tracking_number,
                             "LabelImage": {"LabelImageFormat": {"Code": "PDF"},
                                            "GraphicImage": self.b64(label.label)}}}})  # fmt: skip
