"""Thin UI views: read through selectors, write through services, answer in the user's language."""

from .auth import LoginView, LogoutView, home, set_language
from .catalog import products, stock_page
from .imports import import_orders, import_sample
from .orders import bulk, job_status, order_action, order_detail, order_split, workbench

__all__ = [
    "LoginView", "LogoutView", "home", "set_language", "products", "stock_page", "bulk",
    "job_status", "order_action", "order_detail", "order_split", "workbench", "import_orders",
    "import_sample",
]  # fmt: skip
