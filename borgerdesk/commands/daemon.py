"""`borgerdesk daemon` and `borgerdesk install-service`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from borgerdesk.ask import ask
from borgerdesk.context import AppContext
from borgerdesk.texts import lang_of, say


def daemon(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run every job once and exit (for cron or a check).")
    ] = False,
) -> None:
    """Run the ingestion daemon in the foreground: mail sync, phone inbox, reply alerts,
    nightly backup. Stop it with Ctrl-C or SIGTERM; the running batch commits first.

    Only one daemon may run per database. Logs go to stderr (journald-friendly).

    Example: borgerdesk daemon
    """
    from ingest.daemon.lock import DaemonLock
    from ingest.daemon.logs import setup_logging
    from ingest.daemon.scheduler import Daemon

    actx: AppContext = ctx.obj
    config = actx.config
    setup_logging(level=config.daemon.log_level, log_file=config.daemon.log_file)
    engine = actx.engine
    with DaemonLock(engine):
        d = Daemon(engine=engine, config=config)
        if once:
            d.run_once()
            return
        code = d.run()
    raise typer.Exit(code)


def install_service(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Replace a different unit.")] = False,
) -> None:
    """Write a systemd user unit that runs `borgerdesk daemon`, with this config and
    database, and print how to enable it. A database URL with a password is written to
    a private (0600) environment file the unit reads, never into the unit itself.

    Example: borgerdesk install-service && systemctl --user enable --now borgerdesk-daemon
    """
    from ingest.daemon.service import UNIT_NAME, install_unit
    from store.db import check_url

    actx: AppContext = ctx.obj
    config = actx.config
    db = actx.db_override or os.environ.get("BORGERDESK_DATABASE_URL")
    if db is not None:
        check_url(db, "--db" if actx.db_override else "BORGERDESK_DATABASE_URL")
    path = install_unit(
        config_file=actx.config_file,
        database_url=db,
        log_file=config.daemon.log_file,
        force=force,
    )
    unit = UNIT_NAME.removesuffix(".service")
    lang = lang_of(ctx)
    typer.echo(say("wrote", lang, path=path))
    typer.echo(say("service.enable", lang))
    typer.echo("  systemctl --user daemon-reload")
    typer.echo(f"  systemctl --user enable --now {unit}")
    typer.echo(say("service.linger", lang))
    typer.echo(f"  loginctl enable-linger {os.environ.get('USER', '$USER')}")
    typer.echo(say("service.log", lang, cmd=f"journalctl --user -u {unit} -f"))


def set_smtp_password(ctx: typer.Context) -> None:
    """Store the SMTP password for daemon.smtp.username in the OS keyring (prompted, not
    echoed). Alternatives: daemon.smtp.password_env, or a 0600 daemon.smtp.password_file.

    Example: borgerdesk set-smtp-password
    """
    from ingest.daemon.channels import smtp_key
    from store.errors import UserError
    from store.secrets import keyring_set

    actx: AppContext = ctx.obj
    smtp = actx.config.daemon.smtp
    if smtp is None or not smtp.username:
        raise UserError("set-smtp-password: the config has no [daemon.smtp] username; add it first")
    lang = lang_of(ctx)
    password = ask(say("smtp.prompt", lang, user=smtp.username), lang, hide=True)
    keyring_set(smtp_key(smtp.username), password)
    typer.echo(say("smtp.stored", lang))


def register(app: typer.Typer) -> None:
    app.command("daemon")(daemon)
    app.command("install-service")(install_service)
    app.command("set-smtp-password")(set_smtp_password)
