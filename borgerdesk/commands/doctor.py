"""`borgerdesk doctor`: check the set-up and explain what is wrong."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from borgerdesk.context import AppContext
from store.timeutil import CPH


@dataclass
class Check:
    name: str
    ok: bool | None  # None: a warning, not a failure
    detail: str


def _config(actx: AppContext) -> Check:
    from store.errors import UserError

    try:
        cfg = actx.config
    except UserError as e:
        return Check("config", False, str(e))
    where = actx.config_file or "no file: the embedded odsherred preset"
    return Check("config", True, f"{where}; {len(cfg.mail.accounts)} mailbox(es)")


def _database(actx: AppContext) -> Check:
    from sqlalchemy.exc import DBAPIError

    from store.db import current_revision, database_problem, head_revision, make_engine
    from store.db import quick_check as check_pages
    from store.errors import UserError

    try:
        engine = make_engine(actx.database_url, create_file=False)
    except (UserError, OSError) as e:  # every failure is reported, none raised
        return Check("database", False, str(e))
    url = engine.url.render_as_string(hide_password=True)
    try:
        current = current_revision(engine)
        pages = check_pages(engine) if current is not None else "ok"
    except DBAPIError as e:
        problem = database_problem(e, url)
        if problem is None:
            raise
        return Check("database", False, str(problem))
    finally:
        engine.dispose()
    if pages != "ok":
        return Check(
            "database",
            False,
            f"{url} is damaged (PRAGMA quick_check: {pages[:200]}); restore the last backup "
            "('borgerdesk restore FILE')",
        )
    head = head_revision()
    if current == head:
        return Check("database", True, f"{url} at migration {head}")
    if current is None:
        return Check("database", False, f"{url} is not set up; run 'borgerdesk db upgrade'")
    return Check(
        "database",
        False,
        f"{url} at migration {current}, this version needs {head}; "
        "run 'borgerdesk db upgrade' (or upgrade borgerdesk if the database is newer)",
    )


def _mailboxes(actx: AppContext) -> list[Check]:
    from ingest.mail import fetch as imap
    from ingest.mail.connect import login, open_connection

    out = []
    for account in actx.config.mail.accounts:
        name = f"mailbox {account.name}"
        try:
            client = open_connection(account)
            try:
                login(client, account)
                folders = [f for f, _ in imap.list_folders(client)]
                sent = imap.sent_folder(client)
            finally:
                with contextlib.suppress(Exception):
                    client.logout()
        except Exception as e:
            out.append(Check(name, False, str(e).splitlines()[0] if str(e) else type(e).__name__))
            continue
        wanted = account.folders or ["INBOX", sent or "Sent"]
        missing = [f for f in wanted if f not in folders]
        if missing:
            out.append(
                Check(
                    name,
                    False,
                    f"login OK, but folder(s) {missing} not found; "
                    f"the server has: {', '.join(folders[:12])}",
                )
            )
        else:
            out.append(Check(name, True, f"login OK; will sync {', '.join(wanted)}"))
    if not out:
        out.append(Check("mailbox", None, "no [[mail.accounts]] configured"))
    return out


def _phone_inbox(actx: AppContext) -> Check:
    inbox = actx.config.phone.inbox
    if inbox is None:
        return Check("phone inbox", None, "no phone.inbox configured")
    if not inbox.is_dir():
        return Check("phone inbox", False, f"{inbox} does not exist; create it (mode 0700)")
    if not os.access(inbox, os.R_OK | os.W_OK | os.X_OK):
        return Check("phone inbox", False, f"{inbox}: borgerdesk cannot read and write it")
    mode = stat.S_IMODE(inbox.stat().st_mode)
    if mode & 0o007:
        return Check(
            "phone inbox", None, f"{inbox} is open to other users (mode {mode:o}); chmod 700 it"
        )
    return Check("phone inbox", True, f"{inbox} (mode {mode:o})")


def _keyring() -> Check:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return Check(
                "keyring",
                None,
                "no OS keyring: use password_env or a 0600 password_file for secrets",
            )
        return Check("keyring", True, type(backend).__name__)
    except Exception as e:
        return Check("keyring", None, f"unavailable: {e}")


def _daemon(actx: AppContext) -> Check:
    from sqlalchemy.exc import DBAPIError

    from ingest.daemon.lock import AlreadyRunning, DaemonLock
    from store.db import make_engine

    try:
        engine = make_engine(actx.database_url, create_file=False)
    except Exception:  # the database check reports this
        return Check("daemon", None, "no database to check")
    try:
        lock = DaemonLock(engine)
        try:
            lock.acquire()
        except AlreadyRunning:
            return Check("daemon", True, "running on this database")
        except (OSError, DBAPIError):  # a read-only folder, a server that is down
            return Check("daemon", None, "cannot tell: the database check says why")
        lock.release()
        return Check(
            "daemon",
            None,
            "not running: mail and calls arrive only with 'borgerdesk daemon' (see docs/daemon.md)",
        )
    finally:
        engine.dispose()


def _team(actx: AppContext) -> list[Check]:
    """On PostgreSQL: the role's grants, row-level security, the server's clock."""
    from store.team.health import checks

    try:
        engine = actx.engine
    except Exception:
        return []  # the database check already says why
    if engine.dialect.name != "postgresql":
        return []
    return [Check(c.name, c.ok, c.detail) for c in checks(engine, dt.datetime.now(dt.UTC))]


def _clock() -> Check:
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(CPH)
    system = dt.datetime.now().astimezone()
    detail = (
        f"UTC {now:%Y-%m-%d %H:%M}, Copenhagen {local:%H:%M} ({local.tzname()}); "
        f"system zone {system.tzname()}"
    )
    if now.year < 2024:
        return Check("clock", False, detail + "; the clock is wrong")
    return Check("clock", True, detail)


def doctor(
    ctx: typer.Context,
    skip_mail: Annotated[bool, typer.Option("--skip-mail", help="Do not log in.")] = False,
) -> None:
    """Check the set-up: config, database migration level, mailbox login and folders,
    phone inbox permissions, keyring, daemon, clock and time zone; on PostgreSQL the
    role's grants, row-level security and the server's clock. Exit code 1 if a check
    fails.

    Examples:
      borgerdesk doctor
      borgerdesk --config ./config.toml doctor --skip-mail
    """
    actx: AppContext = ctx.obj
    checks = [_config(actx)]
    steps: list[Callable[[], Check | list[Check]]] = [lambda: _database(actx)]
    if checks[0].ok:
        if not skip_mail:
            steps.append(lambda: _mailboxes(actx))
        steps += [lambda: _phone_inbox(actx), _keyring, lambda: _daemon(actx),
                  lambda: _team(actx)]
    steps.append(_clock)
    for step in steps:
        got = step()
        checks.extend(got if isinstance(got, list) else [got])
    table = Table(show_header=False, box=None)
    for c in checks:
        mark = {
            True: Text("OK", "green"),
            False: Text("FAIL", "bold red"),
            None: Text("NOTE", "yellow"),
        }[c.ok]
        table.add_row(mark, Text(c.name), Text(c.detail))
    Console(highlight=False).print(table)
    if any(c.ok is False for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
