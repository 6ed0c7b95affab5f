"""The vendors' API paths skip the browser part of the middleware stack, as ``/hooks/`` does
(``stores.middleware.WebhookFastPath``).

An ERP's call to ``/default/svc/web-service`` or Hualei's ``*.htm`` paths is a CSRF-exempt
POST (or GET) authenticated by its own fields: sessions, CSRF cookies, the logged-in user,
messages, clickjacking, htmx, CSP, static files, ``Idempotency-Key`` (``/api/`` only) and the
login lockouts (the vendors' credentials are not Django logins) do nothing for it, yet walking
them cost about 0.4 ms of CPU per ``createOrder`` (in-process WSGI calls on SQLite beside
``benchmarks/provider.py``). Placed right after ``SecurityMiddleware`` (its HTTPS redirect and
headers still apply), this dispatches those exact paths to their views; every other path,
the provider staff's credential pages among them, goes on down the stack untouched. What the
skipped middleware did that the answers depend on is done here: ``ALLOWED_HOSTS`` is checked
(``CommonMiddleware``) and the language is the request's (``LocaleMiddleware``: the
``Accept-Language`` header, else ``LANGUAGE_CODE``). An exception in a view is still turned
into a 500 by Django's handler around this middleware.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve
from django.utils import translation

URLCONF = "tradelane.integrations.forwarder_apis.urls"
# the vendors' own endpoints (url names in urls.py); not the staff pages, not the label links
VENDOR_URLS = frozenset({
    "eccang", "eccang_wsdl", "hualei_auth", "hualei_create", "hualei_number", "hualei_track",
    "hualei_products", "hualei_label",
})  # fmt: skip


class VendorFastPath:
    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: dict[str, object] = {}  # path -> its ResolverMatch (the paths are fixed)

    def _match(self, path: str):
        match = self._paths.get(path)
        if match is None:
            try:
                found = resolve(path, urlconf=URLCONF)
            except Resolver404:
                return None
            if found.url_name not in VENDOR_URLS or found.args or found.kwargs:
                return None
            self._paths[path] = match = found
        return match

    def __call__(self, request):
        path = request.path_info
        if not (path.startswith("/default/svc/") or path.endswith((".htm", ".aspx"))):
            return self.get_response(request)
        match = self._match(path)
        if match is None:
            return self.get_response(request)
        request.get_host()  # DisallowedHost (400) for a host not in ALLOWED_HOSTS
        request.resolver_match = match
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return match.func(request)
