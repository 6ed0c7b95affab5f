"""The rating benchmark runs (small sizes) and prints the JSON keys it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[5] / "benchmarks" / "rating.py"


def test_rating_benchmark_prints_quotes_per_second():
    out = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--channels",
            "3",
            "--zones",
            "20",
            "--brackets",
            "6",
            "--seconds",
            "0.05",
            "--rounds",
            "1",
            "--karrio-requests",
            "2",
            "--pdf-labels",
            "5",
            "--zpl-labels",
            "20",
            "--orders",
            "100",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["quotes_per_s"] > 0 and result["quotes_per_cpu_s"] > 0
    assert result["channels"] == 3 and result["channels_ok_for_parcel"] == 3
    keys = ("quotes_per_s", "bulk_rate_shop_orders_per_s", "pdf_labels_per_s",
            "zpl_labels_per_s", "karrio_quotes_per_s", "speedup_vs_karrio")  # fmt: skip
    assert all(result[k] > 0 for k in keys), {k: result.get(k) for k in keys}
    assert result["bulk_rate_shop"]["orders"] == 100
    assert result["karrio_requests"] == 2
