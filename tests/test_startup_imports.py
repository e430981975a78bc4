"""Issue 20: no command imports what it does not use. Structural, not timed: each command
runs in a fresh interpreter and reports the packages it loaded."""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._click.utils import make_default_short_help

from borgerdesk.commands import INDEX

ROOT = Path(__file__).resolve().parents[1]

# Runs the console script's `main` and, at exit, writes the top-level packages loaded.
PROBE = """
import atexit, json, sys
atexit.register(lambda: json.dump(sorted({m.split(".")[0] for m in sys.modules}),
                                  open(sys.argv[1], "w")))
from borgerdesk.cli import main
main(sys.argv[2:])
"""

IMAP = {"imapclient", "imaplib", "pymap", "msal"}
UI = {"textual", "tui"}
ANNUAL = {"docx", "matplotlib"}


def loaded(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return set(json.loads(out.read_text("utf-8")))


# What parsing a command's arguments may not load: its --help and a usage error are
# answered before anything runs. pydantic comes with typer's own value coercion and with
# the config's models.
PARSING = {"sqlalchemy", "sqlmodel", "alembic", "pydantic", "openpyxl", *UI, *IMAP, *ANNUAL}

# Forks once per command line from a process that has loaded only what `borgerdesk --help`
# loads; each child runs the console script's `main` and reports the packages it loaded.
PROBE_EACH = """
import json, os, sys
from borgerdesk.cli import main
import borgerdesk.app
lines = json.loads(sys.argv[1])
out = {}
for line in lines:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            main(line)
        except BaseException:
            pass
        os.write(w, json.dumps(sorted({m.split(".")[0] for m in sys.modules})).encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    out[" ".join(line)] = json.loads(b"".join(chunks))
print(json.dumps(out))
"""


def loaded_each(tmp_path: Path, lines: list[list[str]]) -> dict[str, list[str]]:
    """The packages each command line loaded (PROBE_EACH), keyed by the line."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c")}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE_EACH, json.dumps(lines)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    found: dict[str, list[str]] = json.loads(proc.stdout)
    return found


def _command_paths() -> list[str]:
    """Every command and sub-command, as typed after `borgerdesk`."""
    from borgerdesk.cli import app

    out: list[str] = []

    def walk(cmd: object, path: str) -> None:
        if path:
            out.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


def test_parsing_any_command_loads_no_database_config_mail_or_ui(tmp_path: Path) -> None:
    """`borgerdesk CMD --help` and `borgerdesk CMD --no-such-option`, for every command
    and sub-command: the module that defines it imports what it runs inside the function
    that runs it, so typer can read its arguments cheaply (issue 20)."""
    lines = [
        [*p.split(), extra] for p in _command_paths() for extra in ("--help", "--no-such-option")
    ]
    found = loaded_each(tmp_path, lines)
    assert len(found) == len(lines) > 60
    heavy = {line: sorted(set(mods) & PARSING) for line, mods in found.items()}
    assert not {line: mods for line, mods in heavy.items() if mods}, heavy


# A malformed value (not an id, not a date, a missing or unknown choice) is refused before
# the command loads the database layer: it fails as fast as a usage error.
BAD_VALUES = [
    ["reply", "x1"],
    ["reply", "1", "--expected", "31-02-2026"],
    ["outbox", "--resend", "x"],
    ["outbox", "--was-sent", "0"],
    ["followups", "--now", "garbage"],
    ["ack", "x1"],
    ["ack", "1", "--at", "99-99-2026"],
    ["no-reply", "x1", "--reason", "r"],
    ["no-reply", "1"],
    ["contact", "add", "--at", "09-12-2026 10:00"],
    ["contact", "add", "--channel", "fax"],
    ["contact", "add", "--channel", "meeting", "--direction", "sideways"],
    ["contact", "add", "--channel", "meeting", "--at", "99-99-2026"],
    ["contact", "dismiss", "x1"],
]


def test_a_malformed_value_fails_before_the_database_layer_loads(
    tmp_path: Path, sqlite_url: str
) -> None:
    lines = [["--db", sqlite_url, *line] for line in BAD_VALUES]
    found = loaded_each(tmp_path, lines)
    assert len(found) == len(lines)
    # pydantic may come: the command has read its config (the error's language).
    heavy = {line: sorted(set(mods) & (PARSING - {"pydantic"})) for line, mods in found.items()}
    assert not {line: mods for line, mods in heavy.items() if mods}, heavy


def test_the_cli_s_copies_of_store_values_match_the_store() -> None:
    """borgerdesk.commands.cliargs copies the few store values that options name, so that
    reading the arguments imports no store model."""
    from borgerdesk.commands import cliargs
    from store.config import PRESETS
    from store.db import MAX_INTEGER
    from store.models import Channel, Direction

    assert cliargs.MAX_INTEGER == MAX_INTEGER
    assert "|".join(c.value.replace("_", "-") for c in Channel) == cliargs.CHANNELS
    assert tuple(d.value for d in Direction) == cliargs.DIRECTIONS
    assert cliargs.PRESETS == PRESETS


def test_help_loads_no_database_layer(tmp_path: Path) -> None:
    mods = loaded(tmp_path, "--help")
    assert not mods & {"sqlalchemy", "sqlmodel", "alembic", "pydantic", *UI, *IMAP}, mods


def test_a_usage_error_loads_no_database_layer(tmp_path: Path) -> None:
    mods = loaded(tmp_path, "--no-such-option")
    assert not mods & {"sqlalchemy", "sqlmodel", "alembic", *UI, *IMAP}, mods


def test_report_loads_neither_mail_nor_ui_nor_xlsx(tmp_path: Path, db_url: str) -> None:
    mods = loaded(tmp_path, "--db", db_url, "report", "--period", "2026")
    assert "sqlalchemy" in mods  # it did run against the database
    assert not mods & (IMAP | UI | ANNUAL | {"openpyxl"}), mods & (IMAP | UI | ANNUAL)


def test_status_loads_no_ui(tmp_path: Path, db_url: str) -> None:
    mods = loaded(tmp_path, "--db", db_url, "status")
    assert "sqlalchemy" in mods
    assert not mods & (UI | ANNUAL), mods & (UI | ANNUAL)


def test_followups_loads_no_annual_report(tmp_path: Path, db_url: str) -> None:
    mods = loaded(tmp_path, "--db", db_url, "followups")
    assert "sqlalchemy" in mods
    assert not mods & (UI | ANNUAL | IMAP), mods & (UI | ANNUAL | IMAP)


@pytest.mark.parametrize("module", sorted({m for m, _ in INDEX.values()}))
def test_the_index_names_what_each_module_registers(module: str) -> None:
    """`borgerdesk --help` lists the commands from INDEX without importing them."""
    scratch = typer.Typer()
    importlib.import_module(f"borgerdesk.commands.{module}").register(scratch)
    group = typer.main.get_group(scratch)
    indexed = {name for name, (m, _) in INDEX.items() if m == module}
    assert set(group.commands) == indexed
    for name, cmd in group.commands.items():
        for limit in (45, 1000):
            assert make_default_short_help(INDEX[name][1], limit) == cmd.get_short_help_str(
                limit
            ), name


def test_every_command_module_is_indexed() -> None:
    modules = {p.stem for p in (ROOT / "borgerdesk" / "commands").glob("*.py")}
    # cliargs holds the day's argument readers; it registers no command.
    assert modules - {"__init__", "cliargs"} == {m for m, _ in INDEX.values()}


def test_the_desks_first_page_loads_no_calendars_or_number_tables(
    tmp_path: Path, sqlite_url: str
) -> None:
    """`holidays` imports every country's calendar, `phonenumbers` every region's tables;
    the first page's reply statuses and names need neither."""
    # SQLite: the rows are written with sqlite3 (the import check is the same on both).
    con = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with con:
        at = "2026-03-09 10:00:00.000000"
        con.execute(
            "INSERT INTO contact (id, channel, direction, occurred_at, occurred_on, summary, "
            "counterpart, source_ref, access_request, dismissed, created_at) "
            "VALUES (1, 'email', 'in', ?, '2026-03-09', 'Hej', 'a@example.dk', 't:1', 0, 0, ?)",
            (at, at),
        )
        con.execute(
            "INSERT INTO reply_target (contact_id, rule, received_at, due_at, due_soon_at, "
            "state) VALUES (1, 'dag-til-dag', ?, ?, ?, 'open')",
            (at, at, at),
        )
    con.close()
    code = (
        "import sys\n"
        "from store.config import load_config_text, preset_text\n"
        "from store.db import open_database\n"
        "from store.desk import Desk\n"
        "desk = Desk(open_database(sys.argv[1]), load_config_text(preset_text('odsherred'), 'x'))\n"
        "assert desk.triage(limit=100).rows[0].reply is not None\n"
        "desk.status()\n"
        "print(sorted({'holidays', 'phonenumbers'} & set(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, sqlite_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_a_mistyped_command_is_answered_from_the_index(cli) -> None:
    r = cli("folowups")
    assert r.code == 2
    assert "No such command 'folowups'. Did you mean 'followups'?" in r.err, r.err
