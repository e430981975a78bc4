"""The day's corrections as a script does them: the installed `borgerdesk` console script
run in a real terminal (tmux), checked on screen and in the database afterwards."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from store.models import AuditLog, Case, Contact, Party

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".venv" / "bin" / "borgerdesk"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=10
    ).stdout


@pytest.mark.slow
def test_a_day_of_corrections_by_the_console_script(tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("console script not installed (uv sync)")
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    home = tmp_path / "home"
    home.mkdir()
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[taxonomy]\ncategories = ["Vejledning", "Klage"]\n'
        '[[taxonomy.departments]]\nname = "Andet"\n',
        "utf-8",
    )
    bd = f"{SCRIPT} --config {cfg} --db {url}"
    steps = [
        "db upgrade",
        # A walk-in registered as a new case; a letter from the same person, filed wrong.
        "contact add --channel meeting --at '01-12-2026 10:30' --party 'new:Karen Holm' "
        "--new-case --department Andet --category Vejledning",
        "contact add --channel phone --at 2026-12-01T11:00 --party 'new:Karen  holm' "
        "--new-case --category Klage",
        "contact add --channel letter --at '02-12-2026 09:00' --party 'id:2' --case 2026-0002",
        # The wrong link moved, the duplicate merged, a "not a case" undone.
        "contact move 3 --case 2026-0001",
        "party merge id:1 id:2",
        "contact add --channel email --party 1",
        "contact dismiss 4 --reason Nyhedsbrev",
        "contact undismiss 4",
        "contact unlink 9",  # no such contact: one line, exit 2
    ]
    script = "; ".join(f"{bd} {s}; echo rc=$?" for s in steps) + "; echo ALL-DONE"
    env_cmd = (
        f"env HOME={home} XDG_CONFIG_HOME={home}/.config "
        f"XDG_DATA_HOME={home}/.local/share sh -c {shlex.quote(script)}; sleep 60"
    )
    sock = f"borgerdesk-cli-{os.getpid()}"
    _tmux(sock, "new-session", "-d", "-s", "day", "-x", "200", "-y", "60", env_cmd)
    try:
        # Each command starts Python afresh (seconds each on a busy machine).
        end = time.monotonic() + 240
        screen = ""
        while time.monotonic() < end and "ALL-DONE" not in screen:
            time.sleep(0.3)
            screen = _tmux(sock, "capture-pane", "-p", "-J", "-S", "-200", "-t", "day")
        assert "ALL-DONE" in screen, screen
    finally:
        _tmux(sock, "kill-server")
    lines = [ln for ln in screen.splitlines() if ln.strip()]
    assert [ln for ln in lines if ln.startswith("rc=")] == ["rc=0"] * 9 + ["rc=2"], screen
    assert "henvendelse 1 registreret (01-12-2026 10:30), i sag 2026-0001" in screen
    assert "henvendelse 3: flyttet til sag 2026-0001" in screen
    assert (
        "part 2 lagt sammen med part 1: 0 adresse(r), 2 henvendelse(r), 1 sag(er) flyttet" in screen
    )
    assert "borgerdesk: error: no contact with id 9" in screen
    assert "Traceback" not in screen
    engine = create_engine(url)
    with Session(engine) as s:
        assert [c.case_id for c in s.exec(select(Contact).order_by(Contact.id))] == [1, 2, 1, None]
        assert {c.party_id for c in s.exec(select(Contact))} == {1}
        assert s.exec(select(Party.id)).all() == [1]
        assert s.get(Case, 2).party_id == 1  # type: ignore[union-attr]
        assert not s.get(Contact, 4).dismissed  # type: ignore[union-attr]
        actions = set(s.exec(select(AuditLog.action)).all())
    engine.dispose()
    assert {"add_contact", "move", "merge", "dismiss", "undismiss"} <= actions
