"""The README's first command, as a newcomer runs it: a fresh clone, a fresh HOME,
`uv run borgerdesk demo` in a real terminal (tmux). Each screen opens, the app quits
cleanly, and nothing is left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed"),
]


def _tmux(*args: str, socket: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, check=False
    ).stdout


def _wait_for(socket: str, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", "demo", socket=socket)
        if text in screen:
            return screen
        time.sleep(0.5)
    raise AssertionError(f"{text!r} did not appear within {timeout} s; screen:\n{screen}")


def test_demo_in_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "borgerdesk"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    cache = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")
    # The user's environment (proxies, CA bundles) with a brand-new HOME: nothing of a
    # previous borgerdesk set-up is visible, and the uv cache is shared to spare downloads.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BORGERDESK_", "XDG_", "VIRTUAL_ENV", "PYTEST", "UV_PROJECT"))
    }
    env.update(
        {
            "HOME": str(home),
            "TERM": "xterm-256color",
            "UV_CACHE_DIR": cache,
            "TMPDIR": str(tmp_path / "tmp"),
            "LANG": "C.UTF-8",
        }
    )
    # pyenv's shims find their interpreters under PYENV_ROOT, by default in HOME.
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    if Path(pyenv_root).is_dir():
        env["PYENV_ROOT"] = pyenv_root
    (tmp_path / "tmp").mkdir()
    socket = f"bd-{os.getpid()}"
    # Textual draws on stderr, so nothing is redirected; a failure shows the screen,
    # and the shell stays open afterwards so the last screen can be read.
    cmd = f"cd {clone} && uv run --quiet borgerdesk demo; echo EXIT=$? > {tmp_path}/exit; sleep 30"
    subprocess.run(
        [
            "tmux",
            "-L",
            socket,
            "new-session",
            "-d",
            "-s",
            "demo",
            "-x",
            "120",
            "-y",
            "40",
            "env",
            "-i",
            *[f"{k}={v}" for k, v in env.items()],
            "bash",
            "-c",
            cmd,
        ],
        check=True,
    )
    try:
        # The header names the screen after the DEMO mark; the key bar names every
        # screen all the time, so each check waits for the header and the screen's body.
        _wait_for(socket, "DEMO  Indbakke │", timeout=240)
        _wait_for(socket, "Indbakke: ", timeout=30)
        for key, title, body in (
            ("2", "Sager", "Afdeling"),
            ("3", "Svarfrister", "OVERSKREDET"),
            ("4", "Statistik", "Antal henvendere"),
            ("1", "Indbakke", "Svarfrist"),
        ):
            _tmux("send-keys", "-t", "demo", key, socket=socket)
            _wait_for(socket, f"DEMO  {title} │", timeout=30)
            _wait_for(socket, body, timeout=30)
        _tmux("send-keys", "-t", "demo", "C-q", socket=socket)
        deadline = time.monotonic() + 30
        while not (tmp_path / "exit").exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert (tmp_path / "exit").read_text().strip() == "EXIT=0"
    finally:
        _tmux("kill-server", socket=socket)
    # The demo cleaned up its temporary folder and never wrote a config into HOME.
    assert not list((tmp_path / "tmp").glob("borgerdesk-demo-*"))
    assert not (home / ".config" / "borgerdesk").exists()
