"""A provider (``forwarding.tests.factories``) whose customers ACME and BOLT each have ECCANG
and Hualei credentials, and builders of the requests seller ERPs send, byte for byte in the
shapes public client code sends (sources named beside each builder)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import unquote_to_bytes

import pytest

from tradelane.forwarding.tests.factories import provider

from .. import services
from ..models import Vendor

# The SOAP call as ECCANG TMS documents it and PHP clients write it out by hand: a
# callService with paramsJson, appToken, appKey and service, namespace
# http://www.example.org/Ec/ (ECCANG's documentation pages of forwarders on its TMS, e.g.
# http://new.hh-exp.com:8181/docs/mindoc/createOrder, and the PHP SoapClient calls of
# yiier/yii2-cross-border-express src/platforms/EccangPlatform.php, which send the same four
# fields with paramsJson as json_encode's text).
SOAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ns1="http://www.example.org/Ec/">\n'
    "    <SOAP-ENV:Body>\n"
    "        <ns1:callService>\n"
    "            <paramsJson>{params}</paramsJson>\n"
    "            <appToken>{token}</appToken>\n"
    "            <appKey>{key}</appKey>\n"
    "            <service>{service}</service>\n"
    "        </ns1:callService>\n"
    "    </SOAP-ENV:Body>\n"
    "</SOAP-ENV:Envelope>"
)


def php_json(data) -> str:
    """PHP's json_encode($x, JSON_UNESCAPED_UNICODE): no spaces, "/" escaped, Chinese kept."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Eccang:
    def __init__(self, client, token: str, key: str):
        self.client, self.token, self.key = client, token, key

    def body(self, service: str, params, *, token=None, key=None) -> bytes:
        text = params if isinstance(params, str) else php_json(params)
        return SOAP.format(params=xml_text(text), token=token or self.token,
                           key=key or self.key, service=service).encode()  # fmt: skip

    def raw(self, body: bytes):
        return self.client.post("/default/svc/web-service", data=body,
                                content_type="text/xml; charset=utf-8")  # fmt: skip

    def call(self, service: str, params=None, **kw) -> dict:
        response = self.raw(self.body(service, params if params is not None else {}, **kw))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        return envelope(response.content)


def envelope(xml: bytes) -> dict:
    """What a client reads: the JSON inside callServiceResponse/response (PHP clients take it
    with preg_match('#<response>(.*?)</response>#s') and json_decode)."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(xml)
    (node,) = [el for el in root.iter() if el.tag == "response"]
    return json.loads(node.text)


def hualei_message(value: str) -> str:
    """A Hualei message as clients read it: urldecode, then GBK to text."""
    return unquote_to_bytes(value).decode("gbk")


def gbk_json(response):
    assert response["Content-Type"] == "text/plain; charset=GBK"
    return json.loads(response.content.decode("gbk"))


@pytest.fixture
def world(db, client):
    p = provider()
    ecc_acme, key_acme = services.issue(p.sales1, vendor=Vendor.ECCANG, user=p.acme_user)
    ecc_bolt, key_bolt = services.issue(p.admin, vendor=Vendor.ECCANG, user=p.bolt_user)
    hl_acme, pw_acme = services.issue(p.sales1, vendor=Vendor.HUALEI, user=p.acme_user,
                                      username="acme-erp")  # fmt: skip
    hl_bolt, pw_bolt = services.issue(p.admin, vendor=Vendor.HUALEI, user=p.bolt_user,
                                      username="bolt-erp")  # fmt: skip
    return SimpleNamespace(
        p=p, client=client,
        acme=Eccang(client, ecc_acme.identifier, key_acme),
        bolt=Eccang(client, ecc_bolt.identifier, key_bolt),
        hl_acme=hl_acme, pw_acme=pw_acme, hl_bolt=hl_bolt, pw_bolt=pw_bolt,
    )  # fmt: skip
