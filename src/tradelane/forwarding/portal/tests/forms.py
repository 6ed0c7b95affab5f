"""A waybill of ``factories.payload`` as the portal's form posts it (kg, cm)."""

from __future__ import annotations

from decimal import Decimal

from tradelane.forwarding.tests.factories import payload


def form_data(reference: str = "R1", **over) -> dict:
    data = payload(reference, **over)
    out = {"reference": data["reference"], "channel": data.get("channel", ""), "incoterm": "DDU"}
    out.update({f"consignee.{k}": v for k, v in data["consignee"].items()})
    for i, p in enumerate(data["pieces"]):
        out[f"pieces[{i}].weight_kg"] = str(Decimal(p["weight_g"]) / 1000)
        for side in ("length", "width", "height"):
            out[f"pieces[{i}].{side}_cm"] = str(Decimal(p.get(f"{side}_mm", 0)) / 10)
    for i, it in enumerate(data["items"]):
        for k, v in it.items():
            if k in ("battery", "liquid", "magnet"):
                if v:
                    out[f"items[{i}].{k}"] = "on"
            else:
                out[f"items[{i}].{k}"] = str(v)
    return out
