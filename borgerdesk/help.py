"""How `borgerdesk --help` reads: commands listed by what they are for, and each command's
examples one per line, as written in its docstring."""

from __future__ import annotations

import inspect
from typing import Any

import typer
from typer.core import TyperGroup

# Every command in one group, in the order shown. tests/test_cli_conventions.py fails on a
# command that is in none, so a new command gets a place on purpose.
GROUPS: dict[str, tuple[str, ...]] = {
    "Daily use": (
        "tui",
        "sync",
        "import-calls",
        "status",
        "followups",
        "ack",
        "no-reply",
        "contact",
        "party",
        "reply",
        "outbox",
    ),
    "Set-up": (
        "init",
        "doctor",
        "mail",
        "set-smtp-password",
        "install-service",
        "daemon",
        "team",
        "demo",
    ),
    "Reports": ("report", "annual-report", "compliance", "export-register"),
    "Privacy": ("export-party", "erase-party", "purge", "audit"),
    "Maintenance": ("db", "backup", "restore", "import-register", "replies"),
}
OTHER = "Other commands"


def group_of(name: str) -> str:
    return next((g for g, names in GROUPS.items() if name in names), OTHER)


class GroupedCommands(TyperGroup):
    """The root command: its command list in GROUPS' sections and order."""

    def list_commands(self, ctx: Any) -> list[str]:
        order = [n for names in GROUPS.values() for n in names]
        known = [n for n in order if n in self.commands]
        return known + sorted(n for n in self.commands if n not in order)

    def listed_help(self, ctx: Any, name: str, limit: int) -> str | None:
        """The line listed for `name`; None for a hidden command."""
        cmd = self.get_command(ctx, name)
        return None if cmd is None or cmd.hidden else cmd.get_short_help_str(limit)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        shown = [(n, line) for n in names if (line := self.listed_help(ctx, n, limit)) is not None]
        for group in (*GROUPS, OTHER):
            rows = [(n, line) for n, line in shown if group_of(n) == group]
            if rows:
                with formatter.section(group):
                    formatter.write_dl(rows)


def keep_examples(doc: str) -> str:
    """Mark each paragraph that starts with "Example" with click's `\\b`, so click prints
    its lines as written instead of re-wrapping them into one run of text."""
    paragraphs = doc.split("\n\n")
    return "\n\n".join(f"\b\n{p}" if p.lstrip().startswith("Example") else p for p in paragraphs)


def tidy(app: typer.Typer) -> None:
    """Apply `keep_examples` to every registered command's help, sub-commands included."""
    for info in app.registered_commands:
        doc = info.help if info.help is not None else inspect.getdoc(info.callback)
        if doc:
            info.help = keep_examples(inspect.cleandoc(doc))
    for group in app.registered_groups:
        if group.typer_instance is not None:
            tidy(group.typer_instance)
