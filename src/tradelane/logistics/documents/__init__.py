"""Labels, customs documents and manifests: pure renderers (frozen dataclasses in, PDF bytes
or ZPL/CSV text out). No models and no database access here, so services, the API, the UI
and the benchmarks call them alike."""

from .choice import choose_customs_document, label_has_cn22
from .customs import render_cn23_pdf, render_commercial_invoice_pdf
from .data import (
    CATEGORIES,
    Address,
    CN22Limits,
    CustomsDeclaration,
    CustomsItem,
    LabelData,
    ManifestData,
    ManifestRow,
)
from .labels_pdf import join_pdfs, render_label_pdf, render_labels_pdf
from .labels_zpl import code128_zpl, render_label_zpl, render_labels_zpl
from .manifest import render_manifest_csv, render_manifest_pdf

__all__ = [
    "CATEGORIES",
    "Address",
    "CN22Limits",
    "CustomsDeclaration",
    "CustomsItem",
    "LabelData",
    "ManifestData",
    "ManifestRow",
    "choose_customs_document",
    "code128_zpl",
    "join_pdfs",
    "label_has_cn22",
    "render_cn23_pdf",
    "render_commercial_invoice_pdf",
    "render_label_pdf",
    "render_label_zpl",
    "render_labels_pdf",
    "render_labels_zpl",
    "render_manifest_csv",
    "render_manifest_pdf",
]
