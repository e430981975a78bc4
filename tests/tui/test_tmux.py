"""End to end: the installed `borgerdesk` console script in a real terminal (tmux)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine

from store.models import Contact
from tests.tui.conftest import build_world, make_config

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".venv" / "bin" / "borgerdesk"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=10
    ).stdout


def _wait_screen(sock: str, needle: str, timeout: float = 20.0) -> str:
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end:
        text = _tmux(sock, "capture-pane", "-p", "-t", "desk")
        if needle in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} not on screen:\n{text}")


@pytest.mark.slow
def test_console_script_in_tmux(tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("console script not installed (uv sync)")
    db = tmp_path / "desk.sqlite3"
    url = f"sqlite:///{db}"
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "TERM": "xterm-256color",
    }
    env.pop("BORGERDESK_CONFIG", None)
    env.pop("BORGERDESK_DATABASE_URL", None)
    up = subprocess.run(
        [str(SCRIPT), "--db", url, "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert up.returncode == 0, up.stderr
    ids = build_world(url, make_config())
    sock = f"borgerdesk-test-{os.getpid()}"
    cmd = " ".join(
        [
            "env",
            f"HOME={home}",
            f"XDG_CONFIG_HOME={home}/.config",
            f"XDG_DATA_HOME={home}/.local/share",
            str(SCRIPT),
            "--db",
            url,
        ]
    )
    _tmux(sock, "new-session", "-d", "-s", "desk", "-x", "100", "-y", "30", cmd)
    try:
        screen = _wait_screen(sock, "Hjælp til klage")
        assert "Indbakke" in screen and "[bold red]x[/]" in screen
        assert "\x1b" not in screen
        # "Not a case" on the newest contact, with a reason.
        _tmux(sock, "send-keys", "-t", "desk", "x")
        _wait_screen(sock, "begrundelse")
        _tmux(sock, "send-keys", "-t", "desk", "-l", "spam")
        _tmux(sock, "send-keys", "-t", "desk", "Enter")
        engine = create_engine(url)
        end = time.monotonic() + 10
        while True:
            with Session(engine) as s:
                c = s.get(Contact, ids["m_new"])
                if c is not None and c.dismissed:
                    assert c.dismissed_reason == "spam"
                    break
            assert time.monotonic() < end, "the dismissal never reached the database"
            time.sleep(0.2)
        engine.dispose()
        # The cases screen, then quit.
        _tmux(sock, "send-keys", "-t", "desk", "2")
        _wait_screen(sock, "2026-0001")
        _tmux(sock, "send-keys", "-t", "desk", "C-q")
        end = time.monotonic() + 10
        while "desk" in _tmux(sock, "list-sessions"):
            assert time.monotonic() < end, "the app did not quit"
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=10)


@pytest.mark.slow
def test_demo_closed_by_its_terminal_leaves_nothing_behind(tmp_path: Path) -> None:
    """Closing the terminal window (SIGHUP) cleans up like ctrl+q: the generated mailbox,
    phone export and database are removed."""
    if not SCRIPT.exists():
        pytest.skip("console script not installed (uv sync)")
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    sock = f"borgerdesk-demo-hup-{os.getpid()}"
    cmd = " ".join(
        [
            "env",
            f"HOME={home}",
            f"XDG_CONFIG_HOME={home}/.config",
            f"TMPDIR={tmp}",
            "TERM=xterm-256color",
            str(SCRIPT),
            "demo",
        ]
    )
    _tmux(sock, "new-session", "-d", "-s", "desk", "-x", "100", "-y", "30", cmd)
    try:
        _wait_screen(sock, "Indbakke: ", timeout=120)
        assert list(tmp.glob("borgerdesk-demo-*"))  # the demo's folder, while it runs
    finally:
        _tmux(sock, "kill-server")  # hangs up the pane: SIGHUP to the demo
    end = time.monotonic() + 20
    while list(tmp.glob("borgerdesk-demo-*")) and time.monotonic() < end:
        time.sleep(0.2)
    assert not list(tmp.glob("borgerdesk-demo-*"))
