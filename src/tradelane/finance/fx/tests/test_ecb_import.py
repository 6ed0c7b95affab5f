"""The ECB import: its files as published, idempotent, and a bad file writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tradelane.core.errors import ValidationFailed
from tradelane.core.models import AuditLog, FxRate

from .. import ecb, services
from .ecb_files import HEAD, TAIL, eurofxref

DAYS = {
    "2026-12-04": {"USD": "1.0541", "CNY": "7.6543", "JPY": "162.47"},
    "2026-12-03": {"USD": "1.0500", "CNY": "7.6000", "JPY": "160.00"},
}


def test_parse_reads_every_fixing_oldest_first():
    fixings = ecb.parse(eurofxref(DAYS))
    assert [f.date for f in fixings] == [dt.date(2026, 12, 3), dt.date(2026, 12, 4)]
    assert fixings[1].rates == {"USD": D("1.0541"), "CNY": D("7.6543"), "JPY": D("162.47")}


def test_the_shipped_file_is_a_90_day_history_of_29_currencies():
    fixings = ecb.parse(services.SHIPPED_FILE.read_bytes())
    assert len(fixings) == 65
    assert (fixings[0].date, fixings[-1].date) == (dt.date(2026, 9, 7), dt.date(2026, 12, 4))
    assert all(f.date.weekday() < 5 for f in fixings)
    assert all(len(f.rates) == 29 for f in fixings)
    assert {"CNY", "USD", "GBP", "JPY", "HKD", "AUD", "CAD", "CHF"} <= set(fixings[-1].rates)
    assert (fixings[-1].rates["USD"], fixings[-1].rates["CNY"]) == (D("1.0541"), D("7.6543"))


@pytest.mark.django_db
def test_import_is_idempotent_and_reports_each_day():
    first = services.import_ecb_rates(eurofxref(DAYS))
    assert (first.added, first.unchanged, first.corrected) == (6, 0, 0)
    assert first.days == [(dt.date(2026, 12, 3), 3, 0, 0), (dt.date(2026, 12, 4), 3, 0, 0)]
    rows = sorted(FxRate.objects.values_list("base", "quote", "date", "rate", "source"))
    audits = AuditLog.objects.count()

    again = services.import_ecb_rates(eurofxref(DAYS))
    assert (again.added, again.unchanged, again.corrected) == (0, 6, 0)
    assert sorted(FxRate.objects.values_list("base", "quote", "date", "rate", "source")) == rows
    assert AuditLog.objects.count() == audits  # nothing happened, nothing recorded

    corrected = dict(DAYS, **{"2026-12-04": {**DAYS["2026-12-04"], "USD": "1.0542"}})
    fixed = services.import_ecb_rates(eurofxref(corrected))
    assert (fixed.added, fixed.unchanged, fixed.corrected) == (0, 5, 1)
    assert FxRate.objects.get(quote="USD", date="2026-12-04").rate == D("1.0542")
    assert FxRate.objects.count() == 6


BAD_FILES = {
    "not xml": (b"<html>oops", "does not parse"),
    "another document": (b"<rates><Cube time='2026-12-04'/></rates>", "not a gesmes"),
    "no fixing": (HEAD.encode() + TAIL.encode(), "no dated"),
    "bad date": (eurofxref({"2026-13-04": {"USD": "1"}}), "'2026-13-04' is not a date"),
    "bad rate": (eurofxref({"2026-12-04": {"USD": "1.05", "CNY": "n/a"}}), "'n/a' of CNY"),
    "zero rate": (eurofxref({"2026-12-04": {"USD": "0"}}), "not a positive number"),
    "unknown currency": (eurofxref({"2026-12-04": {"XYZ": "1.1"}}), "unknown currency 'XYZ'"),
    "empty day": (eurofxref({"2026-12-04": {}}), "has no rates"),
    "a good day then a bad one": (
        eurofxref({"2026-12-03": {"USD": "1.05"}, "2026-12-04": {"USD": "-1.05"}}),
        "'-1.05' of USD on 2026-12-04 is not a positive number",
    ),
    "entities": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><gesmes:Envelope '
        b'xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01">&b;</gesmes:Envelope>',
        "does not parse",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_FILES)
def test_a_malformed_file_is_refused_clearly_and_writes_nothing(name):
    data, says = BAD_FILES[name]
    with pytest.raises(ValidationFailed) as err:
        services.import_ecb_rates(data)
    assert err.value.code == "ecb_file_invalid"
    assert err.value.message.startswith("Not an ECB reference rate file: ")
    assert says in err.value.message
    assert not FxRate.objects.exists() and not AuditLog.objects.exists()


@pytest.mark.django_db
def test_the_command_imports_a_file_prints_a_row_per_day_and_can_run_again(tmp_path):
    path = tmp_path / "eurofxref-hist-90d.xml"
    path.write_bytes(eurofxref(DAYS))
    out = StringIO()
    call_command("import_ecb_rates", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "date          added  unchanged  corrected",
        "2026-12-03        3          0          0",
        "2026-12-04        3          0          0",
        "2 fixings (2026-12-03 to 2026-12-04): 6 rates added, 0 unchanged, 0 corrected",
    ]
    out = StringIO()
    call_command("import_ecb_rates", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1].endswith("0 rates added, 6 unchanged, 0 corrected")
    assert FxRate.objects.count() == 6


@pytest.mark.django_db
def test_the_command_refuses_a_bad_or_missing_file_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<html>")
    with pytest.raises(CommandError, match=r"Not an ECB reference rate file.*\[ecb_file_invalid\]"):
        call_command("import_ecb_rates", str(bad))
    with pytest.raises(CommandError, match=r"Cannot read .*\[file_unreadable\]"):
        call_command("import_ecb_rates", str(tmp_path / "missing.xml"))
    assert not FxRate.objects.exists()


@pytest.mark.django_db
def test_the_shipped_file_imports_once():
    report = services.import_shipped_rates()
    assert (report.added, len(report.days)) == (65 * 29, 65)
    assert services.import_shipped_rates().added == 0
