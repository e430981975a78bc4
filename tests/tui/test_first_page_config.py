"""The desk's quick start remembers a config that passed its checks
(`borgerdesk.checked_config`, issue 20): only that very config, unchanged, skips the
checks before the first frame; any change, and a bad config is refused before the UI as
always."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from borgerdesk import checked_config
from borgerdesk.context import AppContext
from store.config import preset_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BORGERDESK_CONFIG", raising=False)
    return tmp_path


def _config(path: Path, extra: str = "") -> Path:
    path.write_text(
        preset_text("haderslev").replace('language = "da"', 'language = "en"') + extra, "utf-8"
    )
    return path


def test_only_the_same_config_is_remembered(home: Path) -> None:
    cfg = _config(home / "c.toml", '\n[ui.keymap]\n"triage.link" = "ctrl+l"\n')
    actx = AppContext(config_path=cfg)
    assert checked_config.remembered(actx) is None
    checked_config.remember(actx, checked_config.check(actx))
    seen = checked_config.remembered(AppContext(config_path=cfg))
    assert seen == checked_config.Checked("en", {"triage.link": "ctrl+l"}, None)
    record = next((home / "cache").rglob(checked_config.RECORD))
    assert record.stat().st_mode & 0o077 == 0
    cfg.write_text(cfg.read_text("utf-8") + "\n# a comment\n", "utf-8")
    assert checked_config.remembered(AppContext(config_path=cfg)) is None
    other = _config(home / "d.toml", '\n[ui.keymap]\n"triage.link" = "ctrl+l"\n')
    assert checked_config.remembered(AppContext(config_path=other)) is None


def test_a_database_url_that_may_hold_a_password_is_not_remembered(home: Path) -> None:
    cfg = _config(home / "c.toml")
    cfg.write_text(
        cfg.read_text("utf-8").replace(
            "[database]", '[database]\nurl = "postgresql://desk:hemmelig@db/borgerdesk"'
        ),
        "utf-8",
    )
    actx = AppContext(config_path=cfg)
    checked_config.remember(actx, checked_config.check(actx))
    assert checked_config.remembered(actx) is None
    assert "hemmelig" not in "".join(p.read_text("utf-8") for p in home.rglob("*.json"))


def test_a_config_made_bad_after_passing_is_refused_before_the_ui(
    home: Path, cli: Any, sqlite_url: str
) -> None:
    cfg = _config(home / "c.toml")
    actx = AppContext(config_path=cfg)
    checked_config.remember(actx, checked_config.check(actx))
    cfg.write_text(cfg.read_text("utf-8") + '\n[ui.keymap]\n"no.such" = "x"\n', "utf-8")
    r = cli("--db", sqlite_url, "--config", str(cfg))
    assert r.code == 2
    assert "unknown binding id(s) ['no.such']" in r.err and "Traceback" not in r.err
    cfg.write_text("language = 5\n", "utf-8")
    r = cli("--db", sqlite_url, "--config", str(cfg))
    assert r.code == 2 and "key language" in r.err, r.err


def test_a_remembered_config_starts_the_first_frame_without_the_config_models(
    home: Path, sqlite_url: str
) -> None:
    """Structural: with the record in place, everything up to the first frame (the app
    built, its first page read) loads neither pydantic's config models nor the ORM."""
    cfg = _config(home / "c.toml")
    actx = AppContext(config_path=cfg)
    checked_config.remember(actx, checked_config.check(actx))
    code = (
        "import sys, pathlib\n"
        "from borgerdesk.context import AppContext\n"
        "from borgerdesk.commands.ui import _quick_start\n"
        "app = _quick_start(AppContext(config_path=pathlib.Path(sys.argv[1]),\n"
        "                               db_override=sys.argv[2]), False)\n"
        "assert app is not None and app.late is not None\n"
        "assert app.first_page.result(timeout=60) is not None\n"
        "print(sorted(m for m in ('store.config.model', 'sqlalchemy', 'store.models')\n"
        "             if m in sys.modules))\n"
    )
    env = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.run(
        [sys.executable, "-c", code, str(cfg), sqlite_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
    assert json.loads(next((home / "cache").rglob(checked_config.RECORD)).read_text())
