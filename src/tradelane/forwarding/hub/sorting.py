"""Sorting (分拣): which bag or cage a parcel goes to. A bag is opened for one channel and one
destination country; the parcel's sort key is the same pair, so the scan screen can name the
bag and the bag scan can refuse a parcel that does not belong in it."""

from __future__ import annotations


def sort_key(channel_code: str, country: str) -> str:
    """``CHANNEL/CC``: the channel's code and the consignee's ISO country."""
    return f"{channel_code}/{country.upper()}"


def waybill_sort_key(waybill) -> str:
    return sort_key(waybill.channel.code, waybill.consignee_country)
