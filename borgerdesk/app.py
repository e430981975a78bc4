"""The typer app behind the `borgerdesk` console script (`borgerdesk.cli.main`).

Commands live in `borgerdesk.commands.*`; each module has `register(app)`, and
`borgerdesk.commands.INDEX` names the module of each command. The root group loads a
command's module only when that command runs or shows its own help: `borgerdesk --help`
and every command start without importing the others (issue 20).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import Command
from typer._click.utils import make_default_short_help

from borgerdesk.commands import INDEX
from borgerdesk.context import AppContext
from borgerdesk.help import GroupedCommands, tidy

# The running command's context: `cli.main` names its database in a failure's message.
current: AppContext | None = None


class _Commands(MutableMapping[str, Command]):
    """The root's commands: named by `INDEX`, each built from its module on first access.
    Typer's own uses (resolving, "Did you mean ...?") see every name and load nothing."""

    def __init__(self) -> None:
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built and name in INDEX:
            self._built.update(_load(INDEX[name][0]))
        return self._built[name]

    def __contains__(self, name: object) -> bool:
        return name in INDEX or name in self._built

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(INDEX), **dict.fromkeys(self._built)})

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("borgerdesk's commands are fixed by borgerdesk.commands.INDEX")


class LazyGroup(GroupedCommands):
    """The root group: lists the commands from `INDEX`, by group, and builds each on
    first use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def listed_help(self, ctx: Any, name: str, limit: int) -> str | None:
        if name not in INDEX:
            return super().listed_help(ctx, name, limit)
        return make_default_short_help(INDEX[name][1], limit)


def _load(module_name: str) -> dict[str, Command]:
    """The commands `borgerdesk.commands.<module_name>` registers, as click commands."""
    module = importlib.import_module(f"borgerdesk.commands.{module_name}")
    scratch = typer.Typer(rich_markup_mode=None)  # as `app`: its commands' help is plain
    module.register(scratch)
    tidy(scratch)
    return dict(typer.main.get_group(scratch).commands)


app = typer.Typer(
    name="borgerdesk",
    cls=LazyGroup,
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
        assert isinstance(ctx.command, LazyGroup)
        tui = ctx.command.get_command(ctx, "tui")
        assert tui is not None and tui.callback is not None
        # Plain `borgerdesk` opens the UI with its options' defaults; the root context,
        # which holds the AppContext, is its context.
        ctx.invoke(tui.callback)
