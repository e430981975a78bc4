"""Secret lookup: keyring, then env, then a 0600 file; nothing looser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store import secrets
from store.secrets import SecretError, get_secret


def test_env_then_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "pw"
    f.write_text("from-file\n")
    os.chmod(f, 0o600)
    monkeypatch.setenv("BD_PW", "from-env")
    assert get_secret("mail:a", env="BD_PW", file=f) == "from-env"
    monkeypatch.delenv("BD_PW")
    assert get_secret("mail:a", env="BD_PW", file=f) == "from-file"


def test_keyring_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "_keyring_get", lambda key: "from-keyring")
    monkeypatch.setenv("BD_PW", "from-env")
    assert get_secret("mail:a", env="BD_PW") == "from-keyring"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_loose_password_file_is_refused(tmp_path: Path, mode: int) -> None:
    f = tmp_path / "pw"
    f.write_text("s3cret-value\n")
    os.chmod(f, mode)
    with pytest.raises(SecretError) as e:
        get_secret("mail:a", file=f)
    msg = str(e.value)
    assert f"{mode:04o}" in msg and "chmod 600" in msg
    assert "s3cret-value" not in msg


def test_nothing_found_says_where_it_looked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BD_NOPE", raising=False)
    with pytest.raises(SecretError) as e:
        get_secret("mail:raadgiver", env="BD_NOPE")
    assert "keyring" in str(e.value) and "$BD_NOPE" in str(e.value)
    assert "set-password raadgiver" in str(e.value)


def test_missing_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="not found"):
        get_secret("mail:a", file=tmp_path / "absent")
    f = tmp_path / "empty"
    f.write_text("")
    os.chmod(f, 0o600)
    with pytest.raises(SecretError, match="empty"):
        get_secret("mail:a", file=f)
