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
    with pytest.raises(SecretError, match=r"^password_file: .*absent: no such file"):
        get_secret("mail:a", file=tmp_path / "absent")
    f = tmp_path / "empty"
    f.write_text("")
    os.chmod(f, 0o600)
    with pytest.raises(SecretError, match="empty"):
        get_secret("mail:a", file=f)


def _one_line(e: pytest.ExceptionInfo[SecretError], path: Path) -> str:
    msg = str(e.value)
    assert "\n" not in msg and str(path) in msg
    return msg


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO as password_file, with no writer: refused in one line, never waited on (the
    daemon would hang at its next sync)."""
    f = tmp_path / "pw"
    os.mkfifo(f, 0o600)
    with pytest.raises(SecretError) as e:
        get_secret("mail:a", file=f)
    assert "FIFO" in _one_line(e, f)


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    f = tmp_path / "pw"
    with f.open("wb") as fh:
        fh.write(b"s3cret-value\n")
        fh.write(b"x" * (secrets.MAX_SECRET_FILE + 1))
    os.chmod(f, 0o600)
    with pytest.raises(SecretError) as e:
        get_secret("mail:a", file=f)
    msg = _one_line(e, f)
    assert f"larger than {secrets.MAX_SECRET_FILE} bytes" in msg
    assert "s3cret-value" not in msg


def test_a_file_that_is_not_text_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "pw"
    f.write_bytes(b"\xff\xfe s3cret")
    os.chmod(f, 0o600)
    with pytest.raises(SecretError) as e:
        get_secret("mail:a", file=f)
    assert "not UTF-8 text" in _one_line(e, f)


def test_a_world_readable_file_says_what_to_run(tmp_path: Path) -> None:
    f = tmp_path / "pw"
    f.write_text("s3cret-value\n")
    os.chmod(f, 0o644)
    with pytest.raises(SecretError) as e:
        get_secret("mail:a", file=f)
    msg = _one_line(e, f)
    assert msg == (
        f"{f}: password_file has mode 0644, readable by others; it must be "
        f"0600 (run: chmod 600 {f})"
    )
