#!/usr/bin/env python
"""ECCANG-compatible ``createOrder`` under a steady rate, for benchmarks/provider.py: the
SOAP bodies ERP carrier adapters send (``order``, ``body``), POSTed at ``rate`` per second from
a process of its own by ``open_loop`` (open loop, a new connection per call, as the adapters
make them; see there for what is measured).

Run alone: ``python eccang_load.py URL TOKEN KEY N RATE PREFIX``.
"""

from __future__ import annotations

import json
import re

import open_loop

ASK_SUCCESS = re.compile(r'ask(?:"|&quot;)\s*:\s*(?:"|&quot;)Success')
SOAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ns1="http://www.example.org/Ec/"><SOAP-ENV:Body><ns1:callService>'
    "<paramsJson>{params}</paramsJson><appToken>{token}</appToken><appKey>{key}</appKey>"
    "<service>createOrder</service></ns1:callService></SOAP-ENV:Body></SOAP-ENV:Envelope>"
)


def order(reference: str, i: int) -> dict:
    return {
        "reference_no": reference, "shipping_method": "B-USLINE", "country_code": "US",
        "order_weight": round(0.3 + (i % 15) / 10, 3), "order_pieces": "1", "mail_cargo_type": 4,
        "Consignee": {
            "consignee_street": "350 Fifth Avenue", "consignee_name": f"Jane Doe {i}",
            "consignee_telephone": f"+1 212 736 {i % 10000:04d}", "consignee_postcode": "10118",
            "consignee_province": "NY", "consignee_city": "New York",
        },
        "Shipper": {
            "shipper_countrycode": "CN", "shipper_province": "GUANGDONG",
            "shipper_city": "SHENZHEN", "shipper_street": "Pinghu 55", "shipper_postcode": "518000",
            "shipper_name": "Push Co", "shipper_telephone": "13800138000",
        },
        "ItemArr": [{"invoice_cnname": "棉T恤", "invoice_enname": "Cotton T-shirt",
                     "invoice_weight": 0.3, "invoice_quantity": "2", "invoice_unitcharge": 6.5,
                     "hs_code": "610910"}],
        "Volume": [{"length": 25, "width": 18, "height": 6, "weight": 0.6}],
    }  # fmt: skip


def body(reference: str, i: int, token: str, key: str) -> bytes:
    params = json.dumps(order(reference, i), ensure_ascii=False, separators=(",", ":"))
    params = params.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return SOAP.format(params=params, token=token, key=key).encode()


def run_load(env: dict, url: str, token: str, key: str, n: int, rate: float, prefix: str) -> dict:
    """``n`` createOrder calls at ``rate``/s from another process (``open_loop``)."""
    return open_loop.run_load(env, spec(url, token, key, n, rate, prefix))


def spec(url: str, token: str, key: str, n: int, rate: float, prefix: str) -> dict:
    return {
        "url": url, "rate": rate, "ok": ASK_SUCCESS.pattern,
        "headers": {"Content-Type": "text/xml; charset=utf-8"},
        "bodies": [body(f"{prefix}{i:07d}", i, token, key).decode() for i in range(n)],
    }  # fmt: skip


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="e.g. http://127.0.0.1:8000/default/svc/web-service")
    parser.add_argument("token", help="the ECCANG appToken")
    parser.add_argument("key", help="the ECCANG appKey")
    parser.add_argument("n", type=int, help="createOrder calls")
    parser.add_argument("rate", type=float, help="calls per second (open loop)")
    parser.add_argument("prefix", help="reference_no prefix (each call's own reference)")
    args = parser.parse_args(argv)
    found = open_loop.load(spec(args.url, args.token, args.key, args.n, args.rate, args.prefix))
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
