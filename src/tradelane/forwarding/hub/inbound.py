"""The inbound scan (入库扫描): a code, a weight and the sides from a station's scanner and
scale; the answer the screen shows at once (a JSON-ready dict).

``scan`` finds the waybill (``lookup``), stops a held one (``holds``), records each piece as
measured (``InboundPiece``, one per carton: a second scan of a piece is "already in"), and
when the last piece is in receives the waybill through ``waybills.services.receive`` on the
pieces' sum: re-rated on its channel, the customer told. The waybill row is locked for the
whole scan, so the same parcel scanned at two stations at once is received once.

Then the rules the hub's settings choose (``config``): a chargeable weight beyond the
tolerance (``tolerance``) is re-rated and flagged, or sent to the problem queue; a channel
that refuses the parcel as measured prompts for another, sends it to the problem queue, or
switches it to the cheapest that accepts it (``channels``). A code that matches nothing is a
parcel without forecast (``unknown``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tradelane.accounts.permissions import require
from tradelane.accounts.roles import P
from tradelane.core.errors import Conflict, ValidationFailed
from tradelane.core.statements import Param, Select, insert

from ..waybills import services as waybills
from ..waybills.models import Waybill, WaybillStatus
from ..waybills.price_listeners import ACTUAL, CHANNEL_CHANGE
from ..waybills.selectors import money_text
from ..waybills.validation import PieceInput
from . import config, holds, lookup, tolerance
from .channels import offer_dict, switch_channel
from .models import InboundPiece, InboundScan, ProblemReason, ScanResult
from .problems import open_problem
from .sorting import bag_for, waybill_sort_key
from .unknown import record_unknown

# the scan's row lock on the waybill with what the answer and the re-rating read (its
# customer with the level, its channel), compiled once (``core.statements``): nearly every scan
# is our own number (the label's barcode); on PostgreSQL only the waybill's row is locked
_LOCKED = Waybill.objects.select_for_update(of=("self",)).select_related(
    "customer__level", "channel"
)
_BY_NUMBER = Select(lambda: _LOCKED.filter(number=Param("number")))
_BY_PK = Select(lambda: _LOCKED.filter(pk=Param("pk")))

MAX_WEIGHT_G = 1_000_000  # a tonne: beyond it the scale sent nonsense
MAX_SIDE_MM = 10_000


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        code = "invalid_weight" if name == "weight_g" else "invalid_size"
        raise ValidationFailed(f"{name} must be a whole number from {low} to {high}",
                               code=code, details={"field": name})  # fmt: skip
    return value


def _text(value, name: str, limit: int, code: str) -> str:
    text = str(value or "").strip()
    if not text or len(text) > limit or any(ord(ch) < 32 for ch in text):
        raise ValidationFailed(f"{name} is required (at most {limit} characters)",
                               code=code, details={"field": name, "max": limit})  # fmt: skip
    return text


def scan(
    actor, *, code: str, station: str, weight_g: int, length_mm: int = 0, width_mm: int = 0,
    height_mm: int = 0, piece: int | None = None, channel: str = "",
) -> dict:  # fmt: skip
    """Scan one parcel in (see the module). ``piece``: the carton picked on the screen (a
    carton label's ``-n`` names its own); ``channel``: the one picked after a prompt."""
    require(actor, P.HUB_RECEIVE)
    code = _text(code, "code", 80, "scan_code_required")
    station = _text(station, "station", 40, "station_required")
    weight_g = _int(weight_g, "weight_g", 1, MAX_WEIGHT_G)
    sides = tuple(_int(v, n, 0, MAX_SIDE_MM) for v, n in (
        (length_mm, "length_mm"), (width_mm, "width_mm"), (height_mm, "height_mm")))  # fmt: skip
    if piece is not None:
        piece = _int(piece, "piece", 1, 999)
    with transaction.atomic():
        # find and lock the waybill by our number in one read; any other code goes through
        # ``lookup`` (the other numbers, a carton label)
        seq = piece
        w = _BY_NUMBER.first(number=code)  # unique
        if w is None:
            found = lookup.find(code)
            if found is None:
                return _unknown(actor, code, station, weight_g, sides)
            w = _BY_PK.get(pk=found.waybill_id)
            seq = found.seq or piece
        out = _scan_locked(actor, w, seq, station, weight_g, sides, channel)
        insert(InboundScan(
            station=station, code=code, result=out["result"], waybill=w, number=w.number,
            piece=out.get("piece") or 0, weight_g=weight_g, reason=out.get("reason") or "",
            scanned_by=actor,
        ))  # fmt: skip
    return out


def _unknown(actor, code, station, weight_g, sides) -> dict:
    with transaction.atomic():
        parcel, made = record_unknown(actor, code=code, station=station, weight_g=weight_g,
                                      length_mm=sides[0], width_mm=sides[1],
                                      height_mm=sides[2])  # fmt: skip
        InboundScan.objects.create(station=station, code=code, result=ScanResult.UNKNOWN,
                                   weight_g=weight_g, reason=ProblemReason.NO_FORECAST,
                                   scanned_by=actor)  # fmt: skip
    return {
        "result": ScanResult.UNKNOWN.value, "code": code, "waybill": None, "customer": None,
        "channel": None, "unknown_parcel": parcel.pk, "problem": parcel.problem_id,
        "reason": ProblemReason.NO_FORECAST.value, "measured_weight_g": weight_g,
        "sort_key": None, "bag": None, "first_scan": made,
        "message": _("No forecast: %(code)s is kept as an unknown parcel for customer "
                     "service.") % {"code": code},
    }  # fmt: skip


def _base(w: Waybill, before: dict | None = None) -> dict:
    """The answer's waybill part; ``before``: the same waybill's part earlier in this scan,
    whose sort key and bag still hold when the channel did not change."""
    if before is not None and before["channel"] == w.channel.code:
        key, bag = before["sort_key"], before["bag"]
    else:
        key = waybill_sort_key(w)
        bag = bag_for(key)
    return {
        "waybill": w.number, "customer": w.customer.code, "channel": w.channel.code,
        "status": w.status, "pieces": w.pieces, "piece": None, "pieces_in": 0,
        "forecast_weight_g": w.forecast_weight_g, "measured_weight_g": w.measured_weight_g,
        "chargeable_weight_g": w.chargeable_weight_g, "price": None,
        "weight_difference": None, "reason": None, "sort_key": key, "bag": bag,
    }  # fmt: skip


def _pick(w: Waybill, seq: int | None, have: set[int]) -> int | None:
    if seq is not None:
        if seq > w.pieces:
            raise ValidationFailed(
                f"Waybill {w.number} has {w.pieces} piece(s), not {seq}", code="invalid_piece",
                details={"pieces": w.pieces, "piece": seq},
            )  # fmt: skip
        return seq
    if w.pieces == 1:
        return 1
    missing = [s for s in range(1, w.pieces + 1) if s not in have]
    return missing[0] if missing else None


def _scan_locked(actor, w, seq, station, weight_g, sides, channel) -> dict:
    out = _base(w)
    held = holds.hold_of(w)
    if held is not None:
        out.update(result=ScanResult.HELD.value, reason=held["reason"], note=held["note"],
                   message=_("HELD: do not ship %(number)s. %(note)s")
                   % {"number": w.number, "note": held["note"]})  # fmt: skip
        return out
    if w.status == WaybillStatus.CANCELLED:
        raise Conflict(f"Waybill {w.number} was cancelled by the customer",
                       code="waybill_cancelled", details={"number": w.number})  # fmt: skip
    # a parcel of one piece not yet received has no piece in (its piece and its receipt are
    # written together): nothing to read
    single_new = w.pieces == 1 and w.status == WaybillStatus.CREATED
    rows = [] if single_new else list(InboundPiece.objects.filter(waybill=w).order_by("seq"))
    have = {r.seq for r in rows}
    seq = _pick(w, seq, have)
    out["pieces_in"] = len(have)
    if seq is None or seq in have or w.status != WaybillStatus.CREATED:
        out.update(result=ScanResult.ALREADY_IN.value, piece=seq,
                   message=_("Already in: %(number)s") % {"number": w.number})  # fmt: skip
        return out
    out["piece"] = seq
    this = InboundPiece(waybill=w, seq=seq, station=station, weight_g=weight_g,
                        length_mm=sides[0], width_mm=sides[1], height_mm=sides[2],
                        scanned_by=actor)  # fmt: skip
    if len(rows) + 1 < w.pieces:
        _save_piece(this)
        out.update(result=ScanResult.PIECE_IN.value, pieces_in=len(rows) + 1,
                   message=_("Piece %(seq)s of %(n)s in: %(number)s")
                   % {"seq": seq, "n": w.pieces, "number": w.number})  # fmt: skip
        return out
    return _receive(actor, w, [*rows, this], station, channel, out)


def _save_piece(row: InboundPiece) -> None:
    try:
        with transaction.atomic():
            insert(row)
    except IntegrityError:  # the row lock makes this rare; the unique piece is the last word
        raise Conflict("This piece was scanned in a moment ago", code="piece_already_in") from None


def _receive(actor, w, rows: list[InboundPiece], station: str, channel: str, out: dict) -> dict:
    measured = [PieceInput(r.weight_g, r.length_mm, r.width_mm, r.height_mm)
                for r in sorted(rows, key=lambda r: r.seq)]  # fmt: skip
    total = sum(r.weight_g for r in rows)
    offer = waybills.measured_offer(w, measured)
    forecast_channel = w.channel.code
    problem_reason = None
    if not offer.ok or (channel and channel != w.channel.code):
        decided = _channel_change(actor, w, measured, channel, offer, out)
        if decided is None:  # prompt: the operator picks a channel, nothing is written
            return out
        offer, problem_reason = decided
    before = {"chargeable": w.chargeable_weight_g, "price": w.sale_amount,
              "currency": w.sale_currency}  # fmt: skip
    _save_piece(rows[-1])
    stage = CHANNEL_CHANGE if w.channel.code != forecast_channel else ACTUAL
    waybills.receive(actor, w, weight_g=total, pieces=measured, location=station,
                     offer=offer if offer.ok else None, fee_stage=stage)  # fmt: skip
    out.update(_base(w, out), piece=out["piece"], pieces_in=len(rows))
    if w.sale_amount != before["price"]:
        delta = (w.sale_amount or Decimal(0)) - (before["price"] or Decimal(0))
        cur = w.sale_currency
        out["price"] = {"before": money_text(before["price"], before["currency"] or cur),
                        "after": money_text(w.sale_amount, cur),
                        "delta": money_text(delta, cur), "currency": cur}  # fmt: skip
    diff = tolerance.weight_difference(w, before["chargeable"])
    out["weight_difference"] = diff
    if problem_reason is not None:
        open_problem(actor, w, problem_reason, _channel_note(w, offer))
    elif diff is not None and config.weight_difference_mode() == config.PROBLEM:
        problem_reason = ProblemReason.WEIGHT_DIFFERENCE
        note = f"chargeable {diff['forecast_chargeable_g']} g -> {diff['chargeable_g']} g"
        open_problem(actor, w, problem_reason, note)
    held = holds.check_receipt(actor, w)  # the customer's balance and credit (finance)
    if held is not None:
        out.update(status=w.status, result=ScanResult.HELD.value, reason=held["reason"],
                   note=held["note"], message=_("HELD: do not ship %(number)s. %(note)s")
                   % {"number": w.number, "note": held["note"]})  # fmt: skip
    elif problem_reason is not None:
        out.update(result=ScanResult.PROBLEM.value, reason=str(problem_reason),
                   message=_("Problem (%(reason)s): %(number)s goes to the problem shelf")
                   % {"reason": _reason_text(problem_reason), "number": w.number})  # fmt: skip
    else:
        out.update(result=ScanResult.OK.value,
                   message=_("Received: %(number)s → %(key)s")
                   % {"number": w.number, "key": out["sort_key"]})  # fmt: skip
    return out


def _reason_text(reason) -> str:
    return str(ProblemReason(reason).label)


def _channel_note(w, offer) -> str:
    refusals = "; ".join(r["message"] for r in offer.reasons) if not offer.ok else ""
    return f"{w.channel.code} refuses the parcel as measured: {refusals}"[:500]


def _channel_change(actor, w, measured, channel: str, offer, out: dict):
    """``(offer to receive on, problem reason or None)``, or None for a prompt (``out`` then
    lists the accepting channels)."""
    offers = waybills.measured_offers(w, measured)
    accepting = [o for o in offers if o.ok]
    if channel:
        chosen = next((o for o in accepting if o.channel_code == channel), None)
        if chosen is None:
            raise ValidationFailed(
                f"Channel {channel} does not take this parcel", code="channel_refuses_parcel",
                details={"channel": channel, "accepting": [o.channel_code for o in accepting]},
            )  # fmt: skip
        switch_channel(actor, w, chosen.channel_code)
        return chosen, None
    mode = config.channel_change_mode()
    if mode == config.CHEAPEST and accepting:
        switch_channel(actor, w, accepting[0].channel_code)
        return accepting[0], None
    if mode == config.PROMPT and accepting:
        out.update(
            result=ScanResult.PROBLEM.value, reason=ProblemReason.CHANNEL_CHANGE.value,
            received=False, channels=[offer_dict(o) for o in accepting],
            refusals=offer.reasons,
            message=_("%(channel)s refuses %(number)s as measured: pick another channel")
            % {"channel": w.channel.code, "number": w.number},
        )  # fmt: skip
        return None
    # problem mode, or no channel of the customer's takes it: received, for the queue
    return offer, ProblemReason.CHANNEL_CHANGE
