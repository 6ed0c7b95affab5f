"""The provider benchmark runs (tiny sizes) and prints the JSON keys it promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[5] / "benchmarks" / "provider.py"


def test_provider_benchmark_prints_push_rate_and_list_latency():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, str(BENCH), "--push", "12", "--table-waybills", "300", "--customers",
         "20", "--queries", "3", "--eccang-requests", "4", "--no-idle-rss"],
        capture_output=True, text=True, timeout=600, check=True, env=env,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert result["database"] == "sqlite"
    # the key is the open API's rate; the service's has its own key and baseline ratio
    assert result["waybill_push_per_s"] > 0 and result["waybill_push_service_per_s"] > 0
    assert result["waybill_push_service_per_s_vs_baseline"] > 0
    assert "waybill_push_per_s_vs_baseline" not in result
    assert result["push"]["waybills"] == 12 and result["push_api"]["waybills"] == 12
    # the baseline wrote the same rows: 12 waybills, 12 pieces, 24 items, 12 events, 12 audits
    assert result["baseline"]["rows"] == 72
    assert result["portal_list_p95_ms"] > 0
    assert result["portal_list"]["table_waybills"] == 300
    assert result["eccang_create_p99_ms"] > 0
    assert result["eccang_create"]["requests"] == 4
    assert result["eccang_create"]["asks"] == {"Success": 4}, result["eccang_create"]
    assert result["eccang_create_p50_ms"] > 0
    assert result["eccang_server_cpu_ms_per_request"] is not None
    assert result["eccang_in_process_cpu_ms_per_request"] > 0
