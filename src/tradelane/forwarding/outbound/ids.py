"""Bag and dispatch identifiers: the UPU S9 receptacle id, the provider's own numbers, and
the master air waybill's check digit.

An S9 receptacle id is 29 characters: the 20-character S8 dispatch id (origin office of
exchange 6, destination office of exchange 6, mail category 1, mail subclass 2, last digit of
the year 1, dispatch serial 4), then the receptacle serial 3, the highest-receptacle (last
bag of the dispatch) flag 1, the registered/insured flag 1 and the gross weight 4, in
hectograms (units of 100 g, rounded half up, at least 1: ``0123`` is 12.3 kg). The weight
makes the id final only when the bag is sealed.

A MAWB number is a 3-digit airline prefix and an 8-digit serial whose last digit is the first
seven taken modulo 7 (``176-12345675``: 1234567 mod 7 = 5).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tradelane.core.errors import ValidationFailed

from .models import OutboundSeries

S8_LENGTH = 20
S9_LENGTH = 29
MAX_HECTOGRAMS = 9999
OFFICE = re.compile(r"^[A-Z]{2}[A-Z0-9]{4}$")
SUBCLASS = re.compile(r"^[A-Z0-9]{2}$")
MAWB = re.compile(r"^(\d{3})-?(\d{8})$")
BAG_PREFIX, DISPATCH_PREFIX = "BG", "DP"


def hectograms(weight_g: int) -> int:
    """The S9 weight field: grams to hectograms, half up, at least 1."""
    hg = max(1, (weight_g + 50) // 100)
    if hg > MAX_HECTOGRAMS:
        raise ValidationFailed(
            f"{weight_g} g is more than a receptacle id can carry (999.9 kg)",
            code="bag_too_heavy", details={"weight_g": weight_g},
        )  # fmt: skip
    return hg


def s8_dispatch_id(
    origin_office: str, destination_office: str, category: str, subclass: str, year: int,
    serial: int,
) -> str:  # fmt: skip
    """The 20-character S8 dispatch identifier."""
    for office in (origin_office, destination_office):
        if not OFFICE.match(office):
            raise ValidationFailed(f"{office!r} is not an office of exchange (6 characters)",
                                   code="invalid_office_of_exchange")  # fmt: skip
    if category not in "ABCD" or len(category) != 1:
        raise ValidationFailed(f"Unknown mail category {category!r}", code="invalid_mail_class")
    if not SUBCLASS.match(subclass):
        raise ValidationFailed(f"Unknown mail subclass {subclass!r}", code="invalid_mail_class")
    if not 1 <= serial <= 9999:
        raise ValidationFailed(f"Dispatch serial {serial} is out of 1-9999",
                               code="invalid_dispatch_serial")  # fmt: skip
    out = f"{origin_office}{destination_office}{category}{subclass}{year % 10}{serial:04d}"
    assert len(out) == S8_LENGTH
    return out


def s9_receptacle_id(
    s8: str, receptacle: int, *, last: bool, registered_flag: str, weight_g: int
) -> str:
    """The 29-character S9 receptacle identifier of a bag in dispatch ``s8``."""
    if len(s8) != S8_LENGTH:
        raise ValidationFailed(f"{s8!r} is not an S8 dispatch id", code="invalid_dispatch_id")
    if not 1 <= receptacle <= 999:
        raise ValidationFailed(f"Receptacle serial {receptacle} is out of 1-999",
                               code="invalid_receptacle_serial")  # fmt: skip
    if registered_flag not in ("0", "1", "9"):
        raise ValidationFailed(f"Registered flag {registered_flag!r} is not 0, 1 or 9",
                               code="invalid_mail_class")  # fmt: skip
    out = f"{s8}{receptacle:03d}{int(last)}{registered_flag}{hectograms(weight_g):04d}"
    assert len(out) == S9_LENGTH
    return out


def parse_s9(receptacle_id: str) -> dict:
    """The fields of an S9 id (for labels and the CN 38)."""
    r = receptacle_id
    if len(r) != S9_LENGTH:
        raise ValidationFailed(f"{r!r} is not a 29-character receptacle id", code="invalid_s9")
    return {
        "origin_office": r[0:6], "destination_office": r[6:12], "category": r[12],
        "subclass": r[13:15], "year": r[15], "dispatch_serial": int(r[16:20]),
        "dispatch_id": r[:20], "receptacle": int(r[20:23]), "last": r[23] == "1",
        "registered": r[24], "weight_g": int(r[25:29]) * 100,
    }  # fmt: skip


def normalise_mawb(value: str) -> str:
    """``176-12345675`` from ``17612345675`` or ``176-12345675``; refuses a wrong check digit."""
    m = MAWB.match((value or "").strip().replace(" ", ""))
    if not m:
        raise ValidationFailed(f"{value!r} is not a MAWB number (3-digit prefix, 8 digits)",
                               code="invalid_mawb")  # fmt: skip
    prefix, serial = m.groups()
    if int(serial[:7]) % 7 != int(serial[7]):
        raise ValidationFailed(
            f"MAWB {prefix}-{serial}: the check digit should be {int(serial[:7]) % 7}",
            code="invalid_mawb_check_digit",
            details={"expected": int(serial[:7]) % 7, "got": int(serial[7])},
        )  # fmt: skip
    return f"{prefix}-{serial}"


def take_serial(prefix: str, on: dt.date | None = None) -> int:
    """The next serial of ``prefix`` for the day, in the caller's transaction."""
    day = on or timezone.localdate()
    with transaction.atomic():
        series, _ = OutboundSeries.objects.get_or_create(prefix=prefix, day=day)
        OutboundSeries.objects.filter(pk=series.pk).update(next_serial=F("next_serial") + 1)
        end = OutboundSeries.objects.values_list("next_serial", flat=True).get(pk=series.pk)
    return end - 1


def own_number(prefix: str, on: dt.date | None = None) -> str:
    """``BG261204`` + 5 digits (bags) or ``DP261204`` + 5 digits (dispatches)."""
    day = on or timezone.localdate()
    return f"{prefix}{day.strftime('%y%m%d')}{take_serial(prefix, day):05d}"
