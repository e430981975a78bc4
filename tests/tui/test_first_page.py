"""The desk's second read path (issue 20): Indbakke's first page read with the standard
library's sqlite3 (`store.desk.first_page`) must be the page `Desk.triage` reads through
the ORM, row for row, under every filter; and the path must load no SQLAlchemy."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from store.contacts import add_contact
from store.db import session_scope
from store.desk import Desk, first_page
from store.desk.late import LateDesk
from store.desk.rows import TriageFilter
from store.models import Contact, ContactCreate, PartyCreate, ReplyOutbox
from store.parties import create_party
from store.replies import apply_contacts
from tests.tui.conftest import NOW, World, _call, _mail, screen_text, wait_for

ROOT = Path(__file__).resolve().parents[2]


def add_edge_cases(world: World) -> dict[str, int]:
    """Contacts beside the world's: a hidden number, a party with Danish letters, times
    either side of the switch to summer time (29 March 2026, 01:00 UTC), an outgoing
    reply, an answered call, a dismissed contact and one on the whistleblower case."""
    from store.desk.commands import dismiss

    ids: dict[str, int] = {}
    cfg = world.config
    with session_scope(world.engine) as s:
        create_party(
            session=s, party_in=PartyCreate(name="Søren Ærø-Åberg", emails=["soeren@example.dk"])
        )
        ids["hidden"] = _call(
            s,
            cfg,
            at=dt.datetime(2026, 3, 9, 13, tzinfo=dt.UTC),
            number="",
            status="missed",
            dur=0,
            ref="hidden",
        )
        with s.no_autoflush:
            c = add_contact(
                session=s,
                contact_in=ContactCreate(
                    channel="phone",
                    direction="in",
                    counterpart=None,
                    source_ref="call:anon",
                    occurred_at=dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC),
                ),
            )
        c.call_status, c.call_duration_s = "answered", 75
        s.add(c)
        s.flush()
        assert c.id is not None
        apply_contacts(session=s, config=cfg, contact_ids=[c.id])
        ids["anon"] = c.id
        ids["dst_before"] = _mail(
            s,
            cfg,
            at=dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),
            sender="soeren@example.dk",
            subject="Før sommertid æøå",
            body="x",
            ref="dst1",
        )
        ids["dst_after"] = _mail(
            s,
            cfg,
            at=dt.datetime(2026, 3, 29, 1, 0, 1, tzinfo=dt.UTC),
            sender="soeren@example.dk",
            subject="",
            body="\n  Første linje",
            ref="dst2",
        )
        out = add_contact(
            session=s,
            contact_in=ContactCreate(
                channel="email",
                direction="out",
                counterpart="hanne@example.dk",
                summary="Svar",
                source_ref="mail:out1",
                occurred_at=dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC),
            ),
        )
        assert out.id is not None
        apply_contacts(session=s, config=cfg, contact_ids=[out.id])
        ids["out"] = out.id
        ids["dismissed"] = _mail(
            s,
            cfg,
            at=dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC),
            sender="spam@example.dk",
            subject="Tilbud",
            body="x",
            ref="spam",
        )
        ids["wb_new"] = _mail(
            s,
            cfg,
            at=dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC),
            sender="kilde@example.dk",
            subject="Mere fortroligt",
            body="…",
            ref="wb2",
            case_id=world.ids["wb"],
        )
    with session_scope(world.engine) as s:
        dismiss(session=s, config=cfg, contact_ids=[ids["dismissed"]], reason="spam")
        # Assigned to a person, and desk replies that have not gone (the newest counts; a
        # sent one hides nothing older, a failed one shows its reason).
        s.get(Contact, ids["dst_before"]).assigned_to = "anne"  # type: ignore[union-attr]
        for cid, state, error, retry in (
            (ids["dst_after"], "sent", None, None),
            (ids["dst_after"], "failed", "550 mailbox unavailable", None),
            (ids["hidden"], "queued", "cannot connect", dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC)),
            (ids["anon"], "uncertain", "uncertain: check Sent (connection lost)", None),
        ):
            s.add(
                ReplyOutbox(
                    os_user="anne",
                    account="a",
                    contact_id=cid,
                    message_id=f"<{cid}.{state}@odsherred.dk>",
                    to_addr="x@example.dk",
                    subject="Sv",
                    raw=b"x",
                    state=state,
                    last_error=error,
                    attempts=1,
                    next_attempt_at=retry,
                )
            )
            s.flush()
    return ids


def test_the_first_page_is_the_desks_page_under_every_filter(world: World) -> None:
    ids = add_edge_cases(world)
    desk = Desk(world.engine, world.config)
    con = first_page.connect(world.url)
    assert con is not None
    try:
        pages = 0
        for filt in TriageFilter:
            for offset, limit in ((0, 100), (0, 3), (3, 4), (100, 100)):
                # Before every due time, between, and after all of them.
                for now in (NOW - dt.timedelta(days=30), NOW, NOW + dt.timedelta(days=60)):
                    desk.clock = lambda now=now: now
                    orm = desk.triage(offset=offset, limit=limit, filt=filt)
                    light = first_page.read(con, now=now, offset=offset, limit=limit, filt=filt)
                    assert light == orm, (filt, offset, limit, now)
                    pages += len(light.rows)
        assert pages > 0
        everything = first_page.read(con, now=NOW, limit=100)
    finally:
        con.close()
    by_id = {r.contact_id: r for r in everything.rows}
    assert by_id[ids["hidden"]].who == "" and by_id[ids["anon"]].who == ""
    assert by_id[ids["dst_before"]].who == "Søren Ærø-Åberg"
    assert by_id[ids["dst_before"]].subject == "Før sommertid æøå"
    assert by_id[ids["dst_after"]].occurred_at == dt.datetime(2026, 3, 29, 1, 0, 1, tzinfo=dt.UTC)
    assert by_id[ids["dst_before"]].reply is not None
    assert {r.reply.status for r in everything.rows if r.reply} >= {"overdue"}
    assert ids["dismissed"] not in by_id and ids["wb_new"] not in by_id
    assert world.ids["m_wb"] not in by_id
    assert by_id[ids["dst_before"]].assigned_to == "anne"
    shown = {cid: (r.outbox.state, r.outbox.reason) for cid, r in by_id.items() if r.outbox}
    assert shown == {
        ids["dst_after"]: ("failed", "550 mailbox unavailable"),
        ids["hidden"]: ("queued", "cannot connect"),
        ids["anon"]: ("uncertain", "connection lost"),
    }
    assert by_id[ids["hidden"]].outbox.retry_at == dt.datetime(  # type: ignore[union-attr]
        2026, 3, 11, 8, tzinfo=dt.UTC
    )


def test_anything_unusual_takes_the_full_path(world: World, tmp_path: Path) -> None:
    """None, so the caller opens the database the full way, which says what is wrong."""
    assert first_page.connect("postgresql+psycopg://u@localhost/x") is None
    assert first_page.connect(f"sqlite:///{tmp_path / 'missing.sqlite3'}") is None
    (tmp_path / "empty.sqlite3").touch()
    assert first_page.connect(f"sqlite:///{tmp_path / 'empty.sqlite3'}") is None
    assert first_page.connect("sqlite://") is None
    assert first_page.connect(f"sqlite:///{tmp_path}") is None  # a folder
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database" * 100)
    assert first_page.connect(f"sqlite:///{tmp_path / 'junk.sqlite3'}") is None
    old = tmp_path / "old.sqlite3"
    shutil.copyfile(world.url.removeprefix("sqlite:///"), old)
    con = sqlite3.connect(old)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '0009_older'")
    con.close()
    before = old.read_bytes()
    assert first_page.connect(f"sqlite:///{old}") is None
    assert old.read_bytes() == before
    locked = tmp_path / "locked.sqlite3"
    shutil.copyfile(world.url.removeprefix("sqlite:///"), locked)
    assert first_page.connect(f"sqlite:///{locked}") is not None  # (closed when collected)
    locked.chmod(0o444)
    assert first_page.connect(f"sqlite:///{locked}") is None


def test_the_first_page_connection_cannot_write(world: World) -> None:
    con = first_page.connect(world.url)
    assert con is not None
    try:
        with pytest.raises(sqlite3.OperationalError):
            con.execute("DELETE FROM contact")
    finally:
        con.close()


def test_the_first_frames_modules_load_no_orm() -> None:
    """Structural: the UI's modules and the first page's reader import neither SQLAlchemy,
    SQLModel nor the ORM models (those load after the first frame)."""
    code = (
        "import sys\n"
        "import tui.app, store.desk.first_page\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'store.models', 'alembic',\n"
        "                         'store.desk.service') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


# ----------------------------------------------------------- the app on a LateDesk


def _late(
    world: World,
    gate: threading.Event,
    fail: BaseException | None = None,
    *,
    config_known: bool = True,
) -> LateDesk:
    """A LateDesk whose Desk loads only once `gate` is set (or then fails with `fail`)."""
    con = first_page.connect(world.url)
    assert con is not None

    def load(clock: Any) -> Desk:
        assert gate.wait(30)
        if fail is not None:
            raise fail
        return Desk(world.engine, world.config, clock=clock)

    return LateDesk(
        world.config if config_known else None,
        con,
        load,
        language="da",
        keymap={},
        clock=lambda: NOW,
    )


async def test_the_first_frame_has_rows_before_the_desk_is_loaded(world: World) -> None:
    """Rows on screen while the Desk cannot load yet; a key pressed meanwhile (open the
    case list, then a case) is answered once it has loaded, not lost."""
    from tui.app import DeskApp
    from tui.screens.case_detail import CaseDetailScreen
    from tui.screens.cases import CasesScreen
    from tui.screens.triage import TriageScreen

    gate = threading.Event()
    late = _late(world, gate)
    app = DeskApp(late, poll_seconds=0.0)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(
                pilot, lambda: isinstance(app.screen, TriageScreen) and bool(app.screen.rows)
            )
            assert not late.ready
            assert "ny.borger@example.dk" in screen_text(app)  # the newest contact
            assert "Indbakke" in screen_text(app)
            await pilot.press("j", "k")  # list moves need no Desk
            await pilot.press("2")  # Sager: its page waits for the Desk in a worker
            await pilot.pause(0.2)
            assert not late.ready
            gate.set()
            await wait_for(
                pilot, lambda: isinstance(app.screen, CasesScreen) and bool(app.screen.rows)
            )
            assert late.ready
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CaseDetailScreen))
    finally:
        gate.set()


async def test_a_key_that_needs_the_config_waits_for_it(world: World) -> None:
    """A remembered config is validated with the Desk: Whistleblower's key (which asks
    the config whether the register is on) pressed before that is answered after it."""
    from tui.app import DeskApp
    from tui.screens.triage import TriageScreen
    from tui.screens.whistleblower import WhistleblowerScreen

    gate = threading.Event()
    late = _late(world, gate, config_known=False)
    app = DeskApp(late, poll_seconds=0.0)
    timer = threading.Timer(0.5, gate.set)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(
                pilot, lambda: isinstance(app.screen, TriageScreen) and bool(app.screen.rows)
            )
            assert not late.ready
            timer.start()
            await pilot.press("5")
            await wait_for(pilot, lambda: isinstance(app.screen, WhistleblowerScreen))
            assert late.ready
    finally:
        gate.set()
        timer.cancel()


async def test_a_desk_that_cannot_load_ends_the_ui_with_its_error(world: World) -> None:
    from store.db import DatabaseError
    from tui.app import DeskApp
    from tui.screens.triage import TriageScreen

    gate = threading.Event()
    late = _late(world, gate, DatabaseError("x.sqlite3: the database is damaged"))
    app = DeskApp(late, poll_seconds=0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, TriageScreen) and bool(app.screen.rows)
        )
        gate.set()
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 2
    assert isinstance(late.error(), DatabaseError)


async def test_a_key_waiting_for_a_desk_that_cannot_load_ends_without_a_traceback(
    world: World,
) -> None:
    """The Desk's load fails while a key on the UI thread waits for the config (the
    remembered config is validated with the Desk): the UI still ends with exit 2 and the
    load's own error, not with the key handler's traceback."""
    from store.db import DatabaseError
    from tui.app import DeskApp
    from tui.screens.triage import TriageScreen

    gate = threading.Event()
    late = _late(
        world, gate, DatabaseError("x.sqlite3: the database is damaged"), config_known=False
    )
    app = DeskApp(late, poll_seconds=0.0)
    timer = threading.Timer(0.3, gate.set)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(
                pilot, lambda: isinstance(app.screen, TriageScreen) and bool(app.screen.rows)
            )
            timer.start()
            await pilot.press("5")  # Whistleblower: asks the config, on the UI thread
            await wait_for(pilot, lambda: not app.is_running)
    finally:
        gate.set()
        timer.cancel()
    assert app.return_code == 2
    assert isinstance(late.error(), DatabaseError)
