"""The last-mile switch's pages: the re-label print action of the scan screen
(``/hub/lastmile/<number>/label``: the stored carrier label of a waybill, by any of its
numbers). Thin: reads and writes go through ``carrier_labels``."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from tradelane.accounts.roles import P
from tradelane.core.errors import NotFound
from tradelane.web.views.guards import permission_required

from . import carrier_labels

LABEL_TYPES = {"pdf": "application/pdf", "zpl": "text/plain; charset=utf-8"}


@permission_required(P.HUB_RECEIVE)
def label(request, number: str):
    try:
        req = carrier_labels.label_of(request.user, number.strip()[:60])
    except NotFound as exc:
        raise Http404(exc.message) from None
    fmt = req.label_format or "pdf"
    response = HttpResponse(bytes(req.label), content_type=LABEL_TYPES.get(fmt, LABEL_TYPES["pdf"]))
    response["Content-Disposition"] = f'inline; filename="{req.number}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
