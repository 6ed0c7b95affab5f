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

Baseline, measured in the same run on the same machine (``*_vs_baseline`` = ours / the
baseline's rate, so the ratio travels between machines): a plain reportlab canvas page per
label that draws the label's own text (every string and number in its ``LabelData``, the CJK
font for the non-Latin ones, Helvetica for the rest) one ``drawString`` per line, with no
layout, no barcode, no frames and no fitting; one canvas for the batch
(``baseline_pdf_pages_per_s``), one PDF per label for the singles
(``baseline_pdf_single_pages_per_s``). For ZPL the baseline joins the same strings into
``^FO..^FD..^FS`` fields (``baseline_zpl_labels_per_s``).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
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


def _strings(value) -> list[str]:
    """Every text and number a label carries, in field order (the baseline draws these)."""
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if value is None or isinstance(value, bool) or value == "":
        return []
    return [str(value)]


def _baseline_pages(canvas, lines: list[str], cjk: str) -> None:
    from reportlab.lib.units import mm

    y = 148 * mm
    for text in lines:
        canvas.setFont("Helvetica" if text.isascii() else cjk, 8)
        canvas.drawString(4 * mm, y, text)
        y -= 3.2 * mm
    canvas.showPage()


def _baseline(texts: list[list[str]], n_pdf: int, n_single: int, n_zpl: int, cjk: str) -> dict:
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    page = (101.6 * mm, 152.4 * mm)
    t = time.perf_counter()
    c = Canvas(io.BytesIO(), pagesize=page, pageCompression=1, invariant=1)
    for lines in texts[:n_pdf]:
        _baseline_pages(c, lines, cjk)
    c.save()
    batch_s = time.perf_counter() - t

    t = time.perf_counter()
    for lines in texts[:n_single]:
        c = Canvas(io.BytesIO(), pagesize=page, pageCompression=1, invariant=1)
        _baseline_pages(c, lines, cjk)
        c.save()
    single_s = time.perf_counter() - t

    t = time.perf_counter()
    for lines in texts[:n_zpl]:
        fields = "".join(f"^FO20,{20 + 25 * i}^A0N,20,20^FD{s}^FS" for i, s in enumerate(lines))
        ("^XA^CI28" + fields + "^XZ").encode()
    zpl_s = time.perf_counter() - t
    return {
        "baseline_pdf_pages_per_s": round(n_pdf / batch_s, 1),
        "baseline_pdf_single_pages_per_s": round(n_single / single_s, 1),
        "baseline_zpl_labels_per_s": round(n_zpl / zpl_s, 1),
    }


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

    texts = [_strings(label) for label in labels]
    base = _baseline(texts, n_pdf, n_single, n_zpl, font.name)
    out = {
        "pdf_labels_per_s": round(n_pdf / batch_s, 1),
        "pdf_single_labels_per_s": round(n_single / single_s, 1),
        "zpl_labels_per_s": round(n_zpl / zpl_s, 1),
        "pdf_labels_vs_baseline": round(n_pdf / batch_s / base["baseline_pdf_pages_per_s"], 3),
        "pdf_single_labels_vs_baseline": round(
            n_single / single_s / base["baseline_pdf_single_pages_per_s"], 3
        ),
        "zpl_labels_vs_baseline": round(n_zpl / zpl_s / base["baseline_zpl_labels_per_s"], 3),
        **base,
        "baseline_strings_per_label": round(sum(map(len, texts)) / len(texts), 1),
        "pdf_batch_bytes_per_label": len(batch) // max(n_pdf, 1),
        "n_pdf": n_pdf,
        "n_pdf_single": n_single,
        "n_zpl": n_zpl,
        "cjk_font": font.path or font.name,
        "cjk_font_embedded": font.embedded,
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=int, default=500)
    parser.add_argument("--zpl", type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps(run(args.pdf, args.zpl), indent=2))


if __name__ == "__main__":
    main()
