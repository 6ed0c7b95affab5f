"""The caller's own account over HTTP: who am I, and my API keys."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from tradelane.api.errors import responses
from tradelane.api.types import BodySchema
from tradelane.core.errors import NotFound

from . import services
from .models import ApiKey
from .roles import ROLE_LABELS, roles_of

router = Router()


class RoleOut(Schema):
    code: str
    label_zh: str
    label_en: str


class MeOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    language: str
    is_superuser: bool
    roles: list[RoleOut]
    permissions: list[str]


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(..., description="the full key; shown this once, never again")


class ApiKeyIn(BodySchema):
    name: str = Field(..., min_length=1, max_length=100)


@router.get("/me", response=responses(200, MeOut), operation_id="me_get")
def me(request):
    user = request.auth
    codes = roles_of(user)
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_superuser": user.is_superuser,
        "roles": [
            {
                "code": c,
                "label_zh": ROLE_LABELS.get(c, (c, c))[0],
                "label_en": ROLE_LABELS.get(c, (c, c))[1],
            }
            for c in codes
        ],
        "permissions": sorted(user.get_all_permissions()),
    }


@router.get("/me/api-keys", response=responses(200, list[ApiKeyOut]), operation_id="api_keys_list")
def list_api_keys(request):
    return list(ApiKey.objects.filter(user=request.auth).order_by("-created_at", "-id"))


@router.post("/me/api-keys", response=responses(201, ApiKeyCreated), operation_id="api_keys_create")
def create_api_key(request, payload: ApiKeyIn, response: HttpResponse):
    key, raw = services.create_api_key(request.auth, user=request.auth, name=payload.name)
    # The secret is shown once: no cache, proxy or Idempotency-Key replay may keep it.
    response["Cache-Control"] = "no-store"
    return Status(201, {**ApiKeyOut.from_orm(key).model_dump(), "key": raw})


@router.delete(
    "/me/api-keys/{id:key_id}", response=responses(200, ApiKeyOut), operation_id="api_keys_revoke"
)
def revoke_api_key(request, key_id: int):
    key = ApiKey.objects.filter(user=request.auth, pk=key_id).first()
    if key is None:
        raise NotFound(f"API key {key_id} does not exist", code="api_key_not_found")
    services.revoke_api_key(request.auth, key)
    key.refresh_from_db()
    return key
