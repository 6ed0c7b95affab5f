"""USPS APIs v3 (OAuth 2 client credentials, payment authorization, international prices,
international labels, tracking), as karrio-usps-international calls them."""

from __future__ import annotations

import hashlib
from typing import Any

from .base import FakeCarrier, Reply, Request, references

EVENTS = [  # (eventCode, eventType, timestamp, city, country)
    ("GX", "Shipping Label Created, USPS Awaiting Item", "2026-11-20T08:00:00Z", "LOS ANGELES",
     "US"),
    ("03", "USPS in possession of item", "2026-11-20T16:00:00Z", "LOS ANGELES", "US"),
    ("10", "Arrived at USPS Regional Origin Facility", "2026-11-21T02:00:00Z", "LOS ANGELES",
     "US"),
    ("02", "Notice Left (No Authorized Recipient Available)", "2026-11-27T10:00:00Z",
     "TORONTO", "CA"),
    ("01", "Delivered", "2026-11-28T11:00:00Z", "TORONTO", "CA"),
]  # fmt: skip


def _refs(node: Any) -> list[str]:
    return references(node, "customerReference", "referenceNumber")


class FakeUSPSInternational(FakeCarrier):
    prefix = "LZ"

    def token(self, kind: str = "access") -> str:
        c = self.credentials
        raw = f"{kind}:{c['client_id']}:{c['client_secret']}".encode()
        return f"usps-{kind}-" + hashlib.sha256(raw).hexdigest()

    def _error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status,
            {
                "apiVersion": "v3",
                "error": {
                    "code": code,
                    "message": message,
                    "errors": [
                        {"status": str(status), "code": code, "title": message, "detail": message}
                    ],
                },
            },
        )

    def handle(self, req: Request) -> Reply:
        if req.path == "/oauth2/v3/token":
            form = req.form()
            c = self.credentials
            if (form.get("client_id"), form.get("client_secret")) != (
                c["client_id"],
                c["client_secret"],
            ):
                return Reply(
                    401,
                    {
                        "error": {
                            "code": "invalid_client",
                            "message": "Client authentication failed",
                        }
                    },
                )
            return Reply(
                200,
                {
                    "access_token": self.token(),
                    "token_type": "Bearer",
                    "issued_at": 1764500000000,
                    "expires_in": 28799,
                    "status": "approved",
                    "scope": form.get("scope", ""),
                },
            )
        if req.headers.get("authorization") != f"Bearer {self.token()}":
            return self._error(401, "401", "Unauthorized: invalid or expired access token")
        p = req.path
        if p == "/payments/v3/payment-authorization":
            return Reply(
                200,
                {
                    "paymentAuthorizationToken": self.token("payment"),
                    "roles": req.json().get("roles", []),
                },
            )
        if p == "/international-prices/v3/total-rates/search" or p.endswith("/options/search"):
            return self.rate(req)
        if p == "/international-labels/v3/international-label" and req.method == "POST":
            if req.headers.get("x-payment-authorization-token") != self.token("payment"):
                return self._error(401, "401", "Invalid payment authorization token")
            return self.label(req)
        if p.startswith("/international-labels/v3/international-label/"):
            return self.cancel(p.rsplit("/", 1)[1])
        if p.startswith("/tracking/v3/tracking/"):
            return self.track(p.rsplit("/", 1)[1])
        return self._error(404, "404", "Resource not found")

    def rate(self, req: Request) -> Reply:
        options = [
            {"mailClass": mail_class, "rateOptions": [{
                "totalBasePrice": price, "totalPrice": price, "extraServices": [],
                "rates": [{"description": name, "productName": name, "mailClass": mail_class,
                           "price": price, "priceType": "COMMERCIAL", "zone": "01",
                           "SKU": "DXXXXXXXX"}]}]}
            for mail_class, name, price in (
                ("PRIORITY_MAIL_INTERNATIONAL", "Priority Mail International", 48.25),
                ("FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE",
                 "First-Class Package International Service", 21.6),
            )
        ]  # fmt: skip
        return Reply(
            200,
            {
                "originZIPCode": "90001",
                "pricingOptions": [{"priceType": "COMMERCIAL", "shippingOptions": options}],
            },
        )

    def label(self, req: Request) -> Reply:
        refs = _refs(req.json())
        label = self.create_label(refs[0] if refs else "")
        return Reply(200, {"labelMetadata": {
            "labelAddress": {}, "trackingNumber": label.tracking_number, "postage": 48.25,
            "extraServices": [], "zone": "01", "SKU": "DPXX0XXXXX",
            "serviceTypeCode": "PRIORITY_MAIL_INTERNATIONAL"},
            "labelImage": self.b64(label.label)})  # fmt: skip

    def cancel(self, number: str) -> Reply:
        label = self.labels.get(number)
        if label is None or label.voided:
            return self._error(404, "404", f"Label {number} not found or already cancelled")
        label.voided = True
        return Reply(200, {"trackingNumber": number, "status": "CANCELED"})

    def track(self, number: str) -> Reply:
        if number not in self.labels:
            return self._error(
                404,
                "404",
                "The tracking number may be incorrect or the status update is not yet available.",
            )
        events = [{"eventType": text, "eventCode": code, "eventTimestamp": when,
                   "eventCity": city, "eventCountry": country}
                  for code, text, when, city, country in reversed(EVENTS)]  # fmt: skip
        return Reply(
            200,
            {
                "trackingNumber": number,
                "status": "Delivered",
                "statusCategory": "Delivered",
                "mailClass": "PMI",
                "trackingEvents": events,
            },
        )
