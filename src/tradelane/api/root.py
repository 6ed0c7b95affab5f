"""The NinjaAPI root: authentication, the error format, and each app's router.

Mounted at ``/api/v1/`` (see ``tradelane.urls``); the OpenAPI document is at
``/api/v1/openapi.json`` and the interactive docs at ``/api/docs`` (and ``/api/v1/docs``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja.openapi.views import openapi_view

from tradelane.accounts.api import router as accounts_router
from tradelane.catalog.api import router as catalog_router
from tradelane.integrations.push.api import router as push_router
from tradelane.integrations.spreadsheets.api import router as spreadsheets_router
from tradelane.inventory.api import router as inventory_router
from tradelane.logistics.rates.api import router as logistics_router
from tradelane.logistics.tracking.api import router as tracking_router
from tradelane.orders.api import router as orders_router

from . import errors, types  # noqa: F401 - types registers the {id:...} path converter
from .auth import AUTH
from .openapi import ContractApi
from .parser import ApiParser

DESCRIPTION = """\
Tradelane's HTTP API.

**Authentication**: an API key (`Authorization: Bearer tl_...` or `X-API-Key: tl_...`; create
one at `POST /api/v1/me/api-keys`) or the web session (unsafe methods then need the
`X-CSRFToken` header). Permissions follow the user's roles.

**Errors** always look like `{"code": "...", "message": "...", "details": ...}`; `code` is
stable and machine-readable. Input problems are 422 (`validation_error` lists each field),
refused permissions 403, missing records 404, conflicts such as a disallowed status change 409,
a request that cannot be read at all (malformed JSON or multipart, a NUL character) 400, a
body over the size limit 413.

**Types**: JSON bodies are strictly typed: an integer is a JSON integer, a boolean `true` or
`false`, a date `YYYY-MM-DD`. Decimals are a JSON number or a string of plain digits
(`"12.50"`) within the bounds the document gives; every number has a minimum and a maximum.

**Idempotency**: send `Idempotency-Key: <unique string>` with a POST. Repeating it with the
same body returns the first answer again (with the header `Idempotent-Replayed: true`) and
does nothing twice; the same key with another body is refused with 422.

**Units**: weights in the API are kilograms and dimensions centimetres (stored as grams and
millimetres); amounts are decimal strings with their ISO 4217 currency.

**Lists** take `limit` (1-500, default 50) and `offset`, and return
`{"items": [...], "count": total, "limit": ..., "offset": ...}`.
"""


api = ContractApi(
    title="Tradelane API",
    version="1",
    description=DESCRIPTION,
    docs_url="/docs",
    urls_namespace="api",
    auth=AUTH,
    parser=ApiParser(),
)
errors.install(api)

api.add_router("", accounts_router, tags=["accounts"])
api.add_router("", catalog_router, tags=["catalog"])
api.add_router("", inventory_router, tags=["inventory"])
api.add_router("", orders_router, tags=["orders"])
api.add_router("", spreadsheets_router, tags=["spreadsheets"])
api.add_router("", push_router, tags=["push"])
api.add_router("", tracking_router, tags=["tracking"])
api.add_router("", logistics_router, tags=["logistics"])


def docs(request: HttpRequest) -> HttpResponse:
    """The interactive docs at /api/docs (the same page as /api/v1/docs)."""
    return openapi_view(request, api)


from tradelane.logistics.shipping.api import router as shipping_router  # noqa: E402
from tradelane.logistics.shopping.api import router as shopping_router  # noqa: E402

from .jobs import router as jobs_router  # noqa: E402

api.add_router("", shopping_router, tags=["shipping"])
api.add_router("", jobs_router, tags=["jobs"])
api.add_router("", shipping_router, tags=["shipping"])

from tradelane.integrations.stores.dispatch.api import router as dispatch_router  # noqa: E402

api.add_router("", dispatch_router, tags=["dispatch"])

from tradelane.forwarding.waybills.api import router as provider_router  # noqa: E402

api.add_router("/provider", provider_router, tags=["provider"])
