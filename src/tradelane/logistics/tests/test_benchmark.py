"""The rating benchmark runs (small sizes) and prints the JSON keys it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "benchmarks" / "rating.py"


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
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["quotes_per_s"] > 0 and result["quotes_per_cpu_s"] > 0
    assert result["channels"] == 3 and result["channels_ok_for_parcel"] == 3
    # later work of the issue: not faked
    assert "karrio_quotes_per_s" not in result and "speedup_vs_karrio" not in result
