#!/usr/bin/env python
"""karrio's generic (custom carrier) rate sheets, for comparison with our rate engine. JSON.

    python benchmarks/karrio_bench.py [--channels 50] [--zones 200] [--brackets 20] [--n 200]

``run(parcels, n)`` builds one karrio "generic" carrier connection whose ``services`` are
``--channels`` ``ServiceLevel``s (karrio's unit for one priced service), each with the same
zone layout as ``benchmarks/rating.py`` (``zones_for``: by country, postcode prefix, postcode
range, city) times ``--brackets`` weight brackets (karrio: one ``ServiceZone`` per zone and
bracket, with ``min_weight``/``max_weight`` in kg and a flat ``rate``). It then times ``n``
``karrio.sdk.Rating.fetch(...).from_(gateway).parse()`` calls over the given parcels (cycled)
and reports ``karrio_quotes_per_s``: service quotes returned per second (like ``quotes_per_s``
in rating.py, one quote = one channel's price for one parcel).

As close as karrio allows, not equal: karrio's generic sheets have no volumetric weight, no
first/continued weight, no per-kg pricing, no fuel history and no remote-area lists, so every
bracket is a plain flat price by actual weight. karrio matches postal codes exactly (no prefix,
no range): prefix and range zones are listed as the exact postcodes of the benchmark's parcels
that fall in them, so they match the same parcels as in rating.py.

Baseline, in the same run on the same machine: the same service zones matched by a plain
Python loop (for each service, the first zone whose country, postcode list, city list and
weight bracket hold the parcel gives its flat price), over the same parcels:
``baseline_quotes_per_s``; ``karrio_quotes_vs_baseline`` = karrio's quotes per second / the
loop's, a ratio that travels between machines.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _karrio():
    import logging

    from tradelane.integrations.carriers import karrio_tls  # restores TLS checks

    try:  # karrio logs through loguru at INFO: silence it for timing
        from loguru import logger

        logger.remove()
    except Exception:
        logging.getLogger("karrio").setLevel(logging.WARNING)
    return karrio_tls


def _service_zones(models, zones, parcels, brackets: int, rnd: random.Random) -> list:
    out = []
    for z in zones:
        rule = z.rules[0]
        where: dict = {"country_codes": [rule.country]}
        if rule.city:
            where["cities"] = [rule.city]
        elif rule.postcode_prefix or rule.postcode_from:
            codes = sorted({
                p.postcode for p in parcels
                if p.country == rule.country and p.postcode and (
                    p.postcode.startswith(rule.postcode_prefix) if rule.postcode_prefix
                    else rule.postcode_from <= p.postcode <= rule.postcode_to)
            })  # fmt: skip
            where["postal_codes"] = codes or [f"{rule.postcode_prefix or rule.postcode_from}"]
        base = rnd.randint(40, 160)
        lower = 0.0
        for i in range(brackets):
            upper = (i + 1) * 0.5 if i < brackets - 3 else [10.0, 20.0, 30.0][i - (brackets - 3)]
            upper = max(upper, lower + 0.5)
            out.append(models.ServiceZone(
                label=z.name, rate=round(base + 9.5 * i, 2), min_weight=lower,
                max_weight=upper, transit_days=5, **where,
            ))  # fmt: skip
            lower = upper
    return out


def build_gateway(parcels, channels: int = 50, zones: int = 200, brackets: int = 20, seed: int = 7):
    from rating import zones_for  # the same zone layout as our engine's benchmark

    k = _karrio()
    rnd = random.Random(seed)
    services = []
    for c in range(channels):
        services.append(k.models.ServiceLevel(
            service_name=f"Channel {c}", service_code=f"tl_channel_{c}", currency="CNY",
            weight_unit="KG", dimension_unit="CM", domicile=False, international=True,
            zones=_service_zones(k.models, zones_for(zones, rnd), parcels, brackets, rnd),
        ))  # fmt: skip
    settings = dict(display_name="Tradelane bench", custom_carrier_name="tl_bench",
                    account_country_code="CN", services=services)  # fmt: skip
    return k, k.sdk.gateway["generic"].create(settings)


def _request(k, parcel, services: list[str]):
    m = k.models
    return m.RateRequest(
        shipper=m.Address(country_code="CN", city="Shenzhen", postal_code="518000"),
        recipient=m.Address(country_code=parcel.country, postal_code=parcel.postcode or None,
                            city=parcel.city or None),  # fmt: skip
        parcels=[m.Parcel(weight=max(parcel.weight_g, 1) / 1000, weight_unit="KG",
                          length=parcel.length_mm / 10 or None, width=parcel.width_mm / 10 or None,
                          height=parcel.height_mm / 10 or None, dimension_unit="CM")],
        services=services,
    )  # fmt: skip


def _baseline(services, parcels, n: int) -> tuple[int, float]:
    """The plain loop over the same zones: (quotes, seconds) for ``n`` parcels (cycled)."""
    tables = [
        [(tuple(z.country_codes or ()), tuple(z.postal_codes or ()), tuple(z.cities or ()),
          z.min_weight or 0.0, z.max_weight, z.rate) for z in s.zones]
        for s in services
    ]  # fmt: skip
    quotes = 0
    start = time.perf_counter()
    for i in range(n):
        p = parcels[i % len(parcels)]
        kg = max(p.weight_g, 1) / 1000
        for table in tables:
            for countries, postcodes, cities, low, high, _rate in table:
                if (
                    p.country in countries
                    and (not postcodes or p.postcode in postcodes)
                    and (not cities or p.city in cities)
                    and low <= kg <= high
                ):
                    quotes += 1
                    break
    return quotes, time.perf_counter() - start


def run(parcels, n: int, channels: int = 50, zones: int = 200, brackets: int = 20) -> dict:
    """Rate ``n`` requests (parcels cycled) through karrio-generic; quotes per second."""
    t0 = time.perf_counter()
    k, gateway = build_gateway(parcels, channels, zones, brackets)
    build_s = time.perf_counter() - t0
    codes = [f"tl_channel_{c}" for c in range(channels)]
    requests = [_request(k, parcels[i % len(parcels)], codes) for i in range(n)]
    quotes = 0
    start = time.perf_counter()
    for req in requests:
        rates, _ = k.sdk.Rating.fetch(req).from_(gateway).parse()
        quotes += len(rates)
    elapsed = time.perf_counter() - start
    base_quotes, base_s = _baseline(gateway.settings.services, parcels, n)
    karrio_rate = quotes / elapsed if elapsed else 0.0
    base_rate = base_quotes / base_s if base_s else 0.0
    return {
        "karrio_quotes_per_s": round(karrio_rate, 1),
        "karrio_quotes_vs_baseline": round(karrio_rate / base_rate, 4) if base_rate else None,
        "baseline_quotes_per_s": round(base_rate, 1),
        "baseline_quotes": base_quotes,
        "karrio_requests_per_s": round(n / elapsed, 2) if elapsed else 0.0,
        "karrio_quotes": quotes,
        "karrio_requests": n,
        "karrio_setup": {
            "channels": channels,
            "zones": zones,
            "brackets": brackets,
            "service_zones": channels * zones * brackets,
            "build_s": round(build_s, 2),
        },  # fmt: skip
    }


def main(argv=None) -> None:
    from rating import PARCEL, mixed_parcels  # noqa: F401

    from tradelane.logistics.rates.chargeable import Parcel

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--channels", type=int, default=50)
    p.add_argument("--zones", type=int, default=200)
    p.add_argument("--brackets", type=int, default=20)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--mixed", action="store_true", help="1,000 seeded mixed parcels")
    args = p.parse_args(argv)
    parcels = mixed_parcels(random.Random(1)) if args.mixed else [Parcel(**PARCEL)]
    result = run(parcels, args.n, args.channels, args.zones, args.brackets)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
