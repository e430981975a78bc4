"""`borgerdesk demo --keep FOLDER`: the kept config names the demo's database, so
`borgerdesk --config FOLDER/config.toml ...` opens the demo and not the user's own (it
used to keep the preset's empty [database] section, which means the user's default
SQLite file)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from borgerdesk.commands.demo import PASSWORD_ENV


def test_the_kept_config_opens_the_demo_database(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "")  # the demo sets it; restored afterwards
    keep = tmp_path / "kept demo"  # a space: the path is quoted in the TOML
    r = cli("demo", "--keep", str(keep), "--no-ui")
    assert r.code == 0, r.err
    cfg = keep / "config.toml"
    url = tomllib.loads(cfg.read_text("utf-8"))["database"]["url"]
    assert url == f"sqlite:///{(keep / 'demo.sqlite3').resolve()}"
    r = cli("--config", str(cfg), "status", "--format", "json")
    assert r.code == 0, r.err
    status = json.loads(r.out)
    stored = {(s["name"], s["folder"]): s["messages"] for s in status["sources"]}
    assert stored[("demo", "INBOX")] > 0 and stored[("demo", "Sent")] > 0
    # Nothing was created in the user's data folder (the default database).
    assert not (tmp_path / "home" / ".local" / "share" / "borgerdesk").exists()
