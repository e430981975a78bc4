"""The console script behaves as click/typer users expect: examples one per line in every
--help, --version, shell completion, commands listed by group, and every command a message
suggests actually parses."""

from __future__ import annotations

import importlib.metadata
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main

from borgerdesk.help import GROUPS, OTHER, group_of

ROOT = Path(__file__).resolve().parents[1]


def _root() -> Any:
    from borgerdesk.cli import app

    return typer.main.get_command(app)


def _commands() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: str) -> None:
        if hasattr(cmd, "commands"):  # a group (typer ships its own click)
            for name, sub in cmd.commands.items():
                walk(sub, f"{path} {name}".strip())
        else:
            out.append((path, cmd))

    walk(_root(), "")
    return out


def _examples(doc: str) -> list[str]:
    """The example lines of a docstring: "Example: X" or the lines under "Examples:"."""
    out: list[str] = []
    for para in doc.split("\n\n"):
        lines = [ln.strip() for ln in para.strip("\b\n").splitlines()]
        if not lines or not lines[0].startswith("Example"):
            continue
        _head, _, rest = lines[0].partition(":")
        out.extend([rest.strip()] if rest.strip() else lines[1:])
    return out


@pytest.mark.parametrize("path", [p for p, _ in _commands()])
def test_each_help_example_stands_on_its_own_line(path: str, cli) -> None:
    cmd = dict(_commands())[path]
    examples = _examples(cmd.help or "")
    assert examples, f"'borgerdesk {path} --help' has no example"
    r = cli(*path.split(), "--help")
    assert r.code == 0, r.err
    shown = {line.strip() for line in r.out.splitlines()}
    for example in examples:
        assert example in shown or f"Example: {example}" in shown, (
            f"'borgerdesk {path} --help' runs this example into other text: {example}"
        )


def test_version(cli) -> None:
    r = cli("--version")
    assert r.code == 0
    assert r.out.strip() == f"borgerdesk {importlib.metadata.version('borgerdesk')}"


def test_shell_completion_is_offered(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "--install-completion" in cli("--help").out
    # Typer detects the user's shell from the process tree, and a test run may have none
    # (a CI job, a background run: "Shell  not supported."). Typer's own switch for tests
    # makes the option take the shell's name instead.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    r = cli("--show-completion", "bash")
    assert r.code == 0 and "_BORGERDESK_COMPLETE" in r.out


def test_every_command_has_a_group_and_help_lists_them_by_group(cli) -> None:
    names = set(_root().commands)
    ungrouped = sorted(n for n in names if group_of(n) == OTHER)
    assert not ungrouped, f"put these commands in a group in borgerdesk/help.py: {ungrouped}"
    stale = sorted(n for names_ in GROUPS.values() for n in names_ if n not in names)
    assert not stale, f"borgerdesk/help.py groups commands that do not exist: {stale}"
    out = cli("--help").out
    positions = [out.index(f"\n{group}:\n") for group in GROUPS]
    assert positions == sorted(positions)
    assert f"\n{OTHER}:" not in out


# A command in quotes inside a message: 'borgerdesk db upgrade', with f-string fields.
SUGGESTION = re.compile(r"'borgerdesk ((?:[^'{\\]|\{[^}]*\})+)'")


def _suggestions() -> list[str]:
    found: set[str] = set()
    for package in ("store", "ingest", "tui", "borgerdesk"):
        for path in (ROOT / package).rglob("*.py"):
            for line in path.read_text("utf-8").splitlines():
                if "help=" not in line:  # help naming a command is not a line to run
                    found.update(SUGGESTION.findall(line))
    return sorted(re.sub(r"\{[^}]*\}", "x", s) for s in found)


def _parse(args: list[str]) -> str:
    """Parse a command line the way the script does, without running it; click raises on an
    unknown command or option. Returns the command reached."""
    root = _root()

    def rest_of(ctx: Any) -> list[str]:
        return [*getattr(ctx, "_protected_args", getattr(ctx, "protected_args", [])), *ctx.args]

    ctx = root.make_context("borgerdesk", list(args))
    cmd, rest = root, rest_of(ctx)
    while hasattr(cmd, "commands") and rest:
        name, cmd, rest = cmd.resolve_command(ctx, rest)
        ctx = cmd.make_context(name, rest, parent=ctx)
        rest = rest_of(ctx) if hasattr(cmd, "commands") else []
    return str(cmd.name)


def test_messages_suggest_commands_that_exist() -> None:
    suggestions = _suggestions()
    assert "db upgrade" in suggestions  # the scan finds them
    for line in suggestions:
        _parse(shlex.split(line))


def test_a_missing_config_file_suggests_a_command_that_creates_it(cli, tmp_path: Path) -> None:
    target = tmp_path / "desk.toml"
    r = cli("--config", str(target), "status")
    assert r.code == 2
    (suggested,) = re.findall(r"'borgerdesk ([^']+)'", r.err)
    r = cli(*shlex.split(suggested))
    assert r.code == 0, r.err
    assert target.exists()
    assert cli("--config", str(target), "doctor").err.count("config file not found") == 0


def test_status_speaks_the_ui_language(cli, tmp_path: Path, db_url: str) -> None:
    from store.config import preset_text

    r = cli("--db", db_url, "status")  # the default config: Danish
    assert r.code == 0, r.err
    assert "venter i indbakken: 0" in r.out and "åbne varsler: 0" in r.out
    english = tmp_path / "en.toml"
    english.write_text(
        preset_text("odsherred").replace('language = "da"', 'language = "en"'), "utf-8"
    )
    r = cli("--config", str(english), "--db", db_url, "status")
    assert r.code == 0, r.err
    assert "waiting in triage: 0" in r.out and "open alerts: 0" in r.out
