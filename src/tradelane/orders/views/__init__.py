"""The orders' pages: the workbench and an order's page (``workbench``), splitting an order
(``split``), importing order files (``imports``, with ``order_files`` reading and presenting
them)."""

from .imports import import_orders, import_sample
from .order_edit import order_edit
from .workbench import bulk, job_status, order_action, order_detail, order_split, workbench

__all__ = [
    "bulk", "import_orders", "import_sample", "job_status", "order_action", "order_detail",
    "order_edit", "order_split", "workbench",
]  # fmt: skip
