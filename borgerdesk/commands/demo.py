"""`borgerdesk demo`: the whole product working on generated data, never the user's own.

An embedded IMAP server (pymap) on a free loopback port serves a generated year of mail;
a generated phone-log export lands in a temporary inbox folder; the real ingestion (the
daemon's own sync, inbox scan and alert evaluation) fills a temporary database; then the
UI opens on it with a DEMO mark. Everything lives in a temporary folder that is removed on
exit, unless --keep names a folder to keep it in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from borgerdesk.texts import Lang, say
from store.errors import UserError
from store.timeutil import CPH

# The store, the mail server and the UI come in inside the command: typer imports this
# module to read the arguments, and a usage error or --help must not pay for them.
if TYPE_CHECKING:
    from rich.console import Console

PASSWORD_ENV = "BORGERDESK_DEMO_PASSWORD"
# Before its config exists, the demo speaks its preset's language (Danish, the default).
DEMO_LANG: Lang = "da"


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's): a path with a quote or a
    backslash stays one value."""
    return json.dumps(text, ensure_ascii=False)


def _with_database(preset_text: str, url: str) -> str:
    """The preset with its [database] section naming `url`, so the kept config opens the
    demo's database (`borgerdesk --config KEPT/config.toml ...`), not the user's own."""
    line = f"# The demo's own database (added by 'borgerdesk demo').\nurl = {_toml_string(url)}\n"
    header = re.compile(r"^\[database\][ \t]*(#.*)?$", re.MULTILINE)
    match = header.search(preset_text)
    if match is None:
        return f"{preset_text.rstrip()}\n\n[database]\n{line}"
    return f"{preset_text[: match.end()]}\n{line}{preset_text[match.end() + 1 :]}"


def demo_config_text(
    preset: str,
    *,
    port: int,
    username: str,
    inbox: Path,
    smtp_port: int | None = None,
    database: str | None = None,
) -> str:
    """The preset plus a mail account on the embedded server and the phone inbox (and,
    with `smtp_port`, sending through the demo's submission sink; with `database`, the
    demo's database URL in [database])."""
    from store.config import preset_text

    smtp = (
        ""
        if smtp_port is None
        else f"""# Replies go to the demo's own SMTP sink, which
# files them in Sent (as Microsoft 365 does; hence save_to_sent = "never"). Plain SMTP only
# because it is on loopback.
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_security = "none"
from_address = "{username}"
from_name = "Borgerrådgiveren"
save_to_sent = "never"
"""
    )
    base = preset_text(preset)
    if database is not None:
        base = _with_database(base, database)
    return (
        base
        + f"""
# --- added by 'borgerdesk demo' -------------------------------------------------------
[[mail.accounts]]
name = "demo"
host = "127.0.0.1"
port = {port}
# Plain IMAP is allowed only because the demo server is on loopback.
security = "none"
username = "{username}"
password_env = "{PASSWORD_ENV}"
folders = ["INBOX", "Sent"]
internal_domains = ["odsherred.dk"]
{smtp}
[phone]
inbox = {_toml_string(inbox.as_posix())}
stable_seconds = 0
"""
    )


def demo(
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the demo's files in this folder.")
    ] = None,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Ingest and print a summary; do not open the UI.")
    ] = False,
) -> None:
    """Show borgerdesk on a generated year of mail and calls.

    It never touches your real config or database: everything lives in a temporary
    folder that is removed on exit, unless --keep names a folder to keep it in.

    Examples:
      borgerdesk demo
      borgerdesk demo --keep ./borgerdesk-demo
      borgerdesk demo --no-ui
    """
    from rich.console import Console

    if keep is not None and keep.exists():
        if not keep.is_dir():
            raise UserError(f"--keep {keep}: not a folder; name a new or empty folder")
        if any(keep.iterdir()):
            raise UserError(f"--keep {keep}: the folder is not empty; name a new or empty folder")
    # Closing the terminal window sends SIGHUP, whose default ends the process without
    # running the clean-up below: the generated mailbox and database stayed in /tmp.
    # As an exception it unwinds through the `finally`s like ctrl+q does.
    signal.signal(signal.SIGHUP, _hang_up)
    root = keep or Path(tempfile.mkdtemp(prefix="borgerdesk-demo-"))
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    console = Console(highlight=False, stderr=no_ui is False)
    servers: list[Any] = []
    try:
        engine, config = _prepare(root, console, servers)
        try:
            if no_ui:
                _summary(engine, config, Console(highlight=False))
            else:
                from ingest.mail.reply_send import send_reply
                from store.desk import Desk
                from store.desk.replies import ReplyDesk
                from tui.app import DeskApp

                replies = ReplyDesk(engine, config, send=lambda i: send_reply(engine, config, i))
                DeskApp(Desk(engine, config), replies=replies, demo=True).run()
        finally:
            engine.dispose()
    finally:
        for server in servers:
            server.stop()
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            Console(stderr=True).print(say("demo.kept", DEMO_LANG, path=keep), markup=False)


