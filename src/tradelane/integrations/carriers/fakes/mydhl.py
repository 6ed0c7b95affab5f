"""DHL Express MyDHL API (REST/JSON), as karrio-mydhl speaks it.

The API reference is https://developer.dhl.com/api-reference/dhl-express-mydhl-api (OpenAPI
"MyDHL API", operations ``exp-api-rates``, ``exp-api-shipments``,
``exp-api-shipments-tracking-multi``). What this fake holds to, from that reference:

- Every operation takes HTTP Basic authentication (the API key and secret of a developer-portal
  app); without it, or with a wrong pair, the answer is 401.
- ``POST /rates`` requires ``customerDetails`` (shipper and receiver, each with ``countryCode``,
  ``cityName`` and ``postalCode``), ``accounts``, ``plannedShippingDateAndTime``,
  ``unitOfMeasurement``, ``isCustomsDeclarable`` and ``packages`` (each with ``weight`` and
  ``dimensions``); a ``productCode`` limits the answer to that product.
- ``POST /shipments`` requires ``plannedShippingDateAndTime``, ``productCode``, ``accounts``,
  ``customerDetails`` (shipper and receiver, each with ``postalAddress`` and
  ``contactInformation``: ``phone``, ``companyName``, ``fullName``) and ``content`` (``packages``
  with ``weight`` and ``dimensions``, ``isCustomsDeclarable``, ``description``, ``incoterm``,
  ``unitOfMeasurement``; a customs-declarable one also ``declaredValue``,
  ``declaredValueCurrency`` and ``exportDeclaration``). ``customerReferences`` (``value`` at most
  35 characters, ``typeCode`` "CU" by default) is kept with the shipment.
- ``GET /tracking`` takes one or more ``shipmentTrackingNumber``, or a ``shipmentReference``
  (with ``shipmentReferenceType``), which needs ``shipperAccountNumber`` and the
  ``dateRangeFrom``/``dateRangeTo`` window the search is restricted to.
- Refusals are RFC 7807 problem details: ``instance``, ``detail``, ``title``, ``status`` (a
  string), sometimes ``additionalDetails``; unknown shipments are a 404 "No shipments found".

MyDHL has no shipment cancellation (only pickups can be cancelled): an unused label lapses.
"""

from __future__ import annotations

import base64
from typing import Any

from .base import FakeCarrier, Reply, Request

PRODUCTS = (  # (productCode, productName, weight charge, fuel surcharge)
    ("P", "EXPRESS WORLDWIDE", 88.0, 13.2),
    ("T", "EXPRESS 12:00", 120.0, 18.0),
)
# (date, time, GMT offset, typeCode, description, service area), oldest first; our mapping
# sorts the events and reads "delivered" from any of them, so the order the API uses is moot
EVENTS = [
    ("2026-11-20", "17:10:00", "+08:00", "PU", "Shipment picked up", "SHENZHEN - CHINA"),
    ("2026-11-20", "23:40:00", "+08:00", "DF", "Departed Facility in HONG KONG - HONG KONG",
     "HONG KONG - HONG KONG"),
    ("2026-11-22", "06:15:00", "-05:00", "CD", "Clearance delay", "CINCINNATI HUB - USA"),
    ("2026-11-22", "11:20:00", "-05:00", "CR", "Clearance processing complete",
     "CINCINNATI HUB - USA"),
    ("2026-11-23", "08:00:00", "-05:00", "WC", "With delivery courier", "NEW YORK CITY - USA"),
    ("2026-11-23", "12:30:00", "-05:00", "NH", "Delivery attempted; recipient not home",
     "NEW YORK CITY - USA"),
    ("2026-11-24", "10:05:00", "-05:00", "OK", "Delivered", "NEW YORK CITY - USA"),
]  # fmt: skip

ADDRESS_REQUIRED = ("countryCode", "cityName", "postalCode")
CONTACT_REQUIRED = ("phone", "companyName", "fullName")
REFERENCE_MAX = 35


def _missing(node: Any, names: tuple[str, ...], where: str) -> list[str]:
    if not isinstance(node, dict):
        return [where]
    return [f"{where}.{n}" for n in names if node.get(n) in (None, "", [])]


