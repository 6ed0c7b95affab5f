"""Sorting (分拣): which bag or cage a parcel goes to. A bag is opened for one channel and one
destination country; the parcel's sort key is the same pair, so the scan screen can name the
bag and the bag scan can refuse a parcel that does not belong in it."""

from __future__ import annotations

from collections.abc import Callable

# the open bag of a sort key, by its label id: outbound (a layer above the hub) registers it
# at start-up (forwarding.apps), so the inbound scan can name the bag without importing it
_bag_finder: Callable[[str], str | None] | None = None


def register_bag_finder(finder: Callable[[str], str | None]) -> None:
    global _bag_finder
    _bag_finder = finder


def bag_for(key: str | None) -> str | None:
    """The open bag (its label id) a parcel of sort key ``key`` goes into, if one is open."""
    if not key or _bag_finder is None:
        return None
    return _bag_finder(key)


def sort_key(channel_code: str, country: str) -> str:
    """``CHANNEL/CC``: the channel's code and the consignee's ISO country."""
    return f"{channel_code}/{country.upper()}"


def waybill_sort_key(waybill) -> str:
    return sort_key(waybill.channel.code, waybill.consignee_country)