def _hang_up(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _prepare(root: Path, console: Console, servers: list[Any]):  # type: ignore[no-untyped-def]
    """Generate, serve and ingest the demo. The IMAP server (and the submission sink,
    where aiosmtpd is installed) keep running, in `servers`, so the desk can send."""
    from borgerdesk.commands.mail import _RichProgress
    from ingest.daemon.scheduler import Daemon
    from ingest.demo import citizens, demo_mailbox, demo_phone_log, demo_register
    from ingest.mail.embedded_server import EmbeddedServer
    from ingest.mail.embedded_smtp import SubmissionSink
    from ingest.mail.embedded_smtp import available as sink_available
    from ingest.mail.sync import sync_all
    from store.config import load_config_text
    from store.counts.words import number
    from store.db import make_engine, upgrade
    from store.register.importer import import_register
    from store.samples import write_register_csv

    t0 = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    people = citizens()
    inbox = root / "phone-inbox"
    inbox.mkdir(mode=0o700)
    with console.status(say("demo.generating", DEMO_LANG)):
        content = demo_mailbox(people, now=now)
        demo_phone_log(people, now=now, path=inbox / "opkald-eksport.csv")
        register = write_register_csv(demo_register(people, now=now), root / "register.csv")
    server = EmbeddedServer(content).start()
    servers.append(server)
    os.environ[PASSWORD_ENV] = server.password
    sink = SubmissionSink(server).start() if sink_available() else None
    if sink is not None:
        servers.append(sink)
    url = f"sqlite:///{(root / 'demo.sqlite3').resolve()}"
    text = demo_config_text(
        "odsherred",
        port=server.port,
        username=server.username,
        inbox=inbox,
        smtp_port=sink.port if sink is not None else None,
        database=url,
    )
    (root / "config.toml").write_text(text, "utf-8")
    config = load_config_text(text, str(root / "config.toml"))
    upgrade(url)
    engine = make_engine(url)
    import_register(engine=engine, config=config, path=register)
    console.print(say("demo.syncing", config.language, port=server.port), markup=False)
    progress = _RichProgress(console)
    progress.SHOW_FROM = 1
    try:
        reports = sync_all(engine=engine, config=config, progress=progress)
    finally:
        progress.stop()
    failed = [r for r in reports if getattr(r, "error", None)]
    if failed:
        raise UserError(f"demo: mail sync failed: {failed[0].error}")
    daemon = Daemon(engine=engine, config=config)
    daemon.phone_job()
    daemon.evaluate_job()
    console.print(
        say(
            "demo.ready",
            config.language,
            seconds=number(time.monotonic() - t0, config.language),
            root=root,
        ),
        markup=False,
    )
    return engine, config


def _summary(engine, config, console: Console) -> None:  # type: ignore[no-untyped-def]
    from store.contacts import triage_count
    from store.counts import run_preset
    from store.counts.render import Heading, print_tables
    from store.db import session_scope
    from store.replies.followups import list_followups

    now = dt.datetime.now(dt.UTC)
    year = now.astimezone(CPH).year
    with session_scope(engine) as session:
        waiting = triage_count(session=session)
        overdue = list_followups(session=session, now=now, status="overdue")
        due_soon = list_followups(session=session, now=now, status="due_soon")
        preset = config.reports.preset(config.reports.default_preset or "odsherred")
        tables = run_preset(
            session=session,
            config=config,
            preset=preset,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
        )
    console.print(
        say(
            "demo.summary",
            config.language,
            waiting=waiting,
            overdue=len(overdue),
            soon=len(due_soon),
        ),
        markup=False,
    )
    print_tables(tables, console, Heading.of(config, dt.date(year, 1, 1), dt.date(year, 12, 31)))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
