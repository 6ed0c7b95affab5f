"""Country codes, checked with pycountry (ISO 3166-1 alpha-2)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from .errors import ValidationFailed


@lru_cache(maxsize=512)
def check_country(code: str) -> str:
    """Return the upper-cased alpha-2 code, accepting alpha-3 too; raise ValidationFailed."""
    raw = (code or "").strip().upper()
    country = None
    if len(raw) == 2:
        country = pycountry.countries.get(alpha_2=raw)
    elif len(raw) == 3:
        country = pycountry.countries.get(alpha_3=raw)
    if raw == "UK":  # the common mistake; ISO says GB
        country = pycountry.countries.get(alpha_2="GB")
    if country is None:
        raise ValidationFailed(f"Unknown country code {code!r}", code="invalid_country")
    return country.alpha_2


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


# The EU's 27 member states: "EU" as a destination (rules, customs thresholds) means these.
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


def in_destination(country: str, destination: str) -> bool:
    """A destination code is a country, or EU for the member states."""
    return country == destination or (destination == "EU" and country in EU_MEMBERS)
