"""The inbound scan benchmark runs (tiny sizes) and prints the JSON keys it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[5] / "benchmarks" / "hub_inbound.py"


@pytest.mark.parametrize("server", [
    ("waitress", "1", "8"),
    # two processes writing one SQLite file: their writers queue on its lock file
    ("granian", "2", "2"),
])  # fmt: skip
def test_inbound_benchmark_prints_scan_rate_and_p99(server):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    name, workers, threads = server
    out = subprocess.run(
        [sys.executable, str(BENCH), "--waybills", "700", "--rate", "5", "--seconds", "2",
         "--server", name, "--workers", workers, "--threads", threads],
        capture_output=True, text=True, timeout=600, check=True, env=env,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert (result["server"], result["server_workers"]) == (name, int(workers))
    assert (result["database"], result["table_waybills"], result["scans"]) == ("sqlite", 700, 10)
    # every scan a waybill not yet in, received and answered "ok"
    assert result["warm"] == {"Success": 20}
    assert result["load"]["asks"] == {"Success": 10}, result["load"]
    assert result["inbound_scans_per_s"] > 0 and result["inbound_scan_p99_ms"] > 0
