"""Bag and dispatch states (``core.states.transition``): a bag is open, then sealed (封袋),
then dispatched with its dispatch; a dispatch is open until it is handed over (交接)."""

from __future__ import annotations

from .models import BagStatus as B
from .models import DispatchStatus as D

BAG_TRANSITIONS: dict[str, set[str]] = {
    B.OPEN: {B.SEALED},
    B.SEALED: {B.DISPATCHED},
    B.DISPATCHED: set(),
}
DISPATCH_TRANSITIONS: dict[str, set[str]] = {D.OPEN: {D.HANDED_OVER}, D.HANDED_OVER: set()}
