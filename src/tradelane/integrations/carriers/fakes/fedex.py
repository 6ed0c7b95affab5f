"""FedEx REST (OAuth client credentials; Rate, Ship, Track APIs), as karrio-fedex calls it."""

from __future__ import annotations

import hashlib
from typing import Any

from .base import FakeCarrier, Reply, Request, references

EVENTS = [  # (eventType, derivedStatusCode, description, iso time, city, country)
    ("PU", "PU", "Picked up", "2026-11-20T10:00:00+08:00", "SHENZHEN", "CN"),
    ("DP", "IT", "Departed FedEx location", "2026-11-20T22:00:00+08:00", "GUANGZHOU", "CN"),
    ("CD", "CD", "Clearance delay - Import", "2026-11-22T08:00:00-05:00", "MEMPHIS", "US"),
    ("CC", "IT", "International shipment release - Import", "2026-11-22T12:00:00-05:00",
     "MEMPHIS", "US"),
    ("OD", "OD", "On FedEx vehicle for delivery", "2026-11-23T08:30:00-05:00", "NEW YORK", "US"),
    ("DL", "DL", "Delivered", "2026-11-23T14:05:00-05:00", "NEW YORK", "US"),
]  # fmt: skip


def _refs(node: Any) -> list[str]:
    return references(node, "customerReferences", "value")


class FakeFedEx(FakeCarrier):
    prefix = "7946"

    def token(self) -> str:
        c = self.credentials
        return "fx-" + hashlib.sha256(f"{c['api_key']}:{c['secret_key']}".encode()).hexdigest()

    def _error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status, {"transactionId": "tx-fake", "errors": [{"code": code, "message": message}]}
        )

    def handle(self, req: Request) -> Reply:
        if req.path == "/oauth/token":
            form = req.form()
            c = self.credentials
            if (form.get("client_id"), form.get("client_secret")) != (
                c["api_key"],
                c["secret_key"],
            ):
                return self._error(
                    401,
                    "NOT.AUTHORIZED.ERROR",
                    "The given client credentials were not valid. Please "
                    "modify your request and try again.",
                )
            return Reply(
                200,
                {
                    "access_token": self.token(),
                    "token_type": "bearer",
                    "expires_in": 3599,
                    "scope": "CXS-TP",
                },
            )
        if req.headers.get("authorization") != f"Bearer {self.token()}":
            return self._error(401, "NOT.AUTHORIZED.ERROR", "Access token expired or invalid.")
        route = {
            "/rate/v1/rates/quotes": self.rate,
            "/ship/v1/shipments": self.ship,
            "/ship/v1/shipments/cancel": self.cancel,
            "/track/v1/trackingnumbers": self.track,
            "/track/v1/referencenumbers": self.by_ref,
        }.get(req.path)
        if route is None:
            return self._error(
                404, "NOT.FOUND.ERROR", "The resource you requested is no longer available."
            )
        return route(req)

    def rate(self, req: Request) -> Reply:
        details = [
            {"serviceType": service, "serviceName": name, "packagingType": "YOUR_PACKAGING",
             "commit": {"dateDetail": {"dayFormat": "2026-11-24T10:30:00"}},
             "operationalDetail": {"commitDate": "2026-11-24T10:30:00"},
             "ratedShipmentDetails": [{
                 "rateType": "ACCOUNT", "ratedWeightMethod": "ACTUAL", "currency": "USD",
                 "totalDiscounts": 0.0, "totalBaseCharge": base, "totalNetCharge": base + 9.5,
                 "totalNetFedExCharge": base + 9.5,
                 "shipmentRateDetail": {"currency": "USD", "surCharges": [
                     {"type": "FUEL", "description": "Fuel Surcharge", "amount": 9.5}]},
             }]}
            for service, name, base in (
                ("FEDEX_INTERNATIONAL_PRIORITY", "FedEx International Priority", 61.25),
                ("INTERNATIONAL_ECONOMY", "FedEx International Economy", 48.0),
            )
        ]  # fmt: skip
        return Reply(200, {"transactionId": "tx-rate", "output": {"rateReplyDetails": details}})

    def ship(self, req: Request) -> Reply:
        refs = [r for r in _refs(req.json()) if r]
        label = self.create_label(refs[0] if refs else "")
        return Reply(200, {"transactionId": "tx-ship", "output": {"transactionShipments": [{
            "serviceType": req.json()["requestedShipment"].get("serviceType"),
            "shipDatestamp": "2026-11-20", "masterTrackingNumber": label.tracking_number,
            "pieceResponses": [{
                "masterTrackingNumber": label.tracking_number,
                "trackingNumber": label.tracking_number,
                "packageDocuments": [{"contentType": "LABEL", "copiesToPrint": 1,
                                      "encodedLabel": self.b64(label.label),
                                      "docType": "PDF"}],
            }],
            "completedShipmentDetail": {"masterTrackingId": {
                "trackingIdType": "FEDEX", "trackingNumber": label.tracking_number}},
        }]}})  # fmt: skip

    def cancel(self, req: Request) -> Reply:
        number = req.json().get("trackingNumber", "")
        label = self.labels.get(number)
        if label is None or label.voided:
            return self._error(400, "TRACKINGNUMBER.NOT.FOUND", "Tracking number not found.")
        label.voided = True
        return Reply(
            200,
            {
                "transactionId": "tx-cancel",
                "output": {"cancelledShipment": True, "successMessage": "Success"},
            },
        )

    def track(self, req: Request) -> Reply:
        results = []
        for info in req.json().get("trackingInfo", []):
            number = info["trackingNumberInfo"]["trackingNumber"]
            if number not in self.labels:
                results.append({"trackingNumber": number, "trackResults": [{
                    "trackingNumberInfo": {"trackingNumber": number},
                    "error": {"code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
                              "message": "Tracking number cannot be found."}}]})  # fmt: skip
                continue
            scans = [{"date": when, "eventType": code, "eventDescription": text,
                      "derivedStatusCode": derived,
                      "scanLocation": {"city": city, "countryCode": country}}
                     for code, derived, text, when, city, country in reversed(EVENTS)]  # fmt: skip
            results.append({"trackingNumber": number, "trackResults": [{
                "trackingNumberInfo": {"trackingNumber": number},
                "latestStatusDetail": {"code": "DL", "derivedCode": "DL",
                                       "statusByLocale": "Delivered", "description": "Delivered"},
                "scanEvents": scans,
            }]})  # fmt: skip
        return Reply(
            200, {"transactionId": "tx-track", "output": {"completeTrackResults": results}}
        )

    def by_ref(self, req: Request) -> Reply:
        ref = req.json().get("referencesInformation", {}).get("value", "")
        label = self.by_reference(ref)
        if label is None:
            return Reply(
                200,
                {
                    "output": {
                        "completeTrackResults": [
                            {
                                "trackingNumber": "",
                                "trackResults": [
                                    {
                                        "error": {
                                            "code": "TRACKING.REFERENCENUMBER.NOTFOUND",
                                            "message": "Reference number cannot be found",
                                        }
                                    }
                                ],
                            }
                        ]
                    }
                },
            )
        return Reply(200, {"output": {"completeTrackResults": [{
            "trackingNumber": label.tracking_number,
            "trackResults": [{"trackingNumberInfo": {"trackingNumber": label.tracking_number}}],
        }]}})  # fmt: skip
