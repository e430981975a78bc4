"""`borgerdesk doctor`: check the set-up and explain what is wrong."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, cast

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import Lang, say
from store.errors import UserError
from store.timeutil import CPH

if TYPE_CHECKING:
    from store.team.health import TeamCheck


@dataclass
class Check:
    name: str
    ok: bool | None  # None: a warning, not a failure
    detail: str


def _config(actx: AppContext, lang: Lang) -> Check:
    name = say("doctor.config", lang)
    try:
        cfg = actx.config
    except UserError as e:
        return Check(name, False, str(e))
    where = actx.config_file or say("doctor.no_file", lang)
    return Check(name, True, say("doctor.config_ok", lang, where=where, n=len(cfg.mail.accounts)))


def _database(actx: AppContext, lang: Lang) -> Check:
    from sqlalchemy.exc import DBAPIError

    from store.db import current_revision, database_problem, head_revision, make_engine
    from store.db import quick_check as check_pages

    name = say("doctor.database", lang)
    try:
        engine = make_engine(actx.database_url, create_file=False)
    except (UserError, OSError) as e:  # every failure is reported, none raised
        return Check(name, False, str(e))
    url = engine.url.render_as_string(hide_password=True)
    try:
        current = current_revision(engine)
        pages = check_pages(engine) if current is not None else "ok"
    except DBAPIError as e:
        problem = database_problem(e, url)
        if problem is None:
            raise
        return Check(name, False, str(problem))
    finally:
        engine.dispose()
    if pages != "ok":
        return Check(name, False, say("doctor.damaged", lang, url=url, pages=pages[:200]))
    head = head_revision()
    if current == head:
        return Check(name, True, say("doctor.db_ok", lang, url=url, head=head))
    if current is None:
        return Check(name, False, say("doctor.db_not_set_up", lang, url=url))
    return Check(name, False, say("doctor.db_old", lang, url=url, current=current, head=head))


def _mailboxes(actx: AppContext, lang: Lang) -> list[Check]:
    from ingest.mail import fetch as imap
    from ingest.mail.connect import login, open_connection

    out = []
    for account in actx.config.mail.accounts:
        name = say("doctor.mailbox", lang, name=account.name)
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
                    say(
                        "doctor.folders_missing",
                        lang,
                        missing=missing,
                        folders=", ".join(folders[:12]),
                    ),
                )
            )
        else:
            out.append(Check(name, True, say("doctor.login_ok", lang, folders=", ".join(wanted))))
    if not out:
        out.append(Check(say("doctor.mailbox_any", lang), None, say("doctor.no_accounts", lang)))
    return out


def _phone_inbox(actx: AppContext, lang: Lang) -> Check:
    inbox = actx.config.phone.inbox
    name = say("doctor.phone_inbox", lang)
    if inbox is None:
        return Check(name, None, say("doctor.no_inbox", lang))
    if not inbox.is_dir():
        return Check(name, False, say("doctor.inbox_missing", lang, inbox=inbox))
    if not os.access(inbox, os.R_OK | os.W_OK | os.X_OK):
        return Check(name, False, say("doctor.inbox_access", lang, inbox=inbox))
    mode = stat.S_IMODE(inbox.stat().st_mode)
    if mode & 0o007:
        return Check(name, None, say("doctor.inbox_open", lang, inbox=inbox, mode=f"{mode:o}"))
    return Check(name, True, say("doctor.inbox_ok", lang, inbox=inbox, mode=f"{mode:o}"))


def _keyring(lang: Lang) -> Check:
    name = say("doctor.keyring", lang)
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return Check(name, None, say("doctor.no_keyring", lang))
        return Check(name, True, type(backend).__name__)
    except Exception as e:
        return Check(name, None, say("doctor.keyring_broken", lang, error=e))


def _daemon(actx: AppContext, lang: Lang) -> Check:
    from sqlalchemy.exc import DBAPIError

    from ingest.daemon.lock import AlreadyRunning, DaemonLock
    from store.db import make_engine

    name = say("doctor.daemon", lang)
    try:
        engine = make_engine(actx.database_url, create_file=False)
    except Exception:  # the database check reports this
        return Check(name, None, say("doctor.no_db", lang))
    try:
        lock = DaemonLock(engine)
        try:
            lock.acquire()
        except AlreadyRunning:
            return Check(name, True, say("doctor.running", lang))
        except (OSError, DBAPIError):  # a read-only folder, a server that is down
            return Check(name, None, say("doctor.cannot_tell", lang))
        lock.release()
        return Check(name, None, say("doctor.not_running", lang))
    finally:
        engine.dispose()


def _team(actx: AppContext, lang: Lang) -> list[Check]:
    """On PostgreSQL: the role's grants, row-level security, the server's clock; and
    who runs the retention purge (an administrator, not the daemon)."""
    from store.team.health import checks, purge_note

    try:
        engine = actx.engine
    except Exception:
        return []  # the database check already says why
    if engine.dialect.name != "postgresql":
        return []
    found = checks(engine, dt.datetime.now(dt.UTC))
    note = purge_note(actx.config.retention.configured)
    return [
        Check(say(f"doctor.team.{c.key.split('.')[0]}", lang), c.ok, _team_detail(c, lang))
        for c in [*found, *([note] if note else [])]
    ]


def _team_detail(c: TeamCheck, lang: Lang) -> str:
    params = dict(c.params)
    if c.key == "role.wrong":
        pairs = [
            say(f"doctor.team.{kind}", lang, privilege=p, table=t)
            for kind in ("missing", "granted")
            for p, t in cast("list[tuple[str, str]]", params.pop(kind))
        ]
        params["problems"] = "; ".join(pairs)
    if "seconds" in params:
        from store.counts.words import number

        params["seconds"] = number(cast("float", params["seconds"]), lang)
    return say(f"doctor.team.{c.key}", lang, **params)


def _clock(lang: Lang) -> Check:
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(CPH)
    system = dt.datetime.now().astimezone()
    detail = say(
        "doctor.clock_detail",
        lang,
        utc=f"{now:%d-%m-%Y %H:%M}" if lang == "da" else f"{now:%Y-%m-%d %H:%M}",
        local=f"{local:%H:%M}",
        zone=local.tzname(),
        system=system.tzname(),
    )
    if now.year < 2024:
        return Check(say("doctor.clock", lang), False, detail + say("doctor.clock_wrong", lang))
    return Check(say("doctor.clock", lang), True, detail)


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
    # A config that cannot be read is one of the things reported: Danish, the default.
    lang: Lang = "da"
    with contextlib.suppress(UserError):
        lang = actx.config.language
    checks = [_config(actx, lang)]
    steps: list[Callable[[], Check | list[Check]]] = [lambda: _database(actx, lang)]
    if checks[0].ok:
        if not skip_mail:
            steps.append(lambda: _mailboxes(actx, lang))
        steps += [
            lambda: _phone_inbox(actx, lang),
            lambda: _keyring(lang),
            lambda: _daemon(actx, lang),
            lambda: _team(actx, lang),
        ]
    steps.append(lambda: _clock(lang))
    for step in steps:
        got = step()
        checks.extend(got if isinstance(got, list) else [got])
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None)
    for c in checks:
        mark = {
            True: Text(say("doctor.ok", lang), "green"),
            False: Text(say("doctor.fail", lang), "bold red"),
            None: Text(say("doctor.note", lang), "yellow"),
        }[c.ok]
        table.add_row(mark, Text(c.name), Text(c.detail))
    Console(highlight=False).print(table)
    if any(c.ok is False for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
