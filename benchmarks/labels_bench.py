#!/usr/bin/env python
"""Label rendering throughput on one core. Prints JSON.

    python benchmarks/labels_bench.py [--pdf 500] [--zpl 5000]

``pdf_labels_per_s``: 4x6 postal labels with Chinese text and a CN22 block, rendered as one
batch PDF (``render_labels_pdf``: one canvas, the CJK font subset embedded once).
``pdf_single_labels_per_s``: the same labels, one PDF each (``render_label_pdf``), as an API
call for one label would. ``zpl_labels_per_s``: the same labels as ZPL text. Font
registration (parsing the TrueType collection, once per process) happens before timing.
Every label is distinct (tracking number, reference, receiver).
Bars: 100 PDF labels/s and 2,000 ZPL labels/s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tradelane.logistics.documents import (  # noqa: E402
    render_label_pdf,
    render_label_zpl,
    render_labels_pdf,
)
from tradelane.logistics.documents.fonts import cjk_font  # noqa: E402
from tradelane.logistics.documents.samples import sample_label  # noqa: E402


def _label(i: int):
    """Distinct labels: every one has its own tracking number, reference, receiver and street
    (so no per-string cache makes a repeated label look faster than a real batch)."""
    label = sample_label(i)
    receiver = dataclasses.replace(
        label.receiver, name=f"Jennifer Thompson {i}", address1=f"{1600 + i} Amphitheatre Parkway"
    )
    return dataclasses.replace(label, receiver=receiver)


def run(n_pdf: int = 500, n_zpl: int = 5000) -> dict:
    labels = [_label(i) for i in range(max(n_pdf, n_zpl, 1))]
    font = cjk_font()
    render_label_pdf(labels[0])  # warm up: font registration, caches

    t = time.perf_counter()
    batch = render_labels_pdf(labels[:n_pdf], "4x6")
    batch_s = time.perf_counter() - t

    n_single = max(1, n_pdf // 5)
    t = time.perf_counter()
    for label in labels[:n_single]:
        render_label_pdf(label, "4x6")
    single_s = time.perf_counter() - t

    zpl_labels = labels[:n_zpl]
    t = time.perf_counter()
    for label in zpl_labels:
        render_label_zpl(label, "4x6")
    zpl_s = time.perf_counter() - t

    return {
        "pdf_labels_per_s": round(n_pdf / batch_s, 1),
        "pdf_single_labels_per_s": round(n_single / single_s, 1),
        "zpl_labels_per_s": round(n_zpl / zpl_s, 1),
        "pdf_batch_bytes_per_label": len(batch) // max(n_pdf, 1),
        "n_pdf": n_pdf,
        "n_pdf_single": n_single,
        "n_zpl": n_zpl,
        "cjk_font": font.path or font.name,
        "cjk_font_embedded": font.embedded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=int, default=500)
    parser.add_argument("--zpl", type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps(run(args.pdf, args.zpl), indent=2))


if __name__ == "__main__":
    main()
