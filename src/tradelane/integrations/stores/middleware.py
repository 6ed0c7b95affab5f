"""``/hooks/`` skips the middleware stack: an early dispatch placed first in ``MIDDLEWARE``.

A webhook is a signed, CSRF-exempt POST from a platform: sessions, locale, auth, messages,
clickjacking, htmx and Idempotency-Key (``/api/`` only) do nothing for it, yet walking them
cost 0.3-0.5 ms of CPU per delivery, a fifth of it then (in-process WSGI calls on SQLite,
cProfile and timed runs beside ``benchmarks/sync.py``). This middleware resolves
``/hooks/...`` against the stores' own URLconf and calls the view directly; any other path
goes on down the stack untouched. ``ALLOWED_HOSTS`` is still checked (``CommonMiddleware``
would have done it), and an exception in the view is still turned into a 500 by Django's
handler around this middleware.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve

PREFIX = "/hooks/"
URLCONF = "tradelane.integrations.stores.urls"


class WebhookFastPath:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info, urlconf=URLCONF)
        except Resolver404:
            return self.get_response(request)  # not a webhook address: the normal 404
        request.get_host()  # DisallowedHost (400) for a host not in ALLOWED_HOSTS
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
