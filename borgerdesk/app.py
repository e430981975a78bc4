"""The typer app behind the `borgerdesk` console script (`borgerdesk.cli.main`).

Commands live in `borgerdesk.commands.*`; each module has `register(app)`, so a new
module is a new command without touching this file.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from pathlib import Path
from typing import Annotated

import typer

from borgerdesk import commands
from borgerdesk.context import AppContext
from borgerdesk.help import GroupedCommands, tidy

# The running command's context: `cli.main` names its database in a failure's message.
current: AppContext | None = None

app = typer.Typer(
    name="borgerdesk",
    cls=GroupedCommands,
    help="Case desk for a Danish municipal citizens' advisor (borgerrådgiver).",
    no_args_is_help=False,
    # --install-completion / --show-completion for bash, zsh, fish and PowerShell.
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"borgerdesk {importlib.metadata.version('borgerdesk')}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: user config dir; env BORGERDESK_CONFIG)."
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (env BORGERDESK_DATABASE_URL)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", is_eager=True, callback=_show_version,
                     help="Show the version and exit."),
    ] = False,
) -> None:
    """Case desk for a Danish municipal citizens' advisor.

    Run without a command to open the terminal UI.
    """
    global current
    ctx.obj = current = AppContext(config_path=config, db_override=db)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        tui = _find_command("tui") if app.registered_commands else None
        if tui is None:
            typer.echo(ctx.get_help())
            raise typer.Exit(0)
        # Plain `borgerdesk` opens the UI: the root context holds the AppContext.
        ctx.invoke(tui, ctx)


def _find_command(name: str):  # type: ignore[no-untyped-def]
    for cmd in app.registered_commands:
        if cmd.name == name:
            return cmd.callback
    return None


def _register_all() -> None:
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"borgerdesk.commands.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()
tidy(app)

