"""A local fake of a Tradelane provider's open API (``/api/v1/provider/``), enforcing its
contract: Bearer API key (401 ``not_authenticated``), at most 500 waybills per request (422
``batch_too_large``), ``Idempotency-Key`` (the same key and body: the first answer again,
marked ``Idempotent-Replayed``; the same key with another body: 422), creation idempotent by
reference (``existing``), 404 ``waybill_not_found`` for a number it does not know, and
"number later": a channel in ``pending_channels`` answers ``tracking_status`` pending, and
its label is 409 ``tracking_number_pending`` until ``assign`` gives it a number.

Faults: the base's ``fail_next`` ("429", "503", "slow") and "500" (the request is carried
out, then answered 500, as a crashed proxy would).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .base import FakeCarrier, Reply, Request, pdf

PREFIX = "/api/v1/provider"
MAX_BATCH = 500


def _refusal(status: int, code: str, message: str, details: Any = None) -> Reply:
    return Reply(status, {"code": code, "message": message, "details": details})


@dataclass
class FakeWaybill:
    number: str
    reference: str
    channel: str
    body: dict
    status: str = "created"
    tracking_number: str = ""
    last_mile_carrier: str = ""
    last_mile_number: str = ""
    price: Decimal = Decimal("10.00")
    chargeable_kg: str = "1.5"
    events: list[dict] = field(default_factory=list)

    def view(self) -> dict:
        return {
            "number": self.number, "reference": self.reference, "customer": "C1",
            "channel": self.channel, "status": self.status,
            "tracking_number": self.tracking_number or None,
            "tracking_status": "assigned" if self.tracking_number else "pending",
            "last_mile_carrier": self.last_mile_carrier or None,
            "last_mile_number": self.last_mile_number or None,
            "pieces": len(self.body.get("pieces") or []) or 1,
            "forecast_weight_kg": "1.2", "measured_weight_kg": None,
            "chargeable_weight_kg": self.chargeable_kg,
            "price": {"amount": f"{self.price:.2f}", "currency": "USD"},
            "charges": [{"code": "freight", "amount": f"{self.price:.2f}", "currency": "USD"}],
            "consignee_country": (self.body.get("consignee") or {}).get("country"),
            "intercept_requested": False,
            "created_at": "2026-12-03T10:00:00+00:00", "updated_at": "2026-12-03T10:00:00+00:00",
        }  # fmt: skip


class FakeProvider(FakeCarrier):
    prefix = "RR"

    def __init__(self, api_key: str = "tl_abc_secret", *, channels=("USLINE", "LATER"),
                 pending_channels=("LATER",)):  # fmt: skip
        super().__init__({"api_key": api_key})
        self.api_key = api_key
        self.channels = tuple(channels)
        self.pending_channels = set(pending_channels)
        self.waybills: dict[str, FakeWaybill] = {}
        self.idempotency: dict[str, tuple[str, Reply]] = {}
        self.webhook_url = ""
        self.webhook_secret = "whsec_fake"
        self._numbers = itertools.count(1)

    # --- test controls --------------------------------------------------------------------

    def by_reference(self, reference: str) -> FakeWaybill:
        return next(w for w in self.waybills.values() if w.reference == reference)

    def assign(self, number: str, tracking_number: str = "", *, last_mile_carrier: str = "",
               last_mile_number: str = "") -> FakeWaybill:  # fmt: skip
        w = self.waybills[number]
        if tracking_number:
            w.tracking_number = tracking_number
        if last_mile_number:
            w.last_mile_carrier, w.last_mile_number = last_mile_carrier, last_mile_number
            w.tracking_number = w.tracking_number or last_mile_number
        return w

    def webhook(self, number: str, event: str, changes: dict | None = None,
                delivery: str = "d1") -> tuple[bytes, dict[str, str]]:  # fmt: skip
        """The body and headers the provider sends for ``event`` on the waybill."""
        body = json.dumps({
            "id": delivery, "event": event, "occurred_at": "2026-12-03T12:00:00+00:00",
            "changes": changes or {}, "waybill": self.waybills[number].view(),
        }).encode()  # fmt: skip
        import hmac

        sig = hmac.new(self.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {"X-Tradelane-Event": event, "X-Tradelane-Delivery": delivery,
                      "X-Tradelane-Signature": f"sha256={sig}"}  # fmt: skip

    # --- the API --------------------------------------------------------------------------

    def _fault_for(self, req: Request) -> tuple[str, float | None] | None:
        """A fault queued for a path applies to the request whose path ends with it (so one
        for ``/provider/waybills`` hits the creation, not the lookup by reference)."""
        with self._lock:
            for i, (kind, part, ra) in enumerate(self._faults):
                if req.path.endswith(part):
                    del self._faults[i]
                    return kind, ra
        return None

    def _dispatch(self, req: Request) -> tuple[Reply, float]:
        with self._lock:
            first = next((f for f in self._faults if req.path.endswith(f[1])), None)
        if first is not None and first[0] == "500":
            self._fault_for(req)
            self.requests.append(req)
            self.handle(req)  # carried out, then the answer is lost
            return Reply(500, "<html>Internal Server Error</html>", content_type="text/html"), 0
        return super()._dispatch(req)

    def handle(self, req: Request) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.api_key}":
            return _refusal(401, "not_authenticated", "A valid API key is required")
        if not req.path.startswith(PREFIX + "/"):
            return _refusal(404, "not_found", "No such endpoint")
        path = req.path[len(PREFIX) :]
        key = req.headers.get("idempotency-key")
        if req.method == "POST" and key:
            digest = hashlib.sha256(req.method.encode() + path.encode() + req.body).hexdigest()
            if key in self.idempotency:
                seen, reply = self.idempotency[key]
                if seen != digest:
                    return _refusal(422, "idempotency_key_reused",
                                "This Idempotency-Key was used for another request")  # fmt: skip
                return Reply(reply.status, reply.body, {**reply.headers,
                                                        "Idempotent-Replayed": "true"})  # fmt: skip
            reply = self._route(req, path)
            if reply.status < 500:
                self.idempotency[key] = (digest, reply)
            return reply
        return self._route(req, path)

    def _route(self, req: Request, path: str) -> Reply:
        parts = [p for p in path.split("/") if p]
        if req.method == "POST" and parts == ["quote"]:
            return self.quote(req.json())
        if req.method == "PUT" and parts == ["webhook"]:
            self.webhook_url = str(req.json().get("url") or "")
            return Reply(200, {"url": self.webhook_url, "secret": self.webhook_secret})
        if parts[:1] != ["waybills"]:
            return _refusal(404, "not_found", "No such endpoint")
        if req.method == "POST" and parts == ["waybills"]:
            return self.create(req.json())
        if req.method == "GET" and parts == ["waybills"]:
            return self.search(req.query.get("q", [""])[0])
        if req.method == "GET" and len(parts) == 3 and parts[1] == "by-reference":
            w = next((w for w in self.waybills.values() if w.reference == parts[2]), None)
            if w is None:
                return _refusal(404, "waybill_not_found", f"No waybill with reference {parts[2]}")
            return Reply(200, w.view())
        w = self.waybills.get(parts[1]) if len(parts) >= 2 else None
        if w is None:
            return _refusal(404, "waybill_not_found", "No such waybill")
        if req.method == "GET" and len(parts) == 2:
            return Reply(200, w.view())
        if req.method == "GET" and parts[2:] == ["label"]:
            if not w.tracking_number:
                return _refusal(409, "tracking_number_pending", "The tracking number is pending")
            if req.query.get("format", ["pdf"])[0] == "zpl":
                return Reply(200, f"^XA^FD{w.tracking_number}^FS^XZ", content_type="text/plain")
            return Reply(200, pdf(w.tracking_number), content_type="application/pdf")
        if req.method == "GET" and parts[2:] == ["tracking"]:
            return Reply(200, {"number": w.number, "tracking_number": w.tracking_number or None,
                               "last_mile_carrier": w.last_mile_carrier or None,
                               "last_mile_number": w.last_mile_number or None,
                               "status": w.status, "events": w.events})  # fmt: skip
        if req.method == "POST" and parts[2:] == ["cancel"]:
            if w.status != "created":
                return _refusal(409, "not_cancellable", f"Waybill {w.number} is {w.status}")
            w.status = "cancelled"
            return Reply(200, w.view())
        return _refusal(404, "not_found", "No such endpoint")

    def quote(self, body: dict) -> Reply:
        pieces = body.get("pieces") or []
        if not pieces or not (body.get("consignee") or {}).get("country"):
            return _refusal(422, "invalid", "consignee.country and pieces are required")
        weight = sum(Decimal(str(p.get("weight_kg") or 0)) for p in pieces)
        offers = [{"channel": ch, "name": ch.title(), "ok": True,
                   "price": {"amount": f"{Decimal('5.00') + weight * (i + 4):.2f}",
                             "currency": "USD"},
                   "charges": [], "chargeable_weight_kg": str(weight),
                   "transit_days_min": 5, "transit_days_max": 9 + i, "reasons": []}
                  for i, ch in enumerate(self.channels)]  # fmt: skip
        offers.append({"channel": "BATT", "name": "Battery", "ok": False, "price": None,
                       "charges": [], "chargeable_weight_kg": None, "transit_days_min": None,
                       "transit_days_max": None,
                       "reasons": [{"code": "no_zone", "message": "no zone"}]})  # fmt: skip
        return Reply(200, {"offers": offers})

    def create(self, body: dict) -> Reply:
        batch = body.get("waybills")
        if not isinstance(batch, list) or not batch:
            return _refusal(422, "invalid", "waybills is a list of waybills")
        if len(batch) > MAX_BATCH:
            return _refusal(422, "batch_too_large", f"At most {MAX_BATCH} waybills per request",
                        {"max": MAX_BATCH, "sent": len(batch)})  # fmt: skip
        items, counts = [], {"created": 0, "existing": 0, "rejected": 0}
        for index, wb in enumerate(batch):
            ref = str(wb.get("reference") or "")
            channel = wb.get("channel") or self.channels[0]
            errors = []
            if not ref:
                errors.append({"field": "reference", "code": "required", "message": "required"})
            if channel not in self.channels:
                errors.append({"field": "channel", "code": "channel_not_open",
                               "message": f"channel {channel} is not open to you"})  # fmt: skip
            if not (wb.get("consignee") or {}).get("country"):
                errors.append({"field": "consignee.country", "code": "required",
                               "message": "required"})  # fmt: skip
            for i, p in enumerate(wb.get("pieces") or [{}]):
                if not isinstance(p.get("weight_kg"), str) or Decimal(p["weight_kg"]) <= 0:
                    errors.append({"field": f"pieces[{i}].weight_kg", "code": "invalid",
                                   "message": "a weight in kg above 0"})  # fmt: skip
            existing = next((w for w in self.waybills.values() if w.reference == ref), None)
            if errors:
                result, w = "rejected", None
            elif existing is not None:
                result, w = "existing", existing
            else:
                n = next(self._numbers)
                number = f"TL261203{n:07d}"
                tracking = "" if channel in self.pending_channels else f"RR{n:08d}5CN"
                w = FakeWaybill(number, ref, channel, wb, tracking_number=tracking)
                self.waybills[number] = w
                result = "created"
            counts[result] += 1
            items.append({
                "index": index, "reference": ref, "result": result,
                "number": w.number if w else None,
                "tracking_number": (w.tracking_number or None) if w else None,
                "tracking_status": ("assigned" if w.tracking_number else "pending") if w else None,
                "errors": errors,
            })  # fmt: skip
        return Reply(200, {**counts, "items": items})

    def search(self, q: str) -> Reply:
        rows = [w.view() for w in self.waybills.values()
                if q in (w.number, w.reference, w.tracking_number, w.last_mile_number)]  # fmt: skip
        return Reply(200, {"items": rows, "count": len(rows)})
