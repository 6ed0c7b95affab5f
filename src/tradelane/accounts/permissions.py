from __future__ import annotations

from tradelane.core.errors import PermissionDenied


def require(user, perm: str) -> None:
    """Refuse unless ``user`` holds ``perm`` (through a role)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Log in first", code="not_authenticated")
    if not user.has_perm(perm):
        raise PermissionDenied(f"Your role may not do this ({perm})", details={"permission": perm})
