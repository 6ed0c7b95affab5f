"""The NinjaAPI root: authentication, the error format, and each app's router."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Tradelane API", version="1", docs_url="/docs", urls_namespace="api")
