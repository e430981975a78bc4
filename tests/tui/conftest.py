"""Fixtures for the UI tests: a migrated SQLite file filled through the real store API
(parties, cases, contacts with mail and call records, reply targets from the real reply
rules), a frozen clock, and an app factory."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from store.cases import create_case
from store.config import Config, load_config_text, preset_text
from store.contacts import add_contact
from store.db import make_engine, session_scope
from store.models import (
    Alert,
    CaseCreate,
    ContactCreate,
    EmailMessage,
    PartyCreate,
    ReplyTarget,
    SyncState,
)
from store.parties import create_party
from store.replies import apply_contacts

# Tuesday 10 March 2026, 11:00 in Copenhagen.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)

HOSTILE_SUBJECTS = [
    "[bold red]x[/]",
    "[@click=app.quit]y[/]",
    "\x1b]52;c;aGk=\x07clip",
    "\x1b[2Jclear",
    "faktura\u202etxt.exe",
    "skjult\u200bord",
    "مرحبا بالعالم",
]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no asyncio plugin needed)."""
    import inspect

    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {a: pyfuncitem.funcargs[a] for a in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@dataclass
class World:
    url: str
    engine: Engine
    config: Config
    ids: dict[str, int]


def make_config(
    *, language: str = "da", wb: bool = True, keymap: dict[str, str] | None = None
) -> Config:
    text = preset_text("odsherred").replace('language = "da"', f'language = "{language}"')
    text += f"\n[ui]\nwhistleblower_register = {'true' if wb else 'false'}\n"
    if keymap:
        text += "[ui.keymap]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in keymap.items())
    return load_config_text(text, "test")


def _mail(
    s: Any,
    config: Config,
    *,
    at: dt.datetime,
    sender: str,
    subject: str,
    body: str,
    ref: str,
    case_id: int | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> int:
    c = add_contact(
        session=s,
        contact_in=ContactCreate(
            channel="email",
            direction="in",
            occurred_at=at,
            counterpart=sender,
            summary=subject,
            source_ref=f"mail:{ref}",
            case_id=case_id,
        ),
    )
    assert c.id is not None
    s.add(
        EmailMessage(
            contact_id=c.id,
            header_hash=ref,
            content_hash=ref,
            subject=subject,
            from_addr=sender,
            text=body,
            sent_at=at,
            attachments=json.dumps(attachments) if attachments else None,
        )
    )
    s.flush()
    apply_contacts(session=s, config=config, contact_ids=[c.id])
    return c.id


def _call(
    s: Any,
    config: Config,
    *,
    at: dt.datetime,
    number: str,
    status: str,
    dur: int,
    ref: str,
    case_id: int | None = None,
) -> int:
    c = add_contact(
        session=s,
        contact_in=ContactCreate(
            channel="phone",
            direction="in",
            occurred_at=at,
            counterpart=number,
            source_ref=f"call:{ref}",
            case_id=case_id,
        ),
    )
    assert c.id is not None
    c.call_status, c.call_duration_s, c.call_raw_number = status, dur, number
    s.add(c)
    s.flush()
    apply_contacts(session=s, config=config, contact_ids=[c.id])
    return c.id


def build_world(url: str, config: Config) -> dict[str, int]:
    engine = make_engine(url)
    ids: dict[str, int] = {}
    d = dt.date(2026, 3, 2)
    at = lambda day, h, m=0: dt.datetime(2026, 3, day, h, m, tzinfo=dt.UTC)  # noqa: E731
    with session_scope(engine) as s:
        hanne = create_party(
            session=s,
            party_in=PartyCreate(
                name="Hanne Hansen", emails=["hanne@example.dk"], phones=["+45 40 11 22 33"]
            ),
        )
        jens = create_party(
            session=s, party_in=PartyCreate(name="Jens Jensen", emails=["jens@example.dk"])
        )
        wbp = create_party(
            session=s, party_in=PartyCreate(name="Whistle Kilde", emails=["kilde@example.dk"])
        )
        for key, party, ref, title, dep, cat in (
            ("c1", hanne, "2026-0001", "Boligstøtte", "Social og Arbejdsmarked", "Vejledning"),
            (
                "c2",
                jens,
                "2026-0002",
                "Klage over sagsbehandling",
                "Børn, Unge og Familier",
                "Klage",
            ),
        ):
            c = create_case(
                session=s,
                case_in=CaseCreate(
                    ref=ref,
                    title=title,
                    department=dep,
                    category=cat,
                    opened_on=d,
                    party_id=party.id,
                ),
            )
            assert c.id is not None
            ids[key] = c.id
        closed = create_case(
            session=s,
            case_in=CaseCreate(
                ref="2026-0003",
                title="Afsluttet vejvisning",
                department="Andet",
                category="Vejledning",
                opened_on=d,
                closed_on=dt.date(2026, 3, 4),
                party_id=jens.id,
            ),
        )
        ids["c3"] = closed.id or 0
        wb = create_case(
            session=s,
            case_in=CaseCreate(
                ref="WB-2026-01",
                title="Hemmelig indberetning",
                kind="whistleblower",
                opened_on=d,
                party_id=wbp.id,
            ),
        )
        ids["wb"] = wb.id or 0
        ids["m_hanne"] = _mail(
            s,
            config,
            at=at(3, 8),
            sender="hanne@example.dk",
            subject="Spørgsmål om boligstøtte",
            body="Hej\nHvornår?",
            ref="h1",
            case_id=ids["c1"],
            attachments=[{"filename": "skema.pdf", "size": 1200}],
        )
        ids["m_wb"] = _mail(
            s,
            config,
            at=at(3, 9),
            sender="kilde@example.dk",
            subject="Fortroligt: hemmelig indberetning",
            body="…",
            ref="wb1",
            case_id=ids["wb"],
        )
        # Triage: unknown senders, hostile text, a call.
        for i, subj in enumerate(HOSTILE_SUBJECTS):
            ids[f"t{i}"] = _mail(
                s,
                config,
                at=at(4 + i // 3, 7 + i),
                sender=f"ukendt{i}@example.dk",
                subject=subj,
                body=f"{subj}\nlinje 2 \x1b[31mrød\x1b[0m",
                ref=f"t{i}",
            )
        ids["call"] = _call(
            s, config, at=at(9, 12), number="+4522334455", status="missed", dur=0, ref="k1"
        )
        ids["m_new"] = _mail(
            s,
            config,
            at=at(10, 7),
            sender="ny.borger@example.dk",
            subject="Hjælp til klage over hjemmehjælp",
            body="Kære rådgiver",
            ref="n1",
        )
        s.add(SyncState(kind="imap", name="raadgiver", folder="INBOX", last_success=at(10, 9, 55)))
        s.add(
            SyncState(
                kind="phone",
                name="phone-inbox",
                last_error="bad file",
                consecutive_failures=2,
                last_error_at=at(10, 9),
            )
        )
        # An overdue alert as the daemon raises it: on a target still open (the header
        # counts an alert only while its cause stands).
        s.add(
            Alert(
                kind="overdue",
                dedupe_key="seed",
                created_at=at(9, 8),
                target_id=open_target(s, ids["t0"]),
                payload=json.dumps({"case": "2026-0001"}),
            )
        )
    engine.dispose()
    return ids


def open_target(s: Any, contact_id: int) -> int:
    """The id of the contact's open reply target."""
    from sqlalchemy import select

    return int(
        s.execute(
            select(ReplyTarget.id).where(
                ReplyTarget.contact_id == contact_id, ReplyTarget.state == "open"
            )
        ).scalar_one()
    )


@pytest.fixture(scope="session")
def _world_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Any) -> Any:
    import shutil

    path = tmp_path_factory.mktemp("tuiworld") / "world.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    ids = build_world(f"sqlite:///{path}", make_config())
    # A case's creation shows in its history ("oprettet"): stamp it from the world's own
    # dates, not the wall clock, so the case snapshots are the same on every run.
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE case_ SET created_at = opened_on || ' 08:00:00.000000'")
    con.close()
    return path, ids


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Any) -> World:
    """The world on a copy of the SQLite template; on PostgreSQL (BORGERDESK_TEST_DATABASE_URL)
    built afresh in `db_url`, with the same ids and dates."""
    import os
    import shutil

    if os.environ.get("BORGERDESK_TEST_DATABASE_URL"):
        url = str(request.getfixturevalue("db_url"))
        pg_ids = build_world(url, make_config())
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE case_ SET created_at = opened_on + time '08:00'")
        yield World(url=url, engine=engine, config=make_config(), ids=pg_ids)
        engine.dispose()
        return
    src, ids = request.getfixturevalue("_world_template")
    dest = tmp_path / "world.sqlite3"
    shutil.copyfile(src, dest)
    os.chmod(dest, 0o600)
    url = f"sqlite:///{dest}"
    engine = make_engine(url)
    yield World(url=url, engine=engine, config=make_config(), ids=dict(ids))
    engine.dispose()


@pytest.fixture
def make_app(world: World) -> Callable[..., Any]:
    from store.desk import Desk
    from tui.app import DeskApp

    def factory(
        config: Config | None = None,
        *,
        demo: bool = False,
        poll: float = 0.0,
        clock: Callable[[], dt.datetime] = lambda: NOW,
    ) -> DeskApp:
        return DeskApp(
            Desk(world.engine, config or world.config, clock=clock), demo=demo, poll_seconds=poll
        )

    return factory


async def wait_for(pilot: Any, cond: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app work until `cond()` holds (workers are threads: give them time)."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


def case_shown(app: Any, ref: str | None = None) -> bool:
    """The case screen is up with its case (`ref`, if given). Its `detail` alone is no
    sign: a case already loaded is handed to the screen before the screen is mounted."""
    from tui.screens.case_detail import CaseDetailScreen

    s = app.screen
    return (
        isinstance(s, CaseDetailScreen)
        and s.is_mounted
        and s.detail is not None
        and (ref is None or s.detail.ref == ref)
    )


def screen_text(app: Any) -> str:
    return "\n".join(s.text for s in app.screen._compositor.render_strips())


async def wait_shows(pilot: Any, text: str, timeout: float = 5.0) -> None:
    """Let the app work until `text` is on the screen. A screen just pushed is the current
    screen before its first layout (a modal one shows only what is behind it until then),
    so asserting on its text right after the push is a race under load."""
    app = pilot.app
    end = time.monotonic() + timeout
    while text not in screen_text(app):
        if time.monotonic() > end:
            raise AssertionError(f"{text!r} not on the screen in time:\n{screen_text(app)}")
        await pilot.pause(0.02)


@pytest.fixture
def mailed(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The UI world with the advisor's mailbox (pymap) and outgoing server (aiosmtpd):
    (app, IMAP server, SMTP server)."""
    from ingest.mail.embedded_server import EmbeddedServer
    from ingest.mail.reply_send import send_reply
    from store.config.mail import Mail, MailAccount
    from store.desk import Desk
    from store.desk.replies import ReplyDesk
    from tests.servers.smtp import smtp_server
    from tui.app import DeskApp

    srv = EmbeddedServer({"INBOX": [], "Sent": []}).start()
    monkeypatch.setenv("BD_TEST_IMAP_PW", srv.password)
    try:
        with smtp_server(tmp_path / "smtp", srv.password) as smtp:
            acct = MailAccount(
                name="raadgiver",
                host=srv.host,
                port=srv.port,
                security="none",
                username=srv.username,
                password_env="BD_TEST_IMAP_PW",
                smtp_host=smtp.host,
                smtp_port=smtp.port,
                ca_file=smtp.ca,
                from_address="raadgiver@odsherred.dk",
                folders=["INBOX", "Sent"],
                save_to_sent="append",
                sent_folder="Sent",
            )
            config = world.config.model_copy(update={"mail": Mail(accounts=[acct])})
            engine = world.engine
            replies = ReplyDesk(engine, config, send=lambda i: send_reply(engine, config, i))
            app = DeskApp(
                Desk(engine, config, clock=lambda: NOW), replies=replies, poll_seconds=0.0
            )
            yield app, srv, smtp
    finally:
        srv.stop()
