"""A real installation's transport and files: HTTPS settings, `check --deploy`, CSP, modes.

Settings are read from the environment once per process, so the HTTPS cases run in a child
process with the variables set, as a real installation would start.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADELANE_")}
    env.pop("DATABASE_URL", None)
    # the browser tests' conftest sets this for its own process; a real start never has it
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tradelane.settings",
        TRADELANE_DATA_DIR=str(tmp_path / "data"),
        TRADELANE_SECRET_KEY=secrets.token_urlsafe(50),
        **extra,
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tradelane", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_https(tmp_path):
    r = _run(_env(tmp_path, TRADELANE_HTTPS="1"), "manage", "check", "--deploy", "--fail-level",
             "WARNING")  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNINGS" not in r.stdout + r.stderr


def test_check_deploy_warns_without_https(tmp_path):
    """The check is not toothless: plain HTTP settings are reported."""
    r = _run(_env(tmp_path), "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode != 0
    assert "security.W012" in r.stdout + r.stderr  # SESSION_COOKIE_SECURE


PROBE = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
out = {}
plain = Client()
r = plain.get("/login/")
out["plain_status"] = r.status_code
out["plain_location"] = r.get("Location", "")
proxied = Client(headers={"X-Forwarded-Proto": "https"})
r = proxied.get("/login/")
out["status"] = r.status_code
out["hsts"] = r.get("Strict-Transport-Security", "")
out["csrf_cookie_secure"] = bool(r.cookies["csrftoken"]["secure"])
from django.conf import settings
out["session_secure"] = settings.SESSION_COOKIE_SECURE
print(json.dumps(out))
"""


def test_https_makes_cookies_secure_hsts_and_honours_the_proxy_header(tmp_path):
    env = _env(tmp_path, TRADELANE_HTTPS="1")
    assert _run(env, "manage", "migrate", "--verbosity", "0").returncode == 0
    r = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["plain_status"] == 301 and out["plain_location"].startswith("https://")
    assert out["status"] == 200
    assert out["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert out["csrf_cookie_secure"] is True and out["session_secure"] is True


def test_the_data_folder_and_the_sqlite_file_are_private(tmp_path):
    env = _env(tmp_path)
    r = _run(env, "manage", "migrate", "--verbosity", "0")
    assert r.returncode == 0, r.stderr
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("tradelane.sqlite3", "secret_key"):
        path = data / name
        if name == "secret_key" and not path.exists():
            continue  # TRADELANE_SECRET_KEY was given
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    for side in data.glob("tradelane.sqlite3-*"):  # -wal / -shm follow the database's mode
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0, side.name


def test_an_existing_loose_data_folder_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "tradelane.sqlite3").touch(mode=0o644)
    (data / "tradelane.sqlite3").chmod(0o644)
    assert _run(_env(tmp_path), "manage", "check").returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "tradelane.sqlite3").stat().st_mode) == 0o600


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_inline_scripts_or_eval():
    r = Client().get("/login/")
    policy = r["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert r["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_scripts_or_event_handler_attributes():
    """The CSP allows scripts from files only: an inline <script> or on...= would be blocked."""
    import re

    bad = []
    for path in (ROOT / "src" / "tradelane").rglob("templates/**/*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|hx-on", text):
            bad.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not bad, bad
