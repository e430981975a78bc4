"""`borgerdesk init`: write a commented config, from a preset or through a short wizard."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import tomlkit
import typer

from borgerdesk.context import AppContext
from store.config import PRESETS, default_config_path, load_config_text, preset_text
from store.errors import UserError
from store.outfile import atomic_output


def _write_private(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_output(target, mode=0o600) as tmp:
        tmp.write_text(text, "utf-8")


def _domains(text: str) -> list[str]:
    return [d.strip().lower().lstrip("@") for d in text.replace(";", ",").split(",") if d.strip()]


def wizard_config(preset: str, target: Path) -> tuple[str, str | None]:
    """Ask the questions; return the config text and the mail account's name (if any)."""
    doc = tomlkit.parse(preset_text(preset))
    domains = _domains(
        typer.prompt(
            "Internal mail domains (colleagues; comma-separated)",
            default=",".join(doc["replies"].get("internal_domains", [])),
        )
    )
    doc["replies"]["internal_domains"] = domains

    account_name: str | None = None
    host = typer.prompt(
        "Mailbox IMAP host (empty: no mailbox now)", default="", show_default=False
    ).strip()
    if host:
        account_name = typer.prompt("A short name for this mailbox", default="raadgiver")
        user = typer.prompt("Mailbox user name (usually the e-mail address)")
        m365 = host.lower().endswith("office365.com") or typer.confirm(
            "Is this Microsoft 365 (OAuth2 sign-in)?", default=False
        )
        account = tomlkit.table()
        account.add("name", account_name)
        account.add("host", host)
        account.add("security", "tls")
        account.add("username", user)
        account.add("internal_domains", domains)
        if m365:
            account.add("auth", "xoauth2")
            account.add("tenant_id", typer.prompt("Azure tenant id (Directory ID)"))
            account.add("client_id", typer.prompt("App registration client id"))
            unattended = typer.confirm(
                "Will an unattended daemon read the mailbox (app-only, client credentials)?",
                default=False,
            )
            account.add("oauth_flow", "client_credentials" if unattended else "device")
        else:
            account.add("auth", "password")
            password = typer.prompt(
                "Mailbox password (stored in the OS keyring)",
                hide_input=True,
                default="",
                show_default=False,
            )
            if password:
                _store_password(account, account_name, password, target)
        mail = doc.setdefault("mail", tomlkit.table())
        accounts = tomlkit.aot()
        accounts.append(account)
        mail["accounts"] = accounts

    inbox = typer.prompt(
        "Folder where phone-log exports are dropped (empty: none)",
        default=str(Path.home() / "borgerdesk" / "telefon"),
    )
    if inbox.strip():
        folder = Path(inbox).expanduser()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        phone = doc.setdefault("phone", tomlkit.table())
        phone["inbox"] = str(folder)
    return tomlkit.dumps(doc), account_name


def _store_password(account: tomlkit.items.Table, name: str, password: str, target: Path) -> None:
    """Keyring first; without one, a 0600 file beside the config (never the config)."""
    from store.secrets import SecretError, keyring_set, mail_key

    try:
        keyring_set(mail_key(name), password)
        typer.echo("password stored in the OS keyring")
    except SecretError:
        secret = target.with_name(f"{name}.password")
        _write_private(secret, password)
        account.add("password_file", str(secret))
        typer.echo(f"no OS keyring here: password stored in {secret} (mode 0600)")


def init(
    ctx: typer.Context,
    preset: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(PRESETS)}. Without it: the wizard.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing config file.")] = False,
) -> None:
    """Write a commented config file: from a preset, or by answering a few questions.

    The wizard asks for the preset, the mailbox (host, user, password or Microsoft 365),
    the phone-log inbox folder and the internal mail domains; passwords go to the OS
    keyring (or a 0600 file where there is none), never into the config.

    Examples:
      borgerdesk init
      borgerdesk init --preset odsherred
      borgerdesk --config ./haderslev.toml init --preset haderslev
    """
    actx: AppContext = ctx.obj
    target = actx.config_path or default_config_path()
    if preset is not None and preset not in PRESETS:
        raise UserError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    if target.exists() and not force:
        raise UserError(f"{target}: a config file is already there; use --force to replace it")
    account = None
    if preset is None:
        if not sys.stdin.isatty() and os.environ.get("BORGERDESK_WIZARD") != "1":
            raise UserError(
                "init without --preset asks questions; run it in a terminal, "
                "or give --preset odsherred|haderslev"
            )
        preset = typer.prompt(f"Preset ({'/'.join(PRESETS)})", default=PRESETS[0])
        if preset not in PRESETS:
            raise UserError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
        text, account = wizard_config(preset, target)
    else:
        text = preset_text(preset)
    load_config_text(text, str(target))  # never write a config that does not validate
    _write_private(target, text)
    typer.echo(f"wrote {target} (preset {preset})")
    if account and typer.confirm("Test the mailbox connection now?", default=True):
        from borgerdesk.commands.mail import mail_test

        ctx.obj = AppContext(config_path=target, db_override=actx.db_override)
        mail_test(ctx, account)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
