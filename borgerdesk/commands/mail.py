"""`borgerdesk sync` and `borgerdesk mail test|set-password|login`."""

from __future__ import annotations

import contextlib
import getpass
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say
from store.errors import UserError

# rich's console comes in inside each command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for it.
if TYPE_CHECKING:
    from rich.console import Console

mail_app = typer.Typer(help="Mail accounts: test the connection, store the password, sign in.")


def _account(actx: AppContext, name: str) -> Any:
    for a in actx.config.mail.accounts:
        if a.name == name:
            return a
    known = ", ".join(a.name for a in actx.config.mail.accounts) or "none configured"
    raise UserError(
        f"no mail account named {name!r} in the config ({known}); see [[mail.accounts]]"
    )


class _RichProgress:
    """Progress bars for a long first sync: messages, MB, ETA. Quiet for small polls."""

    SHOW_FROM = 200  # messages; a routine poll prints one summary line instead

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[mb]:.1f} MB"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task: Any = None
        self.mb = 0.0

    def folder_started(self, account: str, folder: str, total: int) -> None:
        from rich.markup import escape

        if total < self.SHOW_FROM:
            self.task = None
            return
        if not self.progress.live.is_started:
            self.progress.start()
        self.mb = 0.0
        # Folder names come from the server: shown as plain text, never as markup.
        self.task = self.progress.add_task(escape(f"{account}/{folder}"), total=total, mb=0.0)

    def advanced(self, messages: int, nbytes: int) -> None:
        if self.task is not None:
            self.mb += nbytes / 1e6
            self.progress.update(self.task, advance=messages, mb=self.mb)

    def folder_done(self, report: Any) -> None:
        pass

    def stop(self) -> None:
        if self.progress.live.is_started:
            self.progress.stop()


def sync(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One pass (the default; for cron).")] = True,
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account (its name).")
    ] = None,
) -> None:
    """Fetch new mail from the configured IMAP accounts, read-only, and store it.

    A long first sync shows progress bars (messages, MB, time left). Re-running never
    duplicates: each folder continues after the last stored message.

    Example: borgerdesk sync --once --account raadgiver
    """
    from rich.console import Console

    from ingest.mail.sync import sync_all

    actx: AppContext = ctx.obj
    config = actx.config
    if not config.mail.accounts:
        raise UserError("no mail accounts configured; add [[mail.accounts]] to the config")
    if account is not None:
        _account(actx, account)
    console = Console(stderr=True, highlight=False)
    progress = _RichProgress(console) if sys.stderr.isatty() else None
    try:
        reports = sync_all(engine=actx.engine, config=config, account=account, progress=progress)
    finally:
        if progress is not None:
            progress.stop()
    out = Console(highlight=False, soft_wrap=True)
    lang = lang_of(ctx)
    failed = False
    for r in reports:
        where = f"{r.account}/{r.folder}" if r.folder else r.account
        if r.error:
            failed = True
            out.print(say("sync.failed", lang, where=where, error=r.error), markup=False)
        elif r.unchanged:
            out.print(say("sync.none", lang, where=where), markup=False)
        else:
            extra = [
                say(key, lang, n=n)
                for key, n in (
                    ("sync.located", r.located),
                    ("sync.unreadable", r.parse_errors),
                    ("sync.too_large", r.too_large),
                    ("sync.vanished", r.vanished),
                )
                if n
            ]
            if r.uidvalidity_changed:
                extra.append(say("sync.renumbered", lang))
            tail = f" ({'; '.join(extra)})" if extra else ""
            out.print(say("sync.new", lang, where=where, n=r.new, tail=tail), markup=False)
    if failed:
        raise typer.Exit(1)


def mail_test(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name in the config.")],
) -> None:
    """Connect to an account: show the server's capabilities, its folders, and whether
    login succeeded. Changes nothing on the server.

    Example: borgerdesk mail test raadgiver
    """
    from rich.console import Console

    from ingest.mail import fetch as imap
    from ingest.mail.connect import login, open_connection

    actx: AppContext = ctx.obj
    account = _account(actx, name)
    out = Console(highlight=False, soft_wrap=True)
    lang = lang_of(ctx)
    client = open_connection(account)
    try:
        caps = sorted(c.decode(errors="replace") for c in client.capabilities())
        out.print(
            f"server {account.host}:{account.effective_port} ({account.security})", markup=False
        )
        out.print(say("mailtest.caps_before", lang, caps=" ".join(caps)), markup=False)
        login(client, account)
        out.print(say("mailtest.auth_ok", lang), markup=False)
        caps = sorted(c.decode(errors="replace") for c in client.capabilities())
        out.print(say("mailtest.caps", lang, caps=" ".join(caps)), markup=False)
        if b"CONDSTORE" not in client.capabilities():
            out.print(say("mailtest.no_condstore", lang), markup=False)
        sent = imap.sent_folder(client)
        out.print(say("mailtest.folders", lang), markup=False)
        for folder, flags in imap.list_folders(client):
            mark = say("mailtest.sent_mark", lang) if folder == sent else ""
            out.print(f"  {folder}  {' '.join(flags)}{mark}", markup=False)
        wanted = account.folders or ["INBOX", sent or "Sent"]
        out.print(say("mailtest.will_sync", lang, folders=", ".join(wanted)), markup=False)
    finally:
        with contextlib.suppress(Exception):
            client.logout()


def set_password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name in the config.")],
) -> None:
    """Store an account's password (or, for client_credentials, the client secret) in the
    OS keyring. Read from the terminal without echo, or from stdin when piped.

    Example: borgerdesk mail set-password raadgiver
    """
    from store.secrets import keyring_set, mail_key

    actx: AppContext = ctx.obj
    account = _account(actx, name)
    if sys.stdin.isatty():
        value = getpass.getpass(say("mail.password_prompt", lang_of(ctx), name=account.name))
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise UserError("empty password; nothing stored")
    keyring_set(mail_key(account.name), value)
    typer.echo(say("mail.stored", lang_of(ctx), name=account.name))


def mail_login(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The account's name in the config.")],
) -> None:
    """Sign in to Microsoft 365 with a device code (for auth = "xoauth2"): open the shown
    address in a browser and enter the code. The token cache goes to the OS keyring.

    Example: borgerdesk mail login raadgiver
    """
    from ingest.mail.oauth import acquire_token

    actx: AppContext = ctx.obj
    account = _account(actx, name)
    acquire_token(account, interactive=True, show=lambda m: typer.echo(m, err=True))
    typer.echo(say("mail.signed_in", lang_of(ctx), name=account.name))


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
    mail_app.command("test")(mail_test)
    mail_app.command("set-password")(set_password)
    mail_app.command("login")(mail_login)
    app.add_typer(mail_app, name="mail")
