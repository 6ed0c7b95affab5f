"""``ProviderGateway``: our carrier contract on a Tradelane provider's open API.

A seller on Tradelane ships through a provider on Tradelane: a channel of kind
``tradelane`` whose carrier account has ``carrier = "tradelane"``, ``base_url`` = the
provider's URL and credentials ``{"api_key": "tl_..."}`` (a key the provider made for the
seller's portal user; ``webhook_secret`` is added when the webhook is registered,
``webhooks.register``). The channel's ``service_code`` is the provider's channel code
(empty: the provider picks its cheapest open channel that accepts the parcel).

- ``rate``: ``POST /provider/quote``; the accepting offers.
- ``create_label``: first ``GET /provider/waybills/by-reference/{our shipment number}`` (a
  waybill made by an earlier attempt whose answer was lost is found, never made twice), else
  ``POST /provider/waybills`` with one waybill, our shipment number as its reference and the
  shipment's label key as ``Idempotency-Key``. A numbered waybill's label comes from
  ``GET .../label``; "number later" (``tracking_status`` pending) is answered with
  ``LabelResult(number_pending=True)`` and the shipment waits for its number.
- ``void``: ``POST .../cancel`` (409 ``not_cancellable`` once the hub has the parcel).
- ``track``: ``GET .../tracking`` per number (a tracking or last-mile number is found with
  the list's ``q=`` search first).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tradelane.logistics.carriers import contract as g

from . import mapping
from .client import Policy, ProviderClient, error_of

CARRIER = "tradelane"
INFO = g.CarrierInfo(CARRIER, "Tradelane provider", finds_lost_labels=True)


class ProviderGateway:
    def __init__(
        self,
        *,
        policy_factory: Callable[[], Policy] | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.policy_factory = policy_factory or Policy
        self.transport = transport
        self.last_policy: Policy | None = None

    def client(self, account: g.Account) -> ProviderClient:
        self.last_policy = self.policy_factory()
        return ProviderClient(
            account.base_url,
            str(account.credentials.get("api_key") or ""),
            policy=self.last_policy,
            transport=self.transport,
        )

    # --- the contract ---------------------------------------------------------------------

    def rate(self, account: g.Account, request: g.RateRequest) -> list[g.RateResult]:
        with self.client(account) as c:
            resp = c.request("POST", "/quote", json=mapping.quote_body(request))
            _raise_for(resp, "quote")
            return mapping.rate_results(resp.json(), request.service_code)

    def create_label(self, account: g.Account, request: g.LabelRequest) -> g.LabelResult:
        if not request.reference:
            raise g.CarrierError("A waybill needs our shipment number as its reference",
                                 code="carrier_refused")  # fmt: skip
        with self.client(account) as c:
            found = self._by_reference(c, request.reference)
            if found is None:
                headers = (
                    {"Idempotency-Key": request.idempotency_key} if request.idempotency_key else {}
                )
                resp = c.request("POST", "/waybills", json=mapping.waybill_body(request),
                                 headers=headers, purchase=True)  # fmt: skip
                if resp.status_code == 409:  # the same key is still being served: look again
                    raise g.CarrierError(
                        "The provider is still creating this waybill",
                        code="carrier_outcome_unknown",
                        retryable=True, outcome_unknown=True, retry_after=5,
                    )  # fmt: skip
                _raise_for(resp, "waybill creation")
                item = mapping.created_item(resp.json())
                found = self._waybill(c, str(item["number"]))
            if found.status == "cancelled":
                raise g.CarrierError(f"The provider's waybill {found.number} is cancelled",
                                     code="carrier_refused")  # fmt: skip
            if found.tracking_pending:
                return mapping.pending_result(found)
            fmt = "ZPL" if (request.label_format or "").upper() == "ZPL" else "PDF"
            label = self._label(c, found.number, fmt)
            return mapping.label_result(found, label, fmt)

    def void(self, account: g.Account, carrier_shipment_id: str, tracking_number: str) -> None:
        number = carrier_shipment_id
        with self.client(account) as c:
            if not number:
                view = self._search(c, tracking_number)
                if view is None:
                    raise g.CarrierError(f"The provider knows no waybill {tracking_number}",
                                         code="carrier_void_refused")  # fmt: skip
                number = view.number
            resp = c.request("POST", f"/waybills/{number}/cancel", json={})
            if resp.status_code == 409 or resp.status_code == 404:
                code, message, _ = error_of(resp)
                raise g.CarrierError(message, code="carrier_void_refused",
                                     details={"carrier_code": code})  # fmt: skip
            _raise_for(resp, "cancellation")

    def track(self, account: g.Account, tracking_numbers: list[str]) -> list[g.TrackResult]:
        out: list[g.TrackResult] = []
        if not tracking_numbers:
            return out
        with self.client(account) as c:
            for n in tracking_numbers:
                resp = c.request("GET", f"/waybills/{n}/tracking")
                if resp.status_code == 404:
                    view = self._search(c, n)
                    if view is None:
                        continue  # unknown there: the poller records "polled, no news"
                    resp = c.request("GET", f"/waybills/{view.number}/tracking")
                _raise_for(resp, "tracking")
                out.append(mapping.track_result(n, resp.json()))
        return out

    # --- reads ----------------------------------------------------------------------------

    def waybill(self, account: g.Account, number: str) -> mapping.WaybillView:
        with self.client(account) as c:
            return self._waybill(c, number)

    def _waybill(self, c: ProviderClient, number: str) -> mapping.WaybillView:
        resp = c.request("GET", f"/waybills/{number}")
        _raise_for(resp, "waybill")
        return mapping.waybill_view(resp.json())

    def _by_reference(self, c: ProviderClient, reference: str) -> mapping.WaybillView | None:
        resp = c.request("GET", f"/waybills/by-reference/{reference}")
        if resp.status_code == 404:
            return None
        _raise_for(resp, "waybill lookup")
        return mapping.waybill_view(resp.json())

    def _search(self, c: ProviderClient, number: str) -> mapping.WaybillView | None:
        resp = c.request("GET", "/waybills", params={"q": number, "limit": 10})
        _raise_for(resp, "waybill search")
        data = resp.json()
        rows = data.get("items", data.get("results", [])) if isinstance(data, dict) else data
        for row in rows or []:
            if number in (row.get("number"), row.get("tracking_number"),
                          row.get("last_mile_number"), row.get("reference")):  # fmt: skip
                return mapping.waybill_view(row)
        return None

    def _label(self, c: ProviderClient, number: str, fmt: str) -> bytes:
        resp = c.request("GET", f"/waybills/{number}/label", params={"format": fmt.lower()})
        _raise_for(resp, "label")
        return resp.content


def _raise_for(resp: httpx.Response, what: str) -> None:
    if resp.status_code < 400:
        return
    code, message, details = error_of(resp)
    raise g.CarrierError(
        f"The provider refused the {what}: {message}",
        code="carrier_refused",
        details={"status": resp.status_code, "carrier_code": code, "provider": details},
    )
