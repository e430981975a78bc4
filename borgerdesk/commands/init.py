"""`borgerdesk init`: write a commented config, from a preset or through a short wizard."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borgerdesk.ask import ask, ask_yes
from borgerdesk.commands.cliargs import PRESETS
from borgerdesk.context import AppContext
from borgerdesk.texts import say
from store.errors import UserError
from store.outfile import atomic_output
from store.plaintext import safe

# The config's models come in inside the command: typer imports this module to read the
# arguments, and a usage error or --help must not pay for them.
if TYPE_CHECKING:
    import tomlkit.items


def _write_private(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_output(target, mode=0o600) as tmp:
        tmp.write_text(text, "utf-8")


def _items(text: str) -> list[str]:
    return [d.strip() for d in text.replace(";", ",").split(",") if d.strip()]


def _domains(text: str) -> list[str]:
    return [d.lower().lstrip("@") for d in _items(text)]


def _checked(
    problem: Callable[[str], str | None], bad: str, lang: str
) -> Callable[[str], str | None]:
    """A question's check: the answer is asked again, saying why in the UI language, until
    it has the form `problem` accepts (the config would refuse it otherwise)."""

    def check(value: str) -> str | None:
        value = value.strip()
        return None if problem(value) is None else say(bad, lang, value=value)

    return check


@dataclass(frozen=True)
class Wizard:
    """What the wizard wrote: the config text, the mail account (if any) and its sign-in."""

    text: str
    account: str | None = None
    device_login: bool = False
    own_line: bool = False


def wizard_config(preset: str, target: Path, lang: str = "da") -> Wizard:
    """Ask the questions, in the UI language; return what to write."""
    import tomlkit

    from store.config import preset_text
    from store.config.mail import client_id_problem, tenant_id_problem

    doc = tomlkit.parse(preset_text(preset))
    domains = _domains(
        ask(
            say("init.domains", lang),
            lang,
            default=",".join(doc["replies"].get("internal_domains", [])),
        )
    )
    doc["replies"]["internal_domains"] = domains

    account_name: str | None = None
    device_login = False
    host = ask(say("init.host", lang), lang, default="", show_default=False).strip()
    if host:
        account_name = ask(say("init.account", lang), lang, default="raadgiver")
        user = ask(say("init.user", lang), lang)
        m365 = host.lower().endswith("office365.com") or ask_yes(
            say("init.m365", lang), lang, default=False
        )
        account = tomlkit.table()
        account.add("name", account_name)
        account.add("host", host)
        account.add("security", "tls")
        account.add("username", user)
        account.add("internal_domains", domains)
        if m365:
            account.add("auth", "xoauth2")
            account.add(
                "tenant_id",
                ask(
                    say("init.tenant", lang),
                    lang,
                    check=_checked(tenant_id_problem, "init.tenant_bad", lang),
                ).strip(),
            )
            account.add(
                "client_id",
                ask(
                    say("init.client", lang),
                    lang,
                    check=_checked(client_id_problem, "init.client_bad", lang),
                ).strip(),
            )
            unattended = ask_yes(say("init.unattended", lang), lang, default=False)
            account.add("oauth_flow", "client_credentials" if unattended else "device")
            device_login = not unattended
        else:
            account.add("auth", "password")
            password = ask(
                say("init.password", lang), lang, hide=True, default="", show_default=False
            )
            if password:
                _store_password(account, account_name, password, target, lang)
        mail = doc.setdefault("mail", tomlkit.table())
        accounts = tomlkit.aot()
        accounts.append(account)
        mail["accounts"] = accounts

    phone = doc.setdefault("phone", tomlkit.table())
    inbox = ask(say("init.inbox", lang), lang, default=str(Path.home() / "borgerdesk" / "telefon"))
    if inbox.strip():
        folder = Path(inbox).expanduser()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        phone["inbox"] = str(folder)
    # The advisor's own line: only their calls count, and a Teams export is refused
    # without it.
    own_line = False
    for key in ("own_upns", "own_extensions", "own_numbers"):
        values = _items(ask(say(f"init.{key}", lang), lang, default="", show_default=False))
        if values:
            phone[key] = values
            own_line = True
    return Wizard(tomlkit.dumps(doc), account_name, device_login, own_line)


def _store_password(
    account: tomlkit.items.Table, name: str, password: str, target: Path, lang: str
) -> None:
    """Keyring first; without one, a 0600 file beside the config (never the config)."""
    from store.secrets import SecretError, keyring_set, mail_key

    try:
        keyring_set(mail_key(name), password)
        typer.echo(say("init.password_keyring", lang))
    except SecretError:
        secret = target.with_name(f"{name}.password")
        _write_private(secret, password)
        account.add("password_file", str(secret))
        typer.echo(say("init.password_file", lang, path=safe(str(secret))))


def _next_steps(target: Path, written: Wizard, lang: str) -> list[str]:
    """The commands to run next, each with what it does; each one runs as written
    (tests/test_init_wizard.py runs them)."""
    from store.config import default_config_path

    where = "" if target == default_config_path() else f"--config {shlex.quote(str(target))} "
    steps = [(f"borgerdesk {where}db upgrade", say("init.next.db", lang))]
    if written.account is not None:
        verb = "login" if written.device_login else "test"
        steps.append(
            (
                f"borgerdesk {where}mail {verb} {written.account}",
                say(f"init.next.{'login' if written.device_login else 'mail_test'}", lang),
            )
        )
    steps.append((f"borgerdesk {where}doctor", say("init.next.doctor", lang)))
    width = max(len(cmd) for cmd, _ in steps)
    return [say("init.next", lang)] + [f"  {cmd.ljust(width)}   # {what}" for cmd, what in steps]


def init(
    ctx: typer.Context,
    preset: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(PRESETS)}. Without it: the wizard.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing config file.")] = False,
) -> None:
    """Write a commented config file: from a preset, or by answering a few questions.

    The wizard asks for the preset, the internal mail domains, the mailbox (host, user,
    password or Microsoft 365), the phone-log inbox folder and your own phone line (Teams
    UPN, CUCM extension, numbers), in the UI language; passwords go to the OS keyring (or
    a 0600 file where there is none), never into the config. It ends with what to run next.

    Examples:
      borgerdesk init
      borgerdesk init --preset odsherred
      borgerdesk --config ./haderslev.toml init --preset haderslev
    """
    from store.config import default_config_path, load_config_text, preset_text

    actx: AppContext = ctx.obj
    target = actx.config_path or default_config_path()
    if preset is not None and preset not in PRESETS:
        raise UserError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    if target.exists() and not force:
        raise UserError(f"{target}: a config file is already there; use --force to replace it")
    written: Wizard | None = None
    lang = "da"  # the default config's language, until a preset says otherwise
    if preset is None:
        if not sys.stdin.isatty() and os.environ.get("BORGERDESK_WIZARD") != "1":
            raise UserError(
                "init without --preset asks questions; run it in a terminal, "
                "or give --preset odsherred|haderslev"
            )
        preset = ask(say("init.preset", lang, choices="/".join(PRESETS)), lang, default=PRESETS[0])
        if preset not in PRESETS:
            raise UserError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
        lang = load_config_text(preset_text(preset), preset).language
        written = wizard_config(preset, target, lang)
        text = written.text
    else:
        text = preset_text(preset)
    # Never write a config that does not validate.
    lang = load_config_text(text, str(target)).language
    _write_private(target, text)
    typer.echo(say("init.wrote", lang, path=safe(str(target)), preset=safe(preset)))
    if written is not None and not written.own_line:
        typer.echo(say("init.no_own_line", lang, path=safe(str(target))))
    for line in _next_steps(target, written or Wizard(text), lang):
        typer.echo(safe(line))  # the path may hold control characters
    if (
        written is not None
        and written.account
        and not written.device_login
        and ask_yes(say("init.test_now", lang), lang, default=True)
    ):
        from borgerdesk.commands.mail import mail_test

        ctx.obj = AppContext(config_path=target, db_override=actx.db_override)
        mail_test(ctx, written.account)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
