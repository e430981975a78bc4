"""The typer app behind the `borgerdesk` console script (`borgerdesk.cli.main`).

Commands live in `borgerdesk.commands.*`; each module has `register(app)`, and
`borgerdesk.commands.INDEX` names the module of each command. The root group loads a
command's module only when that command runs or shows its own help: `borgerdesk --help`
and every command start without importing the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import Command
from typer._click.utils import make_default_short_help
from typer.core import TyperGroup, TyperOption

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
            self._built[name] = _load(INDEX[name][0], name)
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


class _PlainOption(TyperOption):
    """An option of a group taken without typer's coercion when there is nothing to coerce: no
    value (what typer's coercion returns too), or text for a text option. Typer coerces
    through pydantic, and a group's options are parsed before each of its commands, their
    --help and usage errors included: each would pay for importing it.
    tests/test_startup_imports.py checks that no command's --help or usage error loads
    pydantic, so a typer that processes values differently fails loudly there."""

    def process_value(self, ctx: Any, value: Any) -> Any:
        # (A typer without `type_descriptor`, before its pydantic coercion: its own way.)
        descriptor = getattr(self, "type_descriptor", None)
        if descriptor is None:
            return super().process_value(ctx, value)
        text = descriptor.annotation is str and isinstance(value, str)
        if self.multiple or self.required or not (value is None or text):
            return super().process_value(ctx, value)
        return value if self.callback is None else self.callback(ctx, self, value)


def _plain(params: list[Any]) -> list[Any]:
    # Typer builds the options (completion's after __init__, --help when asked for):
    # the same fields, their values taken as they come when there is nothing to coerce.
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _PlainOption
    return params


class SubGroup(TyperGroup):
    """A group under the root (`contact`, `db`, ...): its options parsed as the root's."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


class LazyGroup(GroupedCommands):
    """The root group: lists the commands from `INDEX`, by group, and builds each on
    first use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands()

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))

    def listed_help(self, ctx: Any, name: str, limit: int) -> str | None:
        if name not in INDEX:
            return super().listed_help(ctx, name, limit)
        return make_default_short_help(INDEX[name][1], limit)


def _load(module_name: str, name: str) -> Command:
    """The command `name`, which `borgerdesk.commands.<module_name>` registers, built as a
    click command. Only that one: typer's building reads every parameter's annotations,
    a few milliseconds a command, and a module registers up to six."""
    module = importlib.import_module(f"borgerdesk.commands.{module_name}")
    scratch = typer.Typer(rich_markup_mode=None)  # as `app`: its commands' help is plain
    module.register(scratch)
    scratch.registered_commands = [c for c in scratch.registered_commands if c.name == name]
    scratch.registered_groups = [g for g in scratch.registered_groups if g.name == name]
    tidy(scratch)
    _subgroups(scratch)
    return typer.main.get_group(scratch).commands[name]


def _subgroups(app: typer.Typer) -> None:
    """Build every group `app` registers as a `SubGroup`."""
    for info in app.registered_groups:
        assert not info.cls, f"{info.name}: borgerdesk builds its groups as SubGroup"
        info.cls = SubGroup
        if info.typer_instance is not None:
            _subgroups(info.typer_instance)


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
        import importlib.metadata  # (~20 ms: only for --version)

        typer.echo(f"borgerdesk {importlib.metadata.version('borgerdesk')}")
        raise typer.Exit(0)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            metavar="<path>",
            help="Config file (default: user config dir; env BORGERDESK_CONFIG).",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (env BORGERDESK_DATABASE_URL)."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Case desk for a Danish municipal citizens' advisor.

    Run without a command to open the terminal UI.
    """
    global current
    config_path = Path(config) if config is not None else None
    ctx.obj = current = AppContext(config_path=config_path, db_override=db)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        assert isinstance(ctx.command, LazyGroup)
        tui = ctx.command.get_command(ctx, "tui")
        assert tui is not None and tui.callback is not None
        # Plain `borgerdesk` opens the UI with its options' defaults; the root context,
        # which holds the AppContext, is its context.
        ctx.invoke(tui.callback)