def _packages(packages: Any, where: str) -> list[str]:
    if not isinstance(packages, list) or not packages:
        return [where]
    problems = []
    for i, package in enumerate(packages):
        problems += _missing(package, ("weight", "dimensions"), f"{where}[{i}]")
        dims = (package or {}).get("dimensions") if isinstance(package, dict) else None
        if dims:
            problems += _missing(dims, ("length", "width", "height"), f"{where}[{i}].dimensions")
        weight = (package or {}).get("weight") if isinstance(package, dict) else None
        if isinstance(weight, int | float) and weight <= 0:
            problems.append(f"{where}[{i}].weight must be greater than 0")
    return problems


class FakeMyDHL(FakeCarrier):
    prefix = "57"

    def _problem(self, status: int, title: str, detail: str, path: str,
                 additional: list[str] | None = None) -> Reply:  # fmt: skip
        body: dict[str, Any] = {"instance": f"/expressapi{path}", "detail": detail,
                                "title": title, "status": str(status)}  # fmt: skip
        if additional:
            body["additionalDetails"] = additional
        return Reply(status, body, content_type="application/problem+json")

    def _invalid(self, path: str, problems: list[str]) -> Reply:
        details = [f"object has missing required properties ({p})" for p in problems]
        return self._problem(
            400, "Validation error", "Multiple problems found, see Additional Details", path,
            details,
        )  # fmt: skip

    def _authorized(self, req: Request) -> bool:
        c = self.credentials
        expected = base64.b64encode(f"{c['username']}:{c['password']}".encode()).decode()
        return req.headers.get("authorization") == f"Basic {expected}"

    def _account_problems(self, accounts: Any) -> list[str]:
        if not isinstance(accounts, list) or not accounts:
            return ["accounts"]
        shipper = [a for a in accounts if isinstance(a, dict) and a.get("typeCode") == "shipper"]
        if not shipper or not shipper[0].get("number"):
            return ["accounts[typeCode=shipper].number"]
        return []

    def handle(self, req: Request) -> Reply:
        if not self._authorized(req):
            return self._problem(401, "Unauthorized", "Invalid Credentials", req.path)
        if req.method == "POST" and req.path == "/rates":
            return self.rate(req.json())
        if req.method == "POST" and req.path == "/shipments":
            return self.ship(req.json())
        if req.method == "GET" and req.path == "/tracking":
            return self.track(req)
        return self._problem(404, "Not Found", f"No operation {req.method} {req.path}", req.path)

    # --- rating ---------------------------------------------------------------------------

    def rate(self, body: dict) -> Reply:
        problems = _missing(body, ("plannedShippingDateAndTime", "unitOfMeasurement"), "request")
        if not isinstance(body.get("isCustomsDeclarable"), bool):
            problems.append("request.isCustomsDeclarable")
        problems += self._account_problems(body.get("accounts"))
        details = body.get("customerDetails") or {}
        for party in ("shipperDetails", "receiverDetails"):
            problems += _missing(details.get(party), ADDRESS_REQUIRED, f"customerDetails.{party}")
        problems += _packages(body.get("packages"), "packages")
        if problems:
            return self._invalid("/rates", problems)
        wanted = body.get("productCode")
        products = [p for p in PRODUCTS if not wanted or p[0] == wanted]
        if not products:
            return self._problem(404, "Product not found",
                                 f"Product {wanted} is not available for the requested lane",
                                 "/rates")  # fmt: skip
        return Reply(200, {"products": [{
            "productName": name, "productCode": code, "localProductCode": code,
            "localProductCountryCode": "CN", "networkTypeCode": "TD",
            "isCustomerAgreement": False,
            "weight": {"volumetric": 1.2, "provided": 1.2, "unitOfMeasurement": "metric"},
            "totalPrice": [{"currencyType": "BILLC", "priceCurrency": "USD",
                            "price": round(weight + fuel, 2)}],
            "totalPriceBreakdown": [{"currencyType": "BILLC", "priceCurrency": "USD",
                                     "priceBreakdown": [{"typeCode": "SPRQT", "price": weight},
                                                        {"typeCode": "FF", "price": fuel}]}],
            "deliveryCapabilities": {"deliveryTypeCode": "QDDC",
                                     "estimatedDeliveryDateAndTime": "2026-11-23T23:59:00",
                                     "totalTransitDays": 3},
        } for code, name, weight, fuel in products]})  # fmt: skip

    # --- shipments ------------------------------------------------------------------------

    def ship(self, body: dict) -> Reply:
        problems = _missing(body, ("plannedShippingDateAndTime", "productCode"), "request")
        problems += self._account_problems(body.get("accounts"))
        details = body.get("customerDetails") or {}
        for party in ("shipperDetails", "receiverDetails"):
            node = details.get(party) or {}
            problems += _missing(node.get("postalAddress"), ("countryCode", "cityName"),
                                 f"customerDetails.{party}.postalAddress")  # fmt: skip
            problems += _missing(node.get("contactInformation"), CONTACT_REQUIRED,
                                 f"customerDetails.{party}.contactInformation")  # fmt: skip
        content = body.get("content") or {}
        problems += _missing(content, ("description", "incoterm", "unitOfMeasurement"), "content")
        if not isinstance(content.get("isCustomsDeclarable"), bool):
            problems.append("content.isCustomsDeclarable")
        elif content["isCustomsDeclarable"]:
            problems += _missing(content, ("declaredValue", "declaredValueCurrency",
                                           "exportDeclaration"), "content")  # fmt: skip
        problems += _packages(content.get("packages"), "content.packages")
        refs = body.get("customerReferences") or []
        if any(len(str(r.get("value") or "")) > REFERENCE_MAX for r in refs):
            problems.append(f"customerReferences[].value longer than {REFERENCE_MAX}")
        if problems:
            return self._invalid("/shipments", problems)
        label = self.create_label(str(refs[0]["value"]) if refs else "")
        number = label.tracking_number
        return Reply(201, {
            "url": f"{self.url}/shipments/{number}",
            "shipmentTrackingNumber": number,
            "trackingUrl": f"{self.url}/shipments/{number}/tracking",
            "packages": [{"referenceNumber": 1, "trackingNumber": f"JD01{number}",
                          "trackingUrl": f"{self.url}/shipments/{number}/tracking"}],
            "documents": [{"imageFormat": "PDF", "content": self.b64(label.label),
                           "typeCode": "label"}],
            "shipmentCharges": [{"currencyType": "BILLC", "priceCurrency": "USD",
                                 "price": 101.2,
                                 "serviceBreakdown": [{"name": "EXPRESS WORLDWIDE",
                                                       "price": 88.0},
                                                      {"name": "FUEL SURCHARGE",
                                                       "price": 13.2, "typeCode": "FF"}]}],
        })  # fmt: skip

    # --- tracking -------------------------------------------------------------------------

    def track(self, req: Request) -> Reply:
        q = req.query
        if q.get("shipmentReference"):
            needed = ("shipperAccountNumber", "dateRangeFrom", "dateRangeTo")
            missing = [n for n in needed if not q.get(n)]
            if missing:
                return self._invalid("/tracking", missing)
            if q["shipperAccountNumber"][0] != self.credentials.get("account_number"):
                return self._problem(404, "No shipments found", "No shipments found for the "
                                     "given reference and account", "/tracking")  # fmt: skip
            kind = (q.get("shipmentReferenceType") or ["CU"])[0]
            label = self.by_reference(q["shipmentReference"][0]) if kind == "CU" else None
            numbers = [label.tracking_number] if label else []
        else:
            numbers = q.get("shipmentTrackingNumber") or []
            if not numbers:
                return self._invalid("/tracking", ["shipmentTrackingNumber"])
        found = [n for n in numbers if n in self.labels]
        if not found:
            return self._problem(404, "No shipments found", "998: No shipments found",
                                 "/tracking")  # fmt: skip
        return Reply(200, {"shipments": [self._shipment(n) for n in found]})

    def _shipment(self, number: str) -> dict:
        return {
            "shipmentTrackingNumber": number, "status": "Success",
            "shipmentTimestamp": "2026-11-20T16:00:00", "productCode": "P",
            "description": "Cotton T-shirt", "numberOfPieces": 1, "totalWeight": 1.2,
            "unitOfMeasurements": "metric", "estimatedTimeOfDelivery": "2026-11-24T23:59:00",
            "shipperDetails": {"name": "Shenzhen Trading",
                               "postalAddress": {"cityName": "SHENZHEN", "postalCode": "518000",
                                                 "countryCode": "CN"}},
            "receiverDetails": {"name": "John Doe",
                                "postalAddress": {"cityName": "NEW YORK", "postalCode": "10001",
                                                  "countryCode": "US"}},
            "events": [{"date": d, "time": t, "GMTOffset": gmt, "typeCode": code,
                        "description": text, "serviceArea": [{"code": "XXX",
                                                              "description": area}]}
                       for d, t, gmt, code, text, area in EVENTS],
        }  # fmt: skip
