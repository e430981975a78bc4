"""The `borgerdesk` console script.

Commands live in `borgerdesk.commands.*`; each module has `register(app)`. Every
`UserError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from borgerdesk import commands
from borgerdesk.context import AppContext
from borgerdesk.help import GroupedCommands, tidy
from store.errors import OperationError, UserError

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
    ctx.obj = AppContext(config_path=config, db_override=db)
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


def main(argv: list[str] | None = None) -> None:
    try:
        # prog_name: completion scripts and usage lines name the script, however it was run.
        app(args=argv, prog_name="borgerdesk", standalone_mode=True)
    except UserError as e:
        print(f"borgerdesk: error: {e}", file=sys.stderr)
        sys.exit(2)
    except OperationError as e:  # not the input's fault: running it again may succeed
        print(f"borgerdesk: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("borgerdesk: interrupted", file=sys.stderr)
        sys.exit(130)
