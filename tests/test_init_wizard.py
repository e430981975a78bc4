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
                "br@haderslev.dk",  # own Teams UPN
                "",  # no CUCM extension
                "+4574343434, 74 34 34 35",  # own numbers
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
    assert config.phone.own_upns == ["br@haderslev.dk"]
    assert config.phone.own_extensions == []
    assert config.phone.own_numbers == ["+4574343434", "74 34 34 35"]
    # Danish by default, and it ends by saying what to run next.
    assert "skrev " in r.out and "Næste skridt:" in r.out


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
                "abc",  # not a tenant id: asked again
                "11111111-2222-3333-4444-555555555555",
                "66666666-7777-8888-9999-000000000000",
                "y",
                "",
                "",
                "",
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
    assert acct.tenant_id == "11111111-2222-3333-4444-555555555555"
    assert "'abc' er ikke et tenant-id" in r.out + r.err
    # No own line given: says what a Teams export will need.
    assert "uden din egen linje afvises en Teams-eksport" in r.out


def test_a_config_refuses_a_tenant_id_of_the_wrong_form(tmp_path: Path) -> None:
    from store.config import ConfigError, load_config_text, preset_text

    text = preset_text("odsherred") + (
        '\n[[mail.accounts]]\nname = "r"\nhost = "outlook.office365.com"\n'
        'username = "br@odsherred.dk"\nauth = "xoauth2"\ntenant_id = "abc"\n'
        'client_id = "66666666-7777-8888-9999-000000000000"\n'
    )
    with pytest.raises(ConfigError, match="'abc' is not a tenant id"):
        load_config_text(text, "c.toml")


@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")
def test_every_next_step_the_wizard_names_runs(tmp_path: Path, cli, monkeypatch) -> None:
    """The wizard's last lines are commands; run each as printed (mail test against a
    real IMAP server)."""
    import shlex

    from ingest.mail.embedded_server import EmbeddedServer

    monkeypatch.setenv("BORGERDESK_WIZARD", "1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("BORGERDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    with EmbeddedServer({"INBOX": [], "Sent": []}) as srv:
        answers = [
            "odsherred",
            "odsherred.dk",
            "127.0.0.1",
            "raadgiver",
            srv.username,
            "n",
            srv.password,
            str(tmp_path / "telefon"),
            "br@odsherred.dk",
            "",
            "",
            "n",
        ]
        monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
        cfg = tmp_path / "c.toml"
        r = cli("--config", str(cfg), "init")
        assert r.code == 0, r.err
        # The wizard writes tls; the embedded server speaks plain IMAP on loopback.
        cfg.write_text(
            cfg.read_text("utf-8").replace(
                'security = "tls"', f'security = "none"\nport = {srv.port}'
            ),
            "utf-8",
        )
        steps = r.out.split("Næste skridt:\n", 1)[1].splitlines()
        commands = [
            line.split("   #")[0].strip() for line in steps if line.startswith("  borgerdesk ")
        ]
        assert [c.split()[-2:] for c in commands] == [
            ["db", "upgrade"],
            ["test", "raadgiver"],
            [str(cfg), "doctor"],
        ]
        for command in commands:
            done = cli(*shlex.split(command)[1:])
            assert done.code == 0, (command, done.out, done.err)


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
