"""Which waybill a scanned code is: any of its three numbers (ours, the tracking or last-mile
number, the customer's reference) or a carton label's ``<number>-<piece>``.

A reference is unique only per customer: one that two customers use is ambiguous and refused.
The label prints the tracking number as its barcode on every piece (and PCS n/N beside it),
so a scan of it picks the piece on the screen, or takes the next one not yet in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tradelane.core.errors import ValidationFailed

from ..waybills.models import Waybill

CARTON = re.compile(r"^(?P<code>.+)-(?P<seq>\d{1,3})$")
# the more specific number wins when one code is two waybills' different numbers
FIELDS = ("number", "tracking_number", "last_mile_number", "reference")


@dataclass(frozen=True)
class Found:
    waybill_id: int
    seq: int | None  # from a carton label; None: the screen's pick or the next piece
    matched: str  # the field the code matched


def _match(code: str) -> Found | None:
    # one indexed equality per number, the most specific first (an OR of the four would
    # read the whole table on SQLite): a scan is nearly always our number or the label's
    for field in FIELDS:
        hits = list(Waybill.objects.filter(**{field: code}).values_list("pk", flat=True)[:20])
        if not hits:
            continue
        if len(hits) > 1:
            raise ValidationFailed(
                f"{code} is the {field.replace('_', ' ')} of {len(hits)} waybills: scan "
                "the waybill number",
                code="ambiguous_reference" if field == "reference" else "ambiguous_code",
                details={"code": code, "field": field, "count": len(hits)},
            )  # fmt: skip
        return Found(hits[0], None, field)
    return None


def find(code: str) -> Found | None:
    """The waybill ``code`` names, or None when nothing matches (a parcel without forecast)."""
    found = _match(code)
    if found is not None:
        return found
    carton = CARTON.match(code)
    if carton is not None:
        found = _match(carton["code"])
        if found is not None and found.matched != "reference":
            return Found(found.waybill_id, int(carton["seq"]), found.matched)
    return None
