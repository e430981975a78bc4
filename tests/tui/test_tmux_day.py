"""A whole working day played on the installed `borgerdesk` console script in a real
terminal (tmux), each step checked in the database: a walk-in registered as a new case,
mail triaged with the thread suggestion taken, a wrong link moved, a "not a case"
undone, two parties merged, a case reclassified and closed, Statistik checked."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, create_engine, select

from store.db import make_engine, session_scope
from store.models import Case, Contact, Party, PartyCreate
from store.parties import create_party
from tests.tui.conftest import _mail, build_world, make_config
from tests.tui.test_tmux import SCRIPT, _tmux, _wait_screen

# Each wait names text of the dialog it waits for, never a key bar label: the key bar
# shows "Ny henvendelse", "Ny sag", "Søg" all along, and text typed before the dialog is
# up goes to the list behind it as keys.
SEARCH_HINT = "Borger, sag, henvendelse"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.mark.slow
def test_a_whole_day_in_tmux(tmp_path: Path) -> None:
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
    config = make_config()
    ids = build_world(url, config)
    setup = make_engine(url)
    with session_scope(setup) as s:
        # The same sender writes again (the thread suggestion), and Hanne exists twice.
        ids["m_new2"] = _mail(
            s,
            config,
            at=dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC),
            sender="ny.borger@example.dk",
            subject="Glemte at nævne",
            body="…",
            ref="n2",
        )
        dup = create_party(
            session=s, party_in=PartyCreate(name="Hanne Hansen", phones=["40112233"])
        )
        dup_id = dup.id
    setup.dispose()
    engine = create_engine(url)

    def until(cond: Callable[[Session], bool], what: str, timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        while True:
            with Session(engine) as s:
                if cond(s):
                    return
            assert time.monotonic() < end, f"never in the database: {what}\n" + _tmux(
                sock, "capture-pane", "-p", "-t", "desk"
            )
            time.sleep(0.2)

    sock = f"borgerdesk-day-{os.getpid()}"
    cmd = " ".join(
        [
            "env",
            f"HOME={home}",
            f"XDG_CONFIG_HOME={home}/.config",
            f"XDG_DATA_HOME={home}/.local/share",
            f"XDG_STATE_HOME={home}/.state",
            str(SCRIPT),
            "--db",
            url,
        ]
    )

    def keys(*k: str) -> None:
        for key in k:
            _tmux(sock, "send-keys", "-t", "desk", key)
            time.sleep(0.15)

    def type_(text: str) -> None:
        _tmux(sock, "send-keys", "-t", "desk", "-l", text)
        time.sleep(0.3)

    def wait(needle: str) -> str:
        return _wait_screen(sock, needle)

    def open_case(ref: str) -> None:
        keys("/")
        wait(SEARCH_HINT)
        type_(ref)
        time.sleep(1.0)
        keys("Enter")
        wait("Historik")

    _tmux(sock, "new-session", "-d", "-s", "desk", "-x", "120", "-y", "40", cmd)
    try:
        wait("Hjælp til klage")
        # 1. A walk-in at the library: a new contact, a new party, filed as a new case.
        keys("N")
        wait("Indhold")  # the form's field: "Ny henvendelse" is on the key bar all along
        type_("Spurgte om boligstøtte til ældre")
        keys("Tab", "Tab")  # past the field's own focus to the party
        wait("Borger")
        _tmux(sock, "send-keys", "-t", "desk", "-l", "Vera Walk")
        time.sleep(1.5)
        keys("Enter")  # "Ny borger: Vera Walk"
        keys("C-s")
        wait("opret sagen")  # the new-case form's hint: "Ny sag" is on the key bar
        keys("C-s", "C-s")  # no department yet: the warning, then on purpose
        until(
            lambda s: (
                s.exec(
                    select(Contact).where(
                        Contact.summary == "Spurgte om boligstøtte til ældre",
                        Contact.case_id.is_not(None),
                    )
                ).first()
                is not None
            ),  # type: ignore[union-attr]
            "the walk-in's case",
        )
        # 2. Mail triaged: a new case, and the sender's other mail with one key.
        wait("Glemte at nævne")
        keys("g", "Home")
        keys("n")
        wait("Oprettet")
        keys("C-s", "C-s")
        wait("tilknyt dem alle")  # the suggestion, naming the other mail
        assert "Glemte at nævne" in wait("ventende fra samme afsender")
        keys("l")
        until(
            lambda s: (
                (a := s.get(Contact, ids["m_new"])) is not None
                and (b := s.get(Contact, ids["m_new2"])) is not None
                and a.case_id is not None
                and a.case_id == b.case_id
            ),
            "the thread linked",
        )
        # 3. A "not a case" undone.
        wait("1–8 af 8")  # the list without the two linked mails: the dialog is gone
        keys("x")
        wait("Ikke en sag – begrundelse")
        type_("reklame")
        keys("Enter")
        until(
            lambda s: (
                s.exec(select(Contact).where(Contact.dismissed_reason == "reklame")).first()
                is not None
            ),
            "the dismissal",
        )
        keys("d")
        wait("reklame")
        keys("u")
        until(
            lambda s: (
                s.exec(
                    select(Contact).where(
                        Contact.dismissed_reason == "reklame", Contact.dismissed.is_(True)
                    )
                ).first()
                is None
            ),  # type: ignore[attr-defined]
            "the undo",
        )
        keys("Escape")
        # 4. A wrong link moved: Hanne's mail belongs in Jens's case.
        open_case("2026-0001")
        keys("v")
        wait("flyttes")
        keys("Enter")
        wait("Tilknyt til sag")
        type_("2026-0002")
        time.sleep(1.0)
        keys("Enter")
        until(
            lambda s: (c := s.get(Contact, ids["m_hanne"])) is not None and c.case_id == ids["c2"],
            "the move",
        )
        # 5. Two parties merged (Hanne twice, the same phone).
        keys("p")
        wait("dubletter")
        keys("C-g")
        wait("Sammenlæg")
        keys("j")
        until(lambda s: s.get(Party, dup_id) is None, "the merge")
        keys("Escape")
        # 6. A case reclassified and closed.
        open_case("2026-0002")
        keys("c")
        wait("(ingen)")  # the form's empty dropdowns (the key bar says Klassificér too)
        time.sleep(0.5)
        keys("Enter")
        time.sleep(0.5)
        type_("V")  # jump to Vejledning
        time.sleep(0.5)
        keys("Enter")
        time.sleep(0.5)
        keys("C-s")
        until(
            lambda s: (c := s.get(Case, ids["c2"])) is not None and c.category == "Vejledning",
            "the reclassification",
        )
        keys("s")
        until(
            lambda s: (c := s.get(Case, ids["c2"])) is not None and c.closed_on is not None,
            "the closing",
        )
        keys("Escape")
        # 7. Statistik.
        keys("4")
        screen = wait("Sum")
        assert "Traceback" not in screen
        keys("C-q")
        end = time.monotonic() + 10
        while "desk" in _tmux(sock, "list-sessions"):
            assert time.monotonic() < end, "the app did not quit"
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=10)
        engine.dispose()
