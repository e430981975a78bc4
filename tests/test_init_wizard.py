"""The interactive `init` wizard, answered through stdin."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from store.config import load_config


@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")  # stdin is not a terminal here
def test_wizard_writes_valid_private_config(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.setenv("BORGERDESK_WIZARD", "1")
    # No OS keyring in the test environment: the password must go to a 0600 file.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    inbox = tmp_path / "telefon"
    answers = (
        "\n".join(
            [
                "haderslev",  # preset
                "haderslev.dk, skole.dk",  # internal domains
                "imap.haderslev.dk",  # host
                "raadgiver",  # account name
                "br@haderslev.dk",  # user
                "n",  # not Microsoft 365
                "hemmeligt-kodeord",  # password
                str(inbox),  # phone inbox
                "n",  # no connection test now
            ]
        )
        + "\n"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    cfg = tmp_path / "cfg" / "config.toml"
    r = cli("--config", str(cfg), "init")
    assert r.code == 0, r.err
    text = cfg.read_text("utf-8")
    assert "hemmeligt-kodeord" not in text  # never in the config
    assert "# Direktørområder until the reorganisation." in text  # comments kept
    config, _ = load_config(cfg)
    acct = config.mail.accounts[0]
    assert (acct.host, acct.username, acct.auth, acct.security) == (
        "imap.haderslev.dk",
        "br@haderslev.dk",
        "password",
        "tls",
    )
    assert config.replies.internal_domains == ["haderslev.dk", "skole.dk"]
    assert acct.password_file is not None
    assert acct.password_file.read_text("utf-8") == "hemmeligt-kodeord"
    assert stat.S_IMODE(acct.password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert config.phone.inbox == inbox and inbox.is_dir()


def test_wizard_microsoft_365(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.setenv("BORGERDESK_WIZARD", "1")
    answers = (
        "\n".join(
            [
                "odsherred",
                "odsherred.dk",
                "outlook.office365.com",
                "raadgiver",
                "br@odsherred.dk",
                "11111111-2222-3333-4444-555555555555",
                "66666666-7777-8888-9999-000000000000",
                "y",
                "",
                "n",
            ]
        )
        + "\n"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    cfg = tmp_path / "c.toml"
    r = cli("--config", str(cfg), "init")
    assert r.code == 0, r.err
    acct = load_config(cfg)[0].mail.accounts[0]
    assert (acct.auth, acct.oauth_flow) == ("xoauth2", "client_credentials")


def test_wizard_needs_a_terminal(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    r = cli("--config", str(tmp_path / "c.toml"), "init")
    assert r.code == 2 and "run it in a terminal, or give --preset" in r.err
    assert not (tmp_path / "c.toml").exists()


@pytest.mark.parametrize("bad", ["københavn"])
def test_wizard_unknown_preset(tmp_path: Path, cli, monkeypatch, bad: str) -> None:
    monkeypatch.setenv("BORGERDESK_WIZARD", "1")
    monkeypatch.setattr("sys.stdin", io.StringIO(bad + "\n"))
    r = cli("--config", str(tmp_path / "c.toml"), "init")
    assert r.code == 2 and "unknown preset" in r.err
