"""The hub benchmark runs (tiny sizes) and prints the JSON keys it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[5] / "benchmarks" / "hub.py"


def test_hub_benchmark_prints_bag_close_and_manifest_times():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, str(BENCH), "--bag-parcels", "20", "--repeat", "2", "--scans", "3",
         "--manifest-parcels", "600", "--no-inbound"],
        capture_output=True, text=True, timeout=600, check=True, env=env,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert result["database"] == "sqlite"
    assert result["bag_close_ms"] > 0 and result["handover_10k_s"] > 0
    assert result["manifest_10k_s"] == round(
        result["manifest_10k_pdf_s"] + result["manifest_10k_xlsx_s"], 2
    ) or abs(result["manifest_10k_s"] - result["manifest_10k_pdf_s"]
             - result["manifest_10k_xlsx_s"]) <= 0.011  # fmt: skip
    o = result["outbound"]
    assert (o["bag_parcels"], o["bags_sealed"], o["scans"]) == (20, 2, 3)
    assert (o["manifest_parcels"], o["manifest_bags"]) == (600, 2)
    assert o["manifest_pdf_bytes"] > 0 and o["manifest_xlsx_bytes"] > 0
