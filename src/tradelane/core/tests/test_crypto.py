import pytest

from tradelane.core import crypto


def test_round_trip_and_no_clear_text(monkeypatch):
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEY", "key-one")
    token = crypto.encrypt_json({"api_secret": "s3cr3t-value", "n": 1})
    assert "s3cr3t-value" not in token
    assert crypto.decrypt_json(token) == {"api_secret": "s3cr3t-value", "n": 1}
    assert crypto.decrypt_json("") == {}


def test_rotation_keeps_old_tokens_readable(monkeypatch):
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEY", "old-key")
    old_token = crypto.encrypt_json({"a": "b"})
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEY", "new-key")
    with pytest.raises(crypto.DecryptionFailed) as err:
        crypto.decrypt_json(old_token)
    assert err.value.code == "decryption_failed"
    monkeypatch.setenv("TRADELANE_ENCRYPTION_KEYS_OLD", "old-key")
    assert crypto.decrypt_json(old_token) == {"a": "b"}
    new_token = crypto.rotate(old_token)
    monkeypatch.delenv("TRADELANE_ENCRYPTION_KEYS_OLD")
    assert crypto.decrypt_json(new_token) == {"a": "b"}
