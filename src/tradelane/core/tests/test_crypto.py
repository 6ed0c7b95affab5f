import pytest

from tradelane.core import crypto
from tradelane.core.errors import ValidationFailed


def test_round_trip_and_not_clear_text():
    token = crypto.encrypt_json({"access_token": "shpat_secret"})
    assert "shpat_secret" not in token
    assert crypto.decrypt_json(token) == {"access_token": "shpat_secret"}
    assert crypto.decrypt_json("") == {}


def test_key_rotation(monkeypatch):
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEY", "old-key")
    old_token = crypto.encrypt_json({"a": 1})
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEY", "new-key")
    with pytest.raises(ValidationFailed):
        crypto.decrypt_json(old_token)  # the old key is not configured any more
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEYS_OLD", "old-key")
    assert crypto.decrypt_json(old_token) == {"a": 1}
    rotated = crypto.rotate(old_token)
    monkeypatch.delenv("TRADELANE_ENCRYPTION_KEYS_OLD")
    assert crypto.decrypt_json(rotated) == {"a": 1}
