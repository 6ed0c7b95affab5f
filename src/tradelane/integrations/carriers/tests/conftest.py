from __future__ import annotations

from dataclasses import dataclass

import pytest

from tradelane.core.money import Money
from tradelane.integrations.carriers import client
from tradelane.integrations.carriers.fakes.base import FakeCarrier
from tradelane.integrations.carriers.fakes.fedex import FakeFedEx
from tradelane.integrations.carriers.fakes.mydhl import FakeMyDHL
from tradelane.integrations.carriers.fakes.ups import FakeUPS
from tradelane.integrations.carriers.fakes.usps_international import FakeUSPSInternational
from tradelane.integrations.carriers.gateway import KarrioGateway
from tradelane.logistics.carriers import contract as g


@dataclass
class Setup:
    carrier: str
    fake: FakeCarrier
    account: g.Account
    gateway: KarrioGateway
    sleeps: list[float]
    service: str
    rate_path: str
    ship_path: str
    shipper: g.PartyAddress
    recipient: g.PartyAddress

    def bad_account(self) -> g.Account:
        creds = {k: (v + "-wrong" if "secret" in k or k == "password" else v)
                 for k, v in self.account.credentials.items()}  # fmt: skip
        return g.Account("bad", self.carrier, creds, base_url=self.fake.url)

    def rate_request(self) -> g.RateRequest:
        return g.RateRequest("", self.shipper, self.recipient, (g.PieceSpec(1200, 300, 200, 100),))

    def label_request(self, key: str = "SH2611300001-1") -> g.LabelRequest:
        return g.LabelRequest(
            idempotency_key=key,
            service_code=self.service,
            shipper=self.shipper,
            recipient=self.recipient,
            pieces=(g.PieceSpec(1200, 300, 200, 100),),
            reference="SO-1001",
            lines=(g.CustomsLine("Cotton T-shirt", 2, Money.of("12.50", "USD"), 300, "610910"),),
            declared_value=Money.of("25.00", "USD"),
        )


CN = g.PartyAddress("Li Lei", "1 Keji Rd", "Shenzhen", "CN", "518000", phone="13800000000",
                    email="ship@example.com", company="Shenzhen Trading")  # fmt: skip
US = g.PartyAddress("John Doe", "5 Main St", "New York", "US", "10001", state="NY",
                    phone="2125550100", email="john@example.com")  # fmt: skip
US_WEST = g.PartyAddress(
    "Amy Lee",
    "100 Spring St",
    "Los Angeles",
    "US",
    "90001",
    state="CA",
    phone="2135550100",
    email="amy@example.com",
    company="LA Outlet",
)
CA = g.PartyAddress("Jane Roe", "20 King St W", "Toronto", "CA", "M5V 2T6", state="ON",
                    phone="4165550100", email="jane@example.com")  # fmt: skip

CARRIERS = {
    "dhl_express": (FakeMyDHL, {"username": "dhl-api-key", "password": "dhl-api-secret",
                                "account_number": "630000000"},
                    "mydhl_express_worldwide", "/rates", "/shipments", CN, US),
    "fedex": (FakeFedEx, {"api_key": "fx-key", "secret_key": "fx-secret",
                          "account_number": "740561073"},
              "fedex_international_priority", "/rate/", "/ship/v1/shipments", CN, US),
    "ups": (FakeUPS, {"client_id": "ups-id", "client_secret": "ups-secret",
                      "account_number": "A1B2C3"},
            "ups_worldwide_saver", "/api/rating/", "/ship", CN, US),
    "usps_international": (FakeUSPSInternational, {
        "client_id": "usps-id", "client_secret": "usps-secret", "account_number": "1000405525",
        "MID": "900000001", "CRID": "56982563"},
        "usps_priority_mail_international", "/options/search", "/international-label",
        US_WEST, CA),
}  # fmt: skip


@pytest.fixture(params=sorted(CARRIERS))
def carrier(request) -> Setup:
    return _setup(request.param)


def _setup(name: str) -> Setup:
    fake_cls, creds, service, rate_path, ship_path, shipper, recipient = CARRIERS[name]
    fake = fake_cls(creds).start()
    sleeps: list[float] = []

    def policy() -> client.Policy:
        return client.Policy(connect_timeout=2, read_timeout=0.5, sleep=sleeps.append,
                             jitter=lambda: 0.5)  # fmt: skip

    account = g.Account(f"{name}-test", name, dict(creds), base_url=fake.url)
    setup = Setup(name, fake, account, KarrioGateway(name, policy_factory=policy), sleeps,
                  service, rate_path, ship_path, shipper, recipient)  # fmt: skip
    _live.append(fake)
    return setup


_live: list[FakeCarrier] = []


@pytest.fixture(autouse=True)
def _stop_fakes():
    yield
    while _live:
        _live.pop().stop()
