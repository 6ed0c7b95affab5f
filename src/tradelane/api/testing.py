"""Test helpers for the HTTP API: a client acting as a user of a given role.

A test module makes its fixture with ``role_clients``::

    @pytest.fixture
    def api_as(make_user):
        return role_clients(make_user)
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

from django.test import Client

BASE = "/api/v1"


class Api:
    """A Django test client speaking JSON to /api/v1, logged in as ``user`` (or by API key)."""

    def __init__(self, user=None, *, key: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.user = user
        self.headers: dict[str, str] = {}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        elif user is not None:
            self.client.force_login(user)

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else BASE + path

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(self._url(path), params or {}, headers={**self.headers, **headers})

    def _send(self, method: str, path: str, json: Any = None, **headers):
        return getattr(self.client, method)(
            self._url(path),
            data=jsonlib.dumps(json) if json is not None else "",
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def post(self, path: str, json: Any = None, **headers):
        return self._send("post", path, json, **headers)

    def patch(self, path: str, json: Any = None, **headers):
        return self._send("patch", path, json, **headers)

    def delete(self, path: str, **headers):
        return self._send("delete", path, None, **headers)


def role_clients(make_user):
    """A factory ``role -> Api`` logged in as one user per role (use it in a fixture)."""
    made: dict[str, Api] = {}

    def make(role: str) -> Api:
        if role not in made:
            made[role] = Api(make_user(role, f"api_{role}"))
        return made[role]

    return make
