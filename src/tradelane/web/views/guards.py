"""Shared view helpers: permission checks that answer 403, domain errors shown in the UI."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from tradelane.core import errors

from .. import labels


def permission_required(perm: str | tuple[str, ...]):
    """Log in first (redirect), then refuse with 403 unless the user's role holds ``perm``
    (or, given several, any one of them).

    Domain errors the selectors raise map to 403 and 404 the same way.
    """

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            perms = perm if isinstance(perm, tuple) else (perm,)
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied(perm)
            try:
                return view(request, *args, **kwargs)
            except errors.PermissionDenied as exc:
                raise PermissionDenied(exc.message) from exc
            except errors.NotFound as exc:
                raise Http404(exc.message) from exc

        return wrapped

    return decorate


def render_error(request, exc: errors.DomainError, template: str = "web/_alert.html"):
    """A refused action: its code and message in the user's language, with the error's status."""
    return render(
        request,
        template,
        {"error": labels.domain_error(exc)},
        status=exc.status,
    )


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
